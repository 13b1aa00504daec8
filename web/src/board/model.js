// The board document, read into plain objects of the same shape as the server's JSON
// projection (GET /api/boards/{id}/content), so one renderer serves live and replayed boards.
// Reads are defensive: anyone can write anything into a Yjs document.

import * as Y from 'yjs'
import { sha256Hex } from '../lib/sha256.js'

export const TRINOME = ['etat', 'collectivite', 'societe_civile']
export const ITEM_TIERS = ['direct', 'intermediate', 'ultimate']
export const TIER_RANK = { direct: 0, intermediate: 1, ultimate: 2, vision: 3 }

export const roots = (doc) => ({
  meta: doc.getMap('meta'),
  notes: doc.getMap('notes'),
  chain: doc.getMap('chain'),
  agreement: doc.getMap('agreement')
})

const str = (value) => (typeof value === 'string' ? value : '')
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
const text = (value) => (value instanceof Y.Text ? value.toString() : typeof value === 'string' ? value : '')
const fields = (value) => (value instanceof Y.Map ? Object.fromEntries(value.entries()) : value && typeof value === 'object' ? value : null)

export function readNote (id, value) {
  const note = fields(value)
  if (!note) return null
  const votes = fields(note.votes) || {}
  const voters = Object.keys(votes).filter((key) => votes[key] === true).sort()
  return {
    id,
    text: text(note.text),
    level: str(note.level) || null,
    x: num(note.x),
    y: num(note.y),
    color: str(note.color) || null,
    author: { id: str(note.authorId) || null, name: str(note.authorName) || null, party: str(note.party) || null },
    createdAt: str(note.createdAt) || null,
    votes: { count: voters.length, voters }
  }
}

export function readItem (id, value) {
  const item = fields(value)
  if (!item) return null
  return {
    id,
    tier: str(item.tier) || null,
    text: text(item.text),
    author: { id: str(item.authorId) || null, name: str(item.authorName) || null, party: str(item.party) || null },
    createdAt: str(item.createdAt) || null,
    order: num(item.order)
  }
}

export function sectionStatus (approvals) {
  const current = new Set(approvals.filter((a) => a.current).map((a) => a.party))
  if (TRINOME.every((party) => current.has(party))) return 'agreed'
  if (approvals.some((a) => TRINOME.includes(a.party))) return 'proposed'
  return 'draft'
}

export function readSection (id, value) {
  const section = fields(value) || {}
  const body = text(section.text)
  const hash = sha256Hex(body)
  const approvals = []
  const entries = fields(section.approvals) || {}
  for (const party of [...TRINOME, 'facilitation']) {
    const approval = fields(entries[party])
    if (!approval) continue
    const textHash = str(approval.textHash) || null
    approvals.push({ party, by: str(approval.by) || null, at: str(approval.at) || null, textHash, current: textHash === hash })
  }
  const current = new Set(approvals.filter((a) => a.current).map((a) => a.party))
  return {
    id,
    text: body,
    textHash: hash,
    status: sectionStatus(approvals),
    approvals,
    pending: TRINOME.filter((party) => !current.has(party))
  }
}

export function readLocks (meta) {
  const locks = meta.get('locks')
  if (!(locks instanceof Y.Map)) return []
  return Array.from(locks.keys()).sort()
}

export function readTimer (meta) {
  const timer = fields(meta.get('timer'))
  if (!timer) return null
  return { endsAt: timer.endsAt ?? null, duration: num(timer.duration), by: str(timer.by) || null }
}

export function byReadingOrder (a, b) {
  const rank = (item) => TIER_RANK[item.tier] ?? 9
  return rank(a) - rank(b) || (a.order ?? 0) - (b.order ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/** The whole board in the projection's shape (without server-side problems). */
export function readBoard (doc, sectionIds) {
  const { meta, notes, chain, agreement } = roots(doc)
  const items = chain.get('items')
  const links = chain.get('links')
  return {
    meta: {
      title: str(meta.get('title')),
      template: str(meta.get('template')) || null,
      locks: readLocks(meta).map((zone) => ({ zone }))
    },
    notes: Array.from(notes.entries()).map(([id, value]) => readNote(id, value)).filter(Boolean)
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    chain: {
      vision: text(chain.get('vision')),
      items: items instanceof Y.Map
        ? Array.from(items.entries()).map(([id, value]) => readItem(id, value)).filter(Boolean).sort(byReadingOrder)
        : [],
      links: links instanceof Y.Map
        ? Array.from(links.entries()).map(([id, value]) => {
          const link = fields(value)
          return link && { id, from: str(link.from), to: str(link.to) }
        }).filter(Boolean)
        : []
    },
    agreement: {
      sections: sectionIds.filter((id) => agreement.has(id)).map((id) => readSection(id, agreement.get(id)))
    },
    problems: []
  }
}
