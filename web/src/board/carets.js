// @ts-check
// Other people's carets and selections in a shared text. Each page puts in its awareness
// state where its caret is, as Yjs relative positions (they stay on the same characters
// while others type), and draws the others' over its textarea: a mirror of the textarea
// (same text, font, padding and width, text transparent) laid over it, where a thin coloured
// bar with the person's name is inserted at each caret. The mirror is decoration only
// (aria-hidden); a line under the field says in words who writes where.

import * as Y from 'yjs'
import { h, clear } from '../lib/dom.js'
import { t } from '../lib/page.js'
import { partyColor } from '../lib/render.js'

/**
 * @typedef {object} Caret
 * Where a person's caret is: `head` where it blinks, `anchor` the other end of a selection
 * (null for a plain caret), both `Y.relativePositionToJSON` of the text's positions.
 * @property {string} key the text, as in `editing` (section-<id>)
 * @property {unknown} head
 * @property {unknown} [anchor]
 */

/** Styles the mirror copies from the textarea so that its lines wrap at the same places. */
const COPIED = [
  'boxSizing', 'fontFamily', 'fontSize', 'fontWeight', 'fontStyle', 'fontVariant', 'lineHeight',
  'letterSpacing', 'wordSpacing', 'textTransform', 'textIndent', 'tabSize',
  'paddingTop', 'paddingRight', 'paddingBottom', 'paddingLeft',
  'borderTopWidth', 'borderRightWidth', 'borderBottomWidth', 'borderLeftWidth'
]

/**
 * @param {string} text
 * @param {number} index
 */
function lineOf (text, index) {
  let line = 1
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++
  return line
}

export class CaretLayer {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {string} key
   * @param {HTMLTextAreaElement} field
   * @param {Y.Text} ytext
   */
  constructor (ctx, key, field, ytext) {
    this.ctx = ctx
    this.key = key
    this.field = field
    this.ytext = ytext
    this.mirror = h('div', { class: 'caret-mirror', 'aria-hidden': 'true' })
    this.list = h('p', { class: 'caret-list', dataset: { carets: key } })
    this.list.hidden = true
    const wrap = h('div', { class: 'caret-wrap' })
    field.before(wrap)
    wrap.append(field, this.mirror)
    wrap.after(this.list)
    this.frame = 0
    this.shareFrame = 0
    const share = () => this.shareSoon()
    for (const type of ['input', 'select', 'keyup', 'pointerup', 'focus']) field.addEventListener(type, share)
    document.addEventListener('selectionchange', () => { if (document.activeElement === field) share() })
    field.addEventListener('blur', () => this.ctx.presence.set('caret', null))
    field.addEventListener('scroll', () => { this.mirror.scrollTop = field.scrollTop })
    ctx.presence.onChange(() => this.drawSoon())
    ytext.observe(() => this.drawSoon())
    new ResizeObserver(() => this.drawSoon()).observe(field)
  }

  shareSoon () {
    if (this.shareFrame) return
    this.shareFrame = requestAnimationFrame(() => {
      this.shareFrame = 0
      this.share()
    })
  }

  /** Put this page's caret in its awareness state (only while the field has the focus). */
  share () {
    const field = this.field
    if (document.activeElement !== field) return
    const forward = field.selectionDirection !== 'backward'
    const head = forward ? field.selectionEnd : field.selectionStart
    const anchor = forward ? field.selectionStart : field.selectionEnd
    const at = (/** @type {number} */ index) => Y.relativePositionToJSON(Y.createRelativePositionFromTypeIndex(this.ytext, index))
    /** @type {Caret} */
    const caret = { key: this.key, head: at(head), anchor: anchor === head ? null : at(anchor) }
    this.ctx.presence.set('caret', caret)
  }

  drawSoon () {
    if (this.frame) return
    this.frame = requestAnimationFrame(() => {
      this.frame = 0
      this.draw()
    })
  }

  /**
   * The index in this text of a shared relative position, or null when it is elsewhere.
   * @param {unknown} json
   */
  resolve (json) {
    if (!json || typeof json !== 'object') return null
    try {
      const doc = /** @type {Y.Doc} */ (this.ytext.doc)
      const found = Y.createAbsolutePositionFromRelativePosition(Y.createRelativePositionFromJSON(json), doc)
      return found && found.type === this.ytext ? found.index : null
    } catch {
      return null
    }
  }

  /** The others' carets in this text: who, where (sorted), and the selection's other end. */
  carets () {
    const length = this.field.value.length
    const out = []
    for (const other of this.ctx.presence.others()) {
      const caret = other.caret
      if (!caret || caret.key !== this.key) continue
      const head = this.resolve(caret.head)
      if (head === null) continue
      const anchor = caret.anchor ? this.resolve(caret.anchor) : null
      const clamp = (/** @type {number} */ i) => Math.max(0, Math.min(length, i))
      out.push({ user: other.user, head: clamp(head), anchor: anchor === null ? null : clamp(anchor) })
    }
    return out.sort((a, b) => a.head - b.head)
  }

  draw () {
    const carets = this.carets()
    this.drawList(carets)
    clear(this.mirror)
    this.mirror.hidden = carets.length === 0
    if (!carets.length) return
    this.copyStyle()
    this.fill(this.field.value, carets)
    this.mirror.scrollTop = this.field.scrollTop
  }

  /**
   * The mirror's text, cut at every caret and selection end: a bar at each caret, a tint
   * over each selected stretch.
   * @param {string} text
   * @param {Array<{user: import('./presence.js').PresenceUser, head: number, anchor: number | null}>} carets
   */
  fill (text, carets) {
    const colorOf = (/** @type {{user: import('./presence.js').PresenceUser}} */ c) => c.user.color || partyColor(c.user.party)
    const cuts = new Set([0, text.length])
    for (const caret of carets) {
      cuts.add(caret.head)
      if (caret.anchor !== null) cuts.add(caret.anchor)
    }
    const sorted = Array.from(cuts).sort((x, y) => x - y)
    sorted.forEach((at, i) => {
      for (const caret of carets) if (caret.head === at) this.mirror.append(this.marker(caret.user.name, colorOf(caret)))
      const next = sorted[i + 1]
      if (next === undefined) return
      const piece = text.slice(at, next)
      const cover = carets.find((c) => c.anchor !== null && Math.min(c.anchor, c.head) <= at && next <= Math.max(c.anchor, c.head))
      this.mirror.append(cover ? h('span', { class: 'caret-selection', style: { background: `${colorOf(cover)}33` } }, piece) : piece)
    })
    // a final newline needs a character after it to take its line
    this.mirror.append('\u200b')
  }

  /**
   * @param {string} name
   * @param {string} color
   */
  marker (name, color) {
    return h('span', { class: 'caret-marker', style: { borderColor: color } },
      h('span', { class: 'caret-name', style: { background: color } }, name || t('presence.anonymous')))
  }

  copyStyle () {
    const field = this.field
    const style = getComputedStyle(field)
    const target = /** @type {Record<string, string>} */ (/** @type {unknown} */ (this.mirror.style))
    const source = /** @type {Record<string, string>} */ (/** @type {unknown} */ (style))
    for (const name of COPIED) target[name] = source[name]
    // the textarea's scroll bar, if any, narrows its text: narrow the mirror's the same way
    const borders = parseFloat(style.borderLeftWidth) + parseFloat(style.borderRightWidth)
    const bar = Math.max(0, field.offsetWidth - field.clientWidth - borders)
    this.mirror.style.paddingRight = `${parseFloat(style.paddingRight) + bar}px`
    this.mirror.style.left = `${field.offsetLeft}px`
    this.mirror.style.top = `${field.offsetTop}px`
    this.mirror.style.width = `${field.offsetWidth}px`
    this.mirror.style.height = `${field.offsetHeight}px`
  }

  /** @param {Array<{user: import('./presence.js').PresenceUser, head: number}>} carets */
  drawList (carets) {
    const text = this.field.value
    this.list.textContent = carets.map((caret) => t('carets.at', { name: caret.user.name || t('presence.anonymous'), line: lineOf(text, caret.head) })).join(' · ')
    this.list.hidden = carets.length === 0
  }
}
