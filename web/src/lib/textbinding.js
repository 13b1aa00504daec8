// @ts-check
// Binds a <textarea> to a Y.Text: local keystrokes become minimal Y.Text edits, remote edits
// update the field while keeping the caret and selection where the user left them.
//
// A native <textarea> keeps everything the browser and assistive technologies already do for
// text (labels, selection, spell checking, dictation, screen readers); see web/README.md.

import * as Y from 'yjs'

/**
 * The one change that turns `before` into `after`: {at, remove, insert}.
 * @param {string} before
 * @param {string} after
 */
export function textChange (before, after) {
  let start = 0
  const shortest = Math.min(before.length, after.length)
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start++
  let end = 0
  while (
    end < shortest - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  ) end++
  return { at: start, remove: before.length - start - end, insert: after.slice(start, after.length - end) }
}

/** @typedef {Array<{insert?: unknown, delete?: number, retain?: number}>} TextDelta */

/**
 * Where index `index` lands after a Y.Text delta (insertions at the index push it right).
 * @param {number} index
 * @param {TextDelta} delta
 * @param {number} assoc positive: an insertion at the index goes before it
 */
export function shiftIndex (index, delta, assoc) {
  let pos = 0
  let result = index
  for (const op of delta) {
    if (op.retain) {
      pos += op.retain
    } else if (op.insert) {
      const size = typeof op.insert === 'string' ? op.insert.length : 1
      if (pos < result || (pos === result && assoc > 0)) result += size
      pos += size
    } else if (op.delete) {
      if (pos < result) result = Math.max(pos, result - op.delete)
    }
    if (pos > result) break
  }
  return result
}

export class TextBinding {
  /**
   * @param {HTMLTextAreaElement} field
   * @param {Y.Text} ytext
   * @param {{origin?: unknown, onChange?: () => void}} [options]
   */
  constructor (field, ytext, { origin, onChange } = {}) {
    this.field = field
    this.ytext = ytext
    /** @type {unknown} */
    this.origin = origin || this
    this.onChange = onChange || (() => {})
    this.shadow = ytext.toString()
    this.composing = false
    this.pendingRemote = false
    field.value = this.shadow
    this.undo = new Y.UndoManager(ytext, { trackedOrigins: new Set([this.origin]), captureTimeout: 600 })
    this._onInput = () => this.pushLocal()
    this._onCompositionStart = () => { this.composing = true }
    this._onCompositionEnd = () => {
      this.composing = false
      this.pushLocal()
      if (this.pendingRemote) this.pullRemote(null)
    }
    /** @param {KeyboardEvent} event */
    this._onKeyDown = (event) => this.keydown(event)
    /** @type {(event: Y.YTextEvent, transaction: Y.Transaction) => void} */
    this._observer = (event, transaction) => {
      if (transaction.origin === this.origin) return
      this.pullRemote(event.delta)
    }
    field.addEventListener('input', this._onInput)
    field.addEventListener('compositionstart', this._onCompositionStart)
    field.addEventListener('compositionend', this._onCompositionEnd)
    field.addEventListener('keydown', this._onKeyDown)
    ytext.observe(this._observer)
  }

  /** Send what the user typed as the smallest edit of the shared text. */
  pushLocal () {
    if (this.composing) return
    const value = this.field.value
    if (value === this.shadow) return
    const change = textChange(this.shadow, value)
    this.shadow = value
    const doc = /** @type {Y.Doc} */ (this.ytext.doc)
    doc.transact(() => {
      if (change.remove) this.ytext.delete(change.at, change.remove)
      if (change.insert) this.ytext.insert(change.at, change.insert)
    }, this.origin)
    this.onChange()
  }

  /**
   * Show others' edits; the caret moves with the text around it.
   * @param {TextDelta | null} delta null when the change is not known
   */
  pullRemote (delta) {
    if (this.composing) {
      this.pendingRemote = true
      return
    }
    this.pendingRemote = false
    const field = this.field
    const focused = document.activeElement === field
    let start = field.selectionStart
    let end = field.selectionEnd
    const direction = field.selectionDirection
    const value = this.ytext.toString()
    if (delta && this.field.value === this.shadow) {
      start = shiftIndex(start, delta, -1)
      end = shiftIndex(end, delta, start === end ? -1 : 1)
    } else {
      // local and remote changes crossed: fall back to keeping the distance from the end
      const fromEnd = field.value.length - end
      end = Math.max(0, value.length - fromEnd)
      start = Math.min(start, end)
    }
    this.shadow = value
    if (field.value !== value) field.value = value
    if (focused) field.setSelectionRange(start, end, direction || 'none')
    this.onChange()
  }

  /** @param {KeyboardEvent} event */
  keydown (event) {
    const mod = event.ctrlKey || event.metaKey
    if (!mod || event.altKey) return
    const key = event.key.toLowerCase()
    if (key === 'z' && !event.shiftKey) {
      event.preventDefault()
      this.pushLocal()
      this.undo.undo()
    } else if ((key === 'z' && event.shiftKey) || key === 'y') {
      event.preventDefault()
      this.undo.redo()
    }
  }

  /**
   * Replace the selected lines (used by the list buttons), as one undoable edit.
   * @param {number} start
   * @param {number} end
   * @param {string} replacement
   * @param {number} [selectStart]
   * @param {number} [selectEnd]
   */
  replaceRange (start, end, replacement, selectStart, selectEnd) {
    this.field.setRangeText(replacement, start, end, 'end')
    if (selectStart !== undefined) this.field.setSelectionRange(selectStart, selectEnd ?? selectStart)
    this.pushLocal()
  }

  destroy () {
    this.field.removeEventListener('input', this._onInput)
    this.field.removeEventListener('compositionstart', this._onCompositionStart)
    this.field.removeEventListener('compositionend', this._onCompositionEnd)
    this.field.removeEventListener('keydown', this._onKeyDown)
    this.ytext.unobserve(this._observer)
    this.undo.destroy()
  }
}

/**
 * Grow a textarea with its content (no inner scrollbar on short texts).
 * @param {HTMLTextAreaElement} field
 * @param {number} [minRows]
 */
export function autosize (field, minRows = 2) {
  field.rows = minRows
  field.style.height = 'auto'
  field.style.height = `${field.scrollHeight + 2}px`
}
