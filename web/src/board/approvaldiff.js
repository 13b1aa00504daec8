// @ts-check
// « Changé depuis votre approbation »: when the text of a section is no longer the one my
// party approved, what changed since, word by word. An approval keeps only the SHA-256 of the
// text approved; the server finds that text again in the board's log
// (GET /api/boards/{id}/agreement/{section}/approved-text?hash=…).

import { h, clear, coalesce } from '../lib/dom.js'
import { t } from '../lib/page.js'

/** @typedef {{kind: 'same' | 'ins' | 'del', text: string}} Piece */

/** Past this many words on each side of the changed middle, the middle shows as replaced. */
const MAX_MIDDLE = 1500

/** @param {string} text words, runs of spaces and of punctuation, each a token */
function tokens (text) {
  return text.split(/(\s+|[^\p{L}\p{N}\s]+)/u).filter((token) => token !== '')
}

/**
 * The changes from `before` to `after`, word by word (spaces are words too, so that line
 * breaks stay where they are): the common start and end, and a longest common subsequence
 * of the middle.
 * @param {string} before
 * @param {string} after
 * @returns {Piece[]}
 */
export function wordDiff (before, after) {
  const a = tokens(before)
  const b = tokens(after)
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let end = 0
  while (end < a.length - start && end < b.length - start && a[a.length - 1 - end] === b[b.length - 1 - end]) end++
  const midA = a.slice(start, a.length - end)
  const midB = b.slice(start, b.length - end)
  /** @type {Piece[]} */
  const out = []
  const push = (/** @type {Piece['kind']} */ kind, /** @type {string} */ text) => {
    if (!text) return
    const last = out[out.length - 1]
    if (last && last.kind === kind) last.text += text
    else out.push({ kind, text })
  }
  push('same', a.slice(0, start).join(''))
  if (midA.length > MAX_MIDDLE || midB.length > MAX_MIDDLE) {
    push('del', midA.join(''))
    push('ins', midB.join(''))
  } else {
    for (const [kind, text] of common(midA, midB)) push(kind, text)
  }
  push('same', a.slice(a.length - end).join(''))
  return out
}

/**
 * @param {string[]} a
 * @param {string[]} b
 * @returns {Array<[Piece['kind'], string]>}
 */
function common (a, b) {
  const n = a.length
  const m = b.length
  const width = m + 1
  const lengths = new Uint16Array((n + 1) * width)
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lengths[i * width + j] = a[i] === b[j]
        ? lengths[(i + 1) * width + j + 1] + 1
        : Math.max(lengths[(i + 1) * width + j], lengths[i * width + j + 1])
    }
  }
  /** @type {Array<[Piece['kind'], string]>} */
  const out = []
  let i = 0
  let j = 0
  while (i < n && j < m) {
    if (a[i] === b[j]) {
      out.push(['same', a[i]])
      i++
      j++
    } else if (lengths[(i + 1) * width + j] >= lengths[i * width + j + 1]) {
      out.push(['del', a[i++]])
    } else {
      out.push(['ins', b[j++]])
    }
  }
  while (i < n) out.push(['del', a[i++]])
  while (j < m) out.push(['ins', b[j++]])
  return out
}

/**
 * @param {Piece[]} pieces
 * @returns {HTMLElement}
 */
export function renderDiff (pieces) {
  const el = h('p', { class: 'approval-diff' })
  for (const piece of pieces) {
    if (piece.kind === 'same') el.append(piece.text)
    else {
      const word = piece.kind === 'ins' ? t('approvalDiff.inserted') : t('approvalDiff.deleted')
      el.append(h(piece.kind, {}, h('span', { class: 'visually-hidden' }, `[${word} : `), piece.text, h('span', { class: 'visually-hidden' }, ']')))
    }
  }
  return el
}

/** Under a section: what changed since my party approved it, while its approval is outdated. */
export class ApprovalChanges {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {string} sectionId
   */
  constructor (ctx, sectionId) {
    this.ctx = ctx
    this.sectionId = sectionId
    /** @type {Map<string, Promise<string | null>>} the approved texts, by hash */
    this.texts = new Map()
    this.body = h('div', { class: 'since-approval__body' })
    this.el = h('div', { class: 'since-approval', id: `since-${sectionId}`, dataset: { since: sectionId } },
      h('h4', {}, t('approvalDiff.title')), this.body)
    this.el.hidden = true
    /** @type {import('../lib/types.js').Section | null} */
    this.data = null
    this.redraw = coalesce(() => this.draw())
  }

  /** @param {import('../lib/types.js').Section} data the section as now shown */
  update (data) {
    this.data = data
    this.redraw()
  }

  /**
   * @param {string} hash
   * @param {string | null} at the approval's time: where the server looks first
   * @returns {Promise<string | null>}
   */
  approvedText (hash, at) {
    let found = this.texts.get(hash)
    if (!found) {
      const query = `hash=${hash}${at ? `&at=${encodeURIComponent(at)}` : ''}`
      found = this.ctx.api('GET', `/api/boards/${this.ctx.boardId}/agreement/${this.sectionId}/approved-text?${query}`)
        .then((body) => (body && typeof body.text === 'string' ? body.text : null))
        .catch(() => { this.texts.delete(hash); return null })
      this.texts.set(hash, found)
    }
    return found
  }

  async draw () {
    const data = this.data
    const party = this.ctx.me.party
    const mine = data && party ? data.approvals.find((a) => a.party === party) : null
    if (!data || !mine || mine.current || !mine.textHash) {
      this.el.hidden = true
      return
    }
    const approved = await this.approvedText(mine.textHash, mine.at)
    if (this.data !== data) return // a newer text came meanwhile: its own draw shows it
    this.el.hidden = false
    clear(this.body)
    if (approved === null) {
      this.body.append(h('p', { class: 'muted' }, t('approvalDiff.unknown')))
      return
    }
    const pieces = wordDiff(approved, data.text)
    const count = (/** @type {'ins' | 'del'} */ kind) => pieces.filter((p) => p.kind === kind).reduce((sum, p) => sum + tokens(p.text).filter((w) => /[\p{L}\p{N}]/u.test(w)).length, 0)
    this.body.append(
      h('p', { class: 'muted' }, t('approvalDiff.summary', { inserted: count('ins'), deleted: count('del'), by: mine.by || '?' })),
      renderDiff(pieces))
  }
}
