// @ts-check
// The cooperation continuum: seven lanes from Concurrence to Intégration, sticky notes that
// people add, write together, colour, move (drag or keyboard) and dot-vote on.

import * as Y from 'yjs'
import { h, coalesce, randomId } from '../lib/dom.js'
import { t, pick, catalog, levelLabel, partyLabel } from '../lib/page.js'
import { TextBinding, autosize } from '../lib/textbinding.js'
import { readNote } from './model.js'
import { partyColor } from './presence.js'
import { othersNote, confirmDelete, keepNote, UNDO_DELETE_MS } from './notedelete.js'

export const NOTE_WIDTH = 150
const STEP = 20
const BIG_STEP = 80
const GAP = 10
const MIN_LANE_HEIGHT = 380
const DELETE = Symbol('delete-note')

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').Note} Note */

/**
 * @typedef {object} NoteEntry
 * A note's element and its controls.
 * @property {string} id
 * @property {HTMLLIElement} el
 * @property {HTMLTextAreaElement} field
 * @property {HTMLTextAreaElement} text
 * @property {HTMLLabelElement} label
 * @property {HTMLButtonElement} handle
 * @property {HTMLSpanElement} author
 * @property {HTMLButtonElement} vote
 * @property {HTMLSelectElement} color
 * @property {HTMLButtonElement} remove
 * @property {HTMLParagraphElement} editors
 * @property {TextBinding | null} binding
 * @property {boolean} bound whether the text is a Y.Text the field edits
 * @property {Note} note
 */

/** @typedef {{lane: HTMLElement, body: HTMLUListElement, add: HTMLButtonElement}} Lane */

/**
 * @typedef {object} Drag
 * @property {NoteEntry} entry
 * @property {number} pointerId
 * @property {number} startX
 * @property {number} startY
 * @property {number} dx
 * @property {number} dy
 * @property {boolean} moved
 */

export class ContinuumView {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.notes = ctx.roots.notes
    this.levels = catalog().continuum.levels
    /** @type {Map<string, NoteEntry>} */
    this.entries = new Map()
    /** @type {Map<string, Lane>} */
    this.lanes = new Map()
    /** @type {Map<number, HTMLLIElement>} */
    this.cursors = new Map()
    /** @type {Drag | null} */
    this.drag = null
    /** @type {number | undefined} */
    this.lastCursor = undefined
    /** @type {HTMLElement} */
    this.lanesEl = h('div', { class: 'lanes' })
    /** @type {HTMLUListElement} */
    this.orphans = h('ul', { class: 'orphans', 'aria-label': t('continuum.orphans') })
    this.render = coalesce(() => this.sync())
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    const c = catalog().continuum
    const lanes = this.lanesEl
    for (const level of this.levels) {
      const headingId = `lane-${level.id}`
      const body = h('ul', { class: 'lane__body', 'aria-labelledby': headingId, dataset: { level: level.id } })
      const add = h('button', {
        type: 'button',
        class: 'button button--small lane__add',
        dataset: { key: `add-${level.id}` },
        onclick: () => this.add(level.id)
      }, h('span', { 'aria-hidden': 'true' }, '+ '), t('continuum.add'),
      h('span', { class: 'visually-hidden' }, ` — ${pick(level.label)}`))
      const lane = h('section', { class: 'lane', 'aria-labelledby': headingId, dataset: { level: level.id } },
        h('header', { class: 'lane__head' },
          h('h3', { id: headingId, class: 'lane__title' }, pick(level.label)),
          h('p', { class: 'lane__meaning' }, pick(level.meaning)),
          add),
        body)
      this.lanes.set(level.id, { lane, body, add })
      lanes.append(lane)
    }
    panel.append(
      h('div', { class: 'view-intro' },
        h('ul', { class: 'questions' }, c.questions.map((q) => h('li', {}, pick(q))))),
      h('div', { class: 'continuum' },
        h('p', { class: 'axis' },
          h('span', {}, t('continuum.axis.rivalry')),
          h('span', { class: 'axis__arrow', 'aria-hidden': 'true' }),
          h('span', {}, t('continuum.axis.trust'))),
        h('div', { class: 'lanes-scroll' }, lanes),
        h('p', { class: 'axis' },
          h('span', {}, t('continuum.axis.less')),
          h('span', { class: 'axis__arrow', 'aria-hidden': 'true' }),
          h('span', {}, t('continuum.axis.more')))),
      this.orphans,
      h('p', { id: 'move-help', class: 'visually-hidden' }, t('continuum.moveHelp'))
    )
    lanes.addEventListener('pointermove', (event) => this.shareCursor(event))
    lanes.addEventListener('pointerleave', () => this.ctx.presence.set('cursor', null))
    this.notes.observeDeep(this.render)
    this.ctx.presence.onChange(() => {
      this.renderCursors()
      if (this.renderEditors()) this.layout()
    })
    window.addEventListener('resize', this.render)
    this.sync()
  }

  /**
   * Move a note to another level at about the same height (the list view's "move" button).
   * @param {string} id
   * @param {string} level
   */
  moveToLevel (id, level) {
    const entry = this.entries.get(id)
    const y = entry ? parseFloat(entry.el.style.top) || 0 : 0
    const x = entry ? parseFloat(entry.el.style.left) || GAP : GAP
    this.moveTo(id, level, x, this.freeY(level, y, id))
  }

  refreshPermissions () {
    const editable = this.ctx.canEdit('continuum')
    for (const { add } of this.lanes.values()) add.disabled = !editable
    for (const entry of this.entries.values()) this.applyPermissions(entry, editable)
  }

  /**
   * @param {NoteEntry} entry
   * @param {boolean} editable
   */
  applyPermissions (entry, editable) {
    entry.text.readOnly = !editable || !entry.bound
    entry.handle.setAttribute('aria-disabled', String(!editable))
    entry.vote.disabled = !this.ctx.canEdit('continuum')
    entry.color.disabled = !editable
    entry.remove.disabled = !editable
  }

  // -- rendering ------------------------------------------------------------------------

  sync () {
    const seen = new Set()
    const editable = this.ctx.canEdit('continuum')
    for (const [id, value] of this.notes.entries()) {
      const note = readNote(id, value)
      if (!note) continue
      seen.add(id)
      let entry = this.entries.get(id)
      if (!entry) {
        entry = this.create(id, value, note)
        this.entries.set(id, entry)
      }
      this.update(entry, note)
      this.applyPermissions(entry, editable)
    }
    for (const [id, entry] of this.entries) {
      if (seen.has(id)) continue
      if (entry.binding) entry.binding.destroy()
      entry.el.remove()
      this.entries.delete(id)
    }
    this.renderEditors()
    this.layout()
    this.orphans.hidden = this.orphans.childElementCount === 0
  }

  /**
   * @param {string} id
   * @param {Y.Map<any>} value the note's map
   * @param {Note} note what it holds now (`update` shows it)
   * @returns {NoteEntry}
   */
  create (id, value, note) {
    const text = value.get('text')
    const textId = `note-text-${id}`
    const field = h('textarea', { id: textId, class: 'note__text', rows: 2, dataset: { key: `text-${id}` } })
    const label = h('label', { for: textId, class: 'visually-hidden' })
    const handle = h('button', {
      type: 'button',
      class: 'note__handle',
      'aria-describedby': 'move-help',
      dataset: { key: `move-${id}` }
    }, h('span', { 'aria-hidden': 'true', class: 'grip' }))
    const author = h('span', { class: 'note__author' })
    const vote = h('button', { type: 'button', class: 'note__vote', dataset: { key: `vote-${id}` } })
    const colorId = `note-color-${id}`
    const color = h('select', { id: colorId, class: 'note__color', dataset: { key: `color-${id}` } },
      catalog().colors.map((entry) => h('option', { value: entry.id }, pick(entry.label))))
    const remove = h('button', { type: 'button', class: 'note__delete', dataset: { key: `delete-${id}` } },
      h('span', { 'aria-hidden': 'true' }, '✕'))
    const editors = h('p', { class: 'note__editors', 'aria-live': 'off' })
    const el = h('li', { class: 'note', dataset: { noteId: id, focusId: `note-${id}` } },
      h('div', { class: 'note__bar' }, handle, author),
      label, field, editors,
      h('div', { class: 'note__tools' },
        vote,
        h('label', { for: colorId, class: 'visually-hidden' }, t('continuum.color')),
        color, remove))
    /** @type {NoteEntry} */
    const entry = { id, el, field, text: field, label, handle, author, vote, color, remove, editors, binding: null, bound: false, note }
    if (text instanceof Y.Text) {
      entry.binding = new TextBinding(field, text, { origin: this.ctx.origin, onChange: () => autosize(field, 2) })
      entry.bound = true
    }
    field.addEventListener('focus', () => this.ctx.presence.set('editing', `note-${id}`))
    field.addEventListener('blur', () => this.ctx.presence.set('editing', null))
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') handle.focus()
    })
    handle.addEventListener('keydown', (event) => this.keyMove(event, id))
    handle.addEventListener('pointerdown', (event) => this.startDrag(event, entry))
    vote.addEventListener('click', () => this.toggleVote(id))
    color.addEventListener('change', () => this.write(id, (note) => note.set('color', color.value)))
    remove.addEventListener('click', () => this.remove(id))
    return entry
  }

  /**
   * @param {NoteEntry} entry
   * @param {Note} note
   */
  update (entry, note) {
    entry.note = note
    const who = note.author.name || t('presence.anonymous')
    const party = partyLabel(note.author.party)
    const excerpt = note.text.trim().slice(0, 40) || t('continuum.emptyNote')
    entry.author.textContent = ''
    entry.author.append(
      h('span', { class: 'party-dot', style: { background: partyColor(note.author.party) }, 'aria-hidden': 'true' }),
      `${who} · ${party}`)
    entry.label.textContent = t('continuum.noteText', { name: who, party })
    entry.handle.setAttribute('aria-label', t('continuum.moveNote', { text: excerpt, level: levelLabel(note.level) }))
    const mine = note.votes.voters.includes(this.ctx.me.id)
    entry.vote.setAttribute('aria-pressed', String(mine))
    entry.vote.textContent = ''
    entry.vote.append(
      h('span', { class: 'dots', 'aria-hidden': 'true' }, '● '),
      h('span', { class: 'count', 'aria-hidden': 'true' }, String(note.votes.count)),
      h('span', { class: 'visually-hidden' }, t(mine ? 'continuum.unvote' : 'continuum.vote', { count: note.votes.count })))
    entry.remove.setAttribute('aria-label', t('continuum.delete', { text: excerpt }))
    if (entry.color.value !== (note.color || 'yellow')) entry.color.value = note.color || 'yellow'
    entry.el.className = `note note--${note.color || 'yellow'}`
    if (!entry.bound) entry.field.value = note.text
    const lane = this.lanes.get(/** @type {string} */ (note.level))
    const parent = lane ? lane.body : this.orphans
    if (entry.el.parentElement !== parent) this.reparent(entry, parent)
    autosize(entry.field, 2)
  }

  /**
   * Move a note's element to another lane without losing the user's focus or selection.
   * @param {NoteEntry} entry
   * @param {HTMLElement} parent
   */
  reparent (entry, parent) {
    const active = /** @type {HTMLElement | null} */ (document.activeElement)
    const inside = active && entry.el.contains(active)
    const selection = inside && active === entry.field ? [entry.field.selectionStart, entry.field.selectionEnd] : null
    parent.append(entry.el)
    if (inside) {
      active.focus({ preventScroll: true })
      if (selection) entry.field.setSelectionRange(selection[0], selection[1])
    }
  }

  /**
   * Place notes at their x/y; stack the ones without a position; size the lanes to fit. A note
   * that grew (longer text, « ✎ … écrit ») pushes the notes below it down on screen, so none
   * covers another; their stored places do not change.
   */
  layout () {
    let tallest = MIN_LANE_HEIGHT
    for (const { body } of this.lanes.values()) {
      const width = body.clientWidth || NOTE_WIDTH + 20
      let stack = GAP
      /** @type {Array<{el: HTMLElement, x: number, y: number, height: number, order: number}>} */
      const placed = []
      for (const el of /** @type {HTMLCollectionOf<HTMLElement>} */ (body.children)) {
        const entry = this.entries.get(/** @type {string} */ (el.dataset.noteId))
        if (!entry) continue
        const note = entry.note
        const x = Math.max(0, Math.min(note.x ?? GAP, Math.max(0, width - NOTE_WIDTH - 4)))
        const y = Math.max(0, note.y ?? stack)
        const height = el.offsetHeight
        placed.push({ el, x, y, height, order: placed.length })
        stack = Math.max(stack, y + height + GAP)
      }
      placed.sort((a, b) => a.y - b.y || a.order - b.order)
      /** @type {Array<{left: number, bottom: number}>} */
      const above = []
      for (const { el, x, y, height } of placed) {
        let top = y
        for (const other of above) {
          if (Math.abs(other.left - x) < NOTE_WIDTH && top < other.bottom + GAP) top = other.bottom + GAP
        }
        el.style.left = `${x}px`
        el.style.top = `${top}px`
        above.push({ left: x, bottom: top + height })
        tallest = Math.max(tallest, top + height + GAP * 2)
      }
    }
    this.lanesEl.style.setProperty('--lane-height', `${Math.ceil(tallest)}px`)
  }

  renderEditors () {
    let changed = false
    for (const entry of this.entries.values()) {
      const editors = this.ctx.presence.editorsOf(`note-${entry.id}`)
      const text = editors.length ? t('presence.writing', { names: editors.map((u) => u.name).join(', ') }) : ''
      if (entry.editors.textContent === text && entry.editors.hidden === !text) continue
      entry.editors.textContent = text
      entry.editors.hidden = !text
      changed = true
    }
    return changed
  }

  // -- writing --------------------------------------------------------------------------

  /**
   * Change a note in one transaction, if the continuum may be edited.
   * @param {string} id
   * @param {(note: Y.Map<any>) => void} change
   * @param {unknown} [origin]
   */
  write (id, change, origin) {
    const note = this.notes.get(id)
    if (!(note instanceof Y.Map) || !this.ctx.canEdit('continuum')) return
    this.ctx.doc.transact(() => change(note), origin || this.ctx.origin)
  }

  /**
   * The first free height in a lane at or below `wanted`, so notes do not pile up.
   * @param {string} level
   * @param {number} wanted
   * @param {string | null} skipId the note being placed, if it is on the board already
   */
  freeY (level, wanted, skipId) {
    const lane = this.lanes.get(level)
    if (!lane) return wanted
    const height = (this.entries.get(/** @type {string} */ (skipId))?.el.offsetHeight) || 96
    /** @type {Array<[number, number]>} */
    const taken = []
    for (const el of /** @type {HTMLCollectionOf<HTMLElement>} */ (lane.body.children)) {
      if (!el.dataset.noteId || el.dataset.noteId === skipId) continue
      const top = parseFloat(el.style.top) || 0
      taken.push([top, top + el.offsetHeight])
    }
    taken.sort((a, b) => a[0] - b[0])
    let y = Math.max(GAP, wanted)
    for (const [top, bottom] of taken) {
      if (y + height + GAP <= top || y >= bottom + GAP) continue
      y = bottom + GAP
    }
    return y
  }

  /** @param {string} level */
  add (level) {
    if (!this.ctx.canEdit('continuum')) return
    const id = randomId('n-')
    const me = this.ctx.me
    const y = this.freeY(level, GAP, null)
    this.ctx.doc.transact(() => {
      this.notes.set(id, new Y.Map([
        ['text', new Y.Text()],
        ['level', level],
        ['x', GAP],
        ['y', y],
        ['color', 'yellow'],
        ['authorId', me.id],
        ['authorName', me.name],
        ['party', me.party],
        ['createdAt', new Date().toISOString()],
        ['votes', new Y.Map()]
      ]))
    }, this.ctx.origin)
    this.sync()
    const entry = this.entries.get(id)
    if (entry) {
      entry.el.scrollIntoView({ block: 'nearest', inline: 'nearest' })
      entry.field.focus()
    }
    this.ctx.announce(t('continuum.added', { level: levelLabel(level) }))
  }

  /**
   * @param {string} id
   * @param {string | null} level
   * @param {number} x
   * @param {number} y
   */
  moveTo (id, level, x, y) {
    this.write(id, (note) => {
      if (note.get('level') !== level) note.set('level', level)
      note.set('x', Math.round(x))
      note.set('y', Math.round(y))
    })
  }

  /**
   * Arrows, Home and End move the note; Enter or F2 goes to its text.
   * @param {KeyboardEvent} event
   * @param {string} id
   */
  keyMove (event, id) {
    const entry = this.entries.get(id)
    if (!entry || !this.ctx.canEdit('continuum')) return
    const note = entry.note
    const index = this.levels.findIndex((level) => level.id === note.level)
    const step = event.shiftKey ? BIG_STEP : STEP
    const y = parseFloat(entry.el.style.top) || 0
    const x = parseFloat(entry.el.style.left) || GAP
    /** @type {[string | null, number, number] | null} */
    let target = null
    if (event.key === 'ArrowLeft' && index > 0) target = [this.levels[index - 1].id, x, this.freeY(this.levels[index - 1].id, y, id)]
    else if (event.key === 'ArrowRight' && index < this.levels.length - 1) target = [this.levels[index + 1].id, x, this.freeY(this.levels[index + 1].id, y, id)]
    else if (event.key === 'ArrowUp') target = [note.level, x, Math.max(0, y - step)]
    else if (event.key === 'ArrowDown') target = [note.level, x, y + step]
    else if (event.key === 'Home' && index > 0) target = [this.levels[0].id, x, this.freeY(this.levels[0].id, y, id)]
    else if (event.key === 'End' && index < this.levels.length - 1) {
      const last = this.levels[this.levels.length - 1].id
      target = [last, x, this.freeY(last, y, id)]
    } else if (event.key === 'Enter' || event.key === 'F2') {
      event.preventDefault()
      entry.field.focus()
      return
    }
    if (!target) return
    event.preventDefault()
    const [level, nx, ny] = target
    this.moveTo(id, level, nx, ny)
    this.sync()
    if (level !== note.level) this.ctx.announce(t('continuum.moved', { level: levelLabel(level) }))
  }

  /** @param {string} id */
  toggleVote (id) {
    const me = this.ctx.me.id
    this.write(id, (note) => {
      const votes = note.get('votes')
      if (!(votes instanceof Y.Map)) return
      if (votes.get(me) === true) votes.delete(me)
      else votes.set(me, true)
    })
  }

  /**
   * Another party's note is deleted once asked; the toast's undo puts the kept note back.
   * @param {string} id
   */
  async remove (id) {
    if (!this.ctx.canEdit('continuum')) return
    const shown = this.entries.get(id)?.note
    if (shown && othersNote(shown, this.ctx.me) && !(await confirmDelete(shown))) return
    const entry = this.entries.get(id)
    const restore = keepNote(this.notes, id, this.ctx.origin)
    if (!entry || !restore || !this.ctx.canEdit('continuum')) return
    const next = entry.el.nextElementSibling || entry.el.previousElementSibling
    this.ctx.doc.transact(() => this.notes.delete(id), DELETE)
    this.sync()
    const focusAfter = next && /** @type {HTMLElement | null} */ (next.querySelector('.note__handle'))
    ;(focusAfter || this.lanes.get(/** @type {string} */ (entry.note.level))?.add)?.focus()
    this.ctx.toast(t('continuum.deleted'), t('action.undo'), () => {
      if (this.ctx.canEdit('continuum') && restore()) this.sync()
    }, UNDO_DELETE_MS)
  }

  // -- dragging -------------------------------------------------------------------------

  /**
   * @param {PointerEvent} event
   * @param {NoteEntry} entry
   */
  startDrag (event, entry) {
    if (event.button !== 0 || !this.ctx.canEdit('continuum')) return
    event.preventDefault()
    const rect = entry.el.getBoundingClientRect()
    this.drag = { entry, pointerId: event.pointerId, startX: event.clientX, startY: event.clientY, dx: event.clientX - rect.left, dy: event.clientY - rect.top, moved: false }
    const handle = entry.handle
    handle.setPointerCapture(event.pointerId)
    /** @param {PointerEvent} e */
    const move = (e) => this.dragMove(e)
    /** @param {PointerEvent | {type: 'cancel', clientX?: undefined, clientY?: undefined}} e */
    const end = (e) => {
      handle.removeEventListener('pointermove', move)
      handle.removeEventListener('pointerup', end)
      handle.removeEventListener('pointercancel', end)
      window.removeEventListener('keydown', cancel, true)
      this.dragEnd(e, e.type === 'pointerup')
    }
    /** @param {KeyboardEvent} e */
    const cancel = (e) => {
      if (e.key !== 'Escape') return
      e.preventDefault()
      handle.releasePointerCapture(event.pointerId)
      end({ type: 'cancel' })
    }
    handle.addEventListener('pointermove', move)
    handle.addEventListener('pointerup', end)
    handle.addEventListener('pointercancel', end)
    window.addEventListener('keydown', cancel, true)
  }

  /**
   * The lane under (or nearest to) a horizontal position.
   * @param {number} clientX
   */
  laneAt (clientX) {
    /** @type {{level: string, body: HTMLUListElement, rect: DOMRect, distance: number} | null} */
    let best = null
    for (const [level, { body }] of this.lanes) {
      const rect = body.getBoundingClientRect()
      const distance = clientX < rect.left ? rect.left - clientX : clientX > rect.right ? clientX - rect.right : 0
      if (!best || distance < best.distance) best = { level, body, rect, distance }
    }
    return best
  }

  /** @param {PointerEvent} event */
  dragMove (event) {
    const drag = this.drag
    if (!drag) return
    const dx = event.clientX - drag.startX
    const dy = event.clientY - drag.startY
    if (!drag.moved && Math.hypot(dx, dy) < 4) return
    drag.moved = true
    drag.entry.el.classList.add('note--dragging')
    drag.entry.el.style.transform = `translate(${dx}px, ${dy}px)`
    const target = this.laneAt(event.clientX)
    for (const { lane } of this.lanes.values()) lane.classList.toggle('lane--target', /** @type {boolean} */ (target && lane === this.lanes.get(target.level)?.lane))
  }

  /**
   * @param {{clientX?: number, clientY?: number}} event
   * @param {boolean} drop whether the note is let go (not cancelled)
   */
  dragEnd (event, drop) {
    const drag = this.drag
    this.drag = null
    if (!drag) return
    drag.entry.el.classList.remove('note--dragging')
    drag.entry.el.style.transform = ''
    for (const { lane } of this.lanes.values()) lane.classList.remove('lane--target')
    if (!drop || !drag.moved) return
    const { clientX = 0, clientY = 0 } = event
    const target = this.laneAt(clientX)
    if (!target) return
    const x = Math.max(0, Math.min(clientX - drag.dx - target.rect.left, target.rect.width - NOTE_WIDTH - 4))
    const y = Math.max(0, clientY - drag.dy - target.rect.top)
    const from = drag.entry.note.level
    this.moveTo(drag.entry.id, target.level, x, y)
    this.sync()
    if (from !== target.level) this.ctx.announce(t('continuum.moved', { level: levelLabel(target.level) }))
  }

  // -- live cursors -----------------------------------------------------------------------

  /** @param {PointerEvent} event */
  shareCursor (event) {
    const now = performance.now()
    if (this.lastCursor && now - this.lastCursor < 50) return
    this.lastCursor = now
    const target = this.laneAt(event.clientX)
    if (!target) return
    this.ctx.presence.set('cursor', {
      level: target.level,
      x: Math.round(event.clientX - target.rect.left),
      y: Math.round(event.clientY - target.rect.top)
    })
  }

  renderCursors () {
    const seen = new Set()
    for (const state of this.ctx.presence.others()) {
      const cursor = state.cursor
      const lane = cursor && this.lanes.get(cursor.level)
      if (!lane) continue
      seen.add(state.clientId)
      let el = this.cursors.get(state.clientId)
      if (!el) {
        el = h('li', { class: 'cursor', 'aria-hidden': 'true' }, h('span', { class: 'cursor__arrow' }), h('span', { class: 'cursor__name' }))
        this.cursors.set(state.clientId, el)
      }
      el.style.setProperty('--cursor-color', state.user.color || partyColor(state.user.party))
      const name = /** @type {ChildNode} */ (el.lastChild)
      name.textContent = state.user.name || ''
      el.style.left = `${cursor.x}px`
      el.style.top = `${cursor.y}px`
      if (el.parentElement !== lane.body) lane.body.append(el)
    }
    for (const [clientId, el] of this.cursors) {
      if (seen.has(clientId)) continue
      el.remove()
      this.cursors.delete(clientId)
    }
  }
}
