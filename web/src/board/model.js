// @ts-check
// The board document, read into plain objects of the same shape as the server's JSON
// projection (GET /api/boards/{id}/content), so one renderer serves live and replayed boards.
// Reads are defensive: anyone can write anything into a Yjs document.

import * as Y from 'yjs'
import { sha256Hex } from '../lib/sha256.js'

/** @typedef {import('../lib/types.js').Note} Note */
/** @typedef {import('../lib/types.js').ChainItem} ChainItem */
/** @typedef {import('../lib/types.js').ChainLink} ChainLink */
/** @typedef {import('../lib/types.js').Approval} Approval */
/** @typedef {import('../lib/types.js').Section} Section */
/** @typedef {import('../lib/types.js').BoardModel} BoardModel */
/** @typedef {import('../lib/types.js').Roots} Roots */

export const TRINOME = ['etat', 'collectivite', 'societe_civile']
export const ITEM_TIERS = ['direct', 'intermediate', 'ultimate']
/** @type {Record<string, number>} */
export const TIER_RANK = { direct: 0, intermediate: 1, ultimate: 2, vision: 3 }

/** @type {(doc: Y.Doc) => Roots} */
export const roots = (doc) => ({
  meta: doc.getMap('meta'),
  notes: doc.getMap('notes'),
  chain: doc.getMap('chain'),
  agreement: doc.getMap('agreement')
})

/** @type {(value: unknown) => string} */
const str = (value) => (typeof value === 'string' ? value : '')
/** @type {(value: unknown) => number | null} */
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : null)
/** @type {(value: unknown) => string} */
const text = (value) => (value instanceof Y.Text ? value.toString() : typeof value === 'string' ? value : '')
/** @type {<T>(value: T | null) => value is T} */
const present = (value) => value !== null
/**
 * A Y.Map or a plain object as a plain object of its fields, else null.
 * @type {(value: unknown) => Record<string, any> | null}
 */
const fields = (value) => (value instanceof Y.Map ? Object.fromEntries(value.entries()) : value && typeof value === 'object' ? value : null)

/**
 * @param {string} id
 * @param {unknown} value
 * @returns {Note | null}
 */
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

/**
 * @param {string} id
 * @param {unknown} value
 * @returns {ChainItem | null}
 */
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

/**
 * Trinôme parties whose approval counts: of the current text, naming an invite no other
 * party's approval names (as the server's projection decides).
 * @param {Approval[]} approvals
 */
export function countingParties (approvals) {
  const current = approvals.filter((a) => a.current && TRINOME.includes(a.party) && a.invite)
  const invites = current.map((a) => a.invite)
  return new Set(current.filter((a) => invites.indexOf(a.invite) === invites.lastIndexOf(a.invite)).map((a) => a.party))
}

/** @param {Approval[]} approvals */
export function sectionStatus (approvals) {
  const counting = countingParties(approvals)
  if (TRINOME.every((party) => counting.has(party))) return 'agreed'
  if (approvals.some((a) => TRINOME.includes(a.party))) return 'proposed'
  return 'draft'
}

/**
 * @param {string} id
 * @param {unknown} value
 * @returns {Section}
 */
export function readSection (id, value) {
  const section = fields(value) || {}
  const body = text(section.text)
  const hash = sha256Hex(body)
  /** @type {Approval[]} */
  const approvals = []
  const entries = fields(section.approvals) || {}
  for (const party of [...TRINOME, 'facilitation']) {
    const approval = fields(entries[party])
    if (!approval) continue
    const textHash = str(approval.textHash) || null
    approvals.push({ party, by: str(approval.by) || null, invite: str(approval.invite) || null, at: str(approval.at) || null, textHash, current: textHash === hash })
  }
  const counting = countingParties(approvals)
  return {
    id,
    text: body,
    textHash: hash,
    status: sectionStatus(approvals),
    approvals,
    pending: TRINOME.filter((party) => !counting.has(party))
  }
}

/**
 * The locked zones, sorted.
 * @param {Y.Map<any>} meta
 * @returns {string[]}
 */
export function readLocks (meta) {
  const locks = meta.get('locks')
  if (!(locks instanceof Y.Map)) return []
  return Array.from(locks.keys()).sort()
}

/**
 * @param {Y.Map<any>} meta
 * @returns {{endsAt: unknown, duration: number | null, by: string | null} | null}
 */
export function readTimer (meta) {
  const timer = fields(meta.get('timer'))
  if (!timer) return null
  return { endsAt: timer.endsAt ?? null, duration: num(timer.duration), by: str(timer.by) || null }
}

/**
 * @param {{id: string, tier: string | null, order: number | null}} a
 * @param {{id: string, tier: string | null, order: number | null}} b
 */
export function byReadingOrder (a, b) {
  /** @type {(item: {tier: string | null}) => number} */
  const rank = (item) => TIER_RANK[/** @type {string} */ (item.tier)] ?? 9
  return rank(a) - rank(b) || (a.order ?? 0) - (b.order ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
}

/**
 * The whole board in the projection's shape (without server-side problems).
 * @param {Y.Doc} doc
 * @param {string[]} sectionIds
 * @returns {BoardModel}
 */
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
    notes: Array.from(notes.entries()).map(([id, value]) => readNote(id, value)).filter(present)
      .sort((a, b) => (a.id < b.id ? -1 : 1)),
    chain: {
      vision: text(chain.get('vision')),
      items: items instanceof Y.Map
        ? Array.from(items.entries()).map(([id, value]) => readItem(id, value)).filter(present).sort(byReadingOrder)
        : [],
      links: links instanceof Y.Map
        ? Array.from(links.entries()).map(([id, value]) => {
          const link = fields(value)
          return link && { id, from: str(link.from), to: str(link.to) }
        }).filter(present)
        : []
    },
    agreement: {
      sections: sectionIds.filter((id) => agreement.has(id)).map((id) => readSection(id, agreement.get(id)))
    },
    problems: []
  }
}
