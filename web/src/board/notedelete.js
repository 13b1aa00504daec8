// @ts-check
// Deleting a note: another party's note is deleted only once asked, and any deletion can be
// undone for a while from the note's kept content (re-created under the same id), which
// works whoever wrote the note and whatever happened on the board since.

import * as Y from 'yjs'
import { t, partyLabel } from '../lib/page.js'
import { askConfirm } from './confirm.js'

/** How long « Note supprimée — Annuler » offers the undo. */
export const UNDO_DELETE_MS = 30_000

/** @typedef {import('../lib/types.js').Me} Me */
/** @typedef {import('../lib/types.js').Note} Note */

/**
 * Whether the note speaks for another party than this person's (the facilitator's own
 * notes and a person's own notes are deleted without a question).
 * @param {Note} note
 * @param {Me} me
 */
export function othersNote (note, me) {
  if (note.author.id && note.author.id === me.id) return false
  return (note.author.party || '') !== (me.party || '')
}

/**
 * Ask before deleting another party's note; resolves to whether to go on.
 * @param {Note} note
 */
export function confirmDelete (note) {
  const text = note.text.trim().slice(0, 60) || t('continuum.emptyNote')
  return askConfirm({
    title: t('delete.confirmTitle'),
    message: t('delete.confirmMessage', { text, author: note.author.name || '?', party: partyLabel(note.author.party || '') }),
    confirm: t('delete.confirm'),
    cancel: t('delete.keep')
  })
}

/**
 * @typedef {{kind: 'text', value: string} | {kind: 'map', value: Record<string, unknown>} | {kind: 'plain', value: unknown}} Kept
 * A note's field, read out of the document before the deletion (whose content Yjs may then
 * collect).
 */

/**
 * @param {unknown} value
 * @returns {Kept}
 */
function keep (value) {
  if (value instanceof Y.Text) return { kind: 'text', value: value.toString() }
  if (value instanceof Y.Map) return { kind: 'map', value: value.toJSON() }
  return { kind: 'plain', value }
}

/**
 * @param {Kept} kept
 * @returns {unknown}
 */
function revive (kept) {
  if (kept.kind === 'text') return new Y.Text(kept.value)
  if (kept.kind === 'map') return new Y.Map(Object.entries(kept.value))
  return kept.value
}

/**
 * Keep a note's content before it is deleted; the returned function puts it back under the
 * same id (nothing when a note of that id exists again), as an edit of this page.
 * @param {Y.Map<any>} notes the board's notes map
 * @param {string} id
 * @param {symbol} origin the page's transaction origin
 * @returns {(() => boolean) | null} whether it was restored
 */
export function keepNote (notes, id, origin) {
  const value = notes.get(id)
  if (!(value instanceof Y.Map)) return null
  /** @type {Array<[string, Kept]>} */
  const fields = Array.from(value.entries(), ([key, inner]) => [key, keep(inner)])
  return () => {
    const doc = notes.doc
    if (notes.has(id) || !doc) return false
    doc.transact(() => notes.set(id, new Y.Map(fields.map(([key, kept]) => [key, revive(kept)]))), origin)
    return true
  }
}
