// @ts-check
// Replay: scrub the board's history, play it back, read who did what, jump to snapshots and
// session boundaries. The board shown is the server's projection at that point (read-only).

import { h, byId, clear, formatDate, debounce } from '../lib/dom.js'
import { pageData, t, pick, lang, catalog } from '../lib/page.js'
import { api, errorDetail, showBoardTitle } from '../lib/api.js'
import { boardAccess } from '../lib/store.js'
import { continuumLanes, chainList, agreementList, byline } from '../lib/render.js'
import { conditionsList, supportList } from '../lib/methodlists.js'

const PAGE = 500
const MAX_PAGES = 200
const SPEEDS = [1, 2, 4, 8]

/** @typedef {import('../lib/types.js').BoardModel} BoardModel */
/** @typedef {import('../lib/types.js').LocalText} LocalText */

/**
 * @typedef {object} Entry
 * A step of the board's history.
 * @property {number} seq
 * @property {string | number} at
 * @property {import('../lib/types.js').Author | null} [author]
 * @property {LocalText} [caption]
 * @property {LocalText[]} [captions]
 */

/** @typedef {{kind: string, label: string, seq: number, at: unknown}} Mark */

/** @type {(object: Record<string, unknown> | null | undefined, ...names: string[]) => any} */
const pickField = (object, ...names) => {
  for (const name of names) if (object && object[name] !== undefined && object[name] !== null) return object[name]
  return null
}

/** @param {string} message */
function gate (message) {
  const root = byId('replay-root')
  clear(root)
  root.append(h('p', { class: 'gate', role: 'alert' }, message))
}

/**
 * Scroll `box` (and only it: never the page, so the slider stays where the person uses it)
 * until `el` shows in the part of the box that is on the screen, or in the box when too
 * little of it is.
 * @param {HTMLElement} el
 * @param {HTMLElement | null} box
 */
function showInside (el, box) {
  if (!box || box.scrollHeight <= box.clientHeight) return
  const outer = box.getBoundingClientRect()
  const inner = el.getBoundingClientRect()
  const header = document.querySelector('.topbar')
  const covered = header && getComputedStyle(header).position === 'sticky' ? header.getBoundingClientRect().bottom : 0
  let top = Math.max(outer.top, covered)
  let bottom = Math.min(outer.bottom, window.innerHeight)
  if (bottom - top < inner.height * 2) {
    top = outer.top
    bottom = outer.bottom
  }
  if (inner.top < top) box.scrollTop -= top - inner.top
  else if (inner.bottom > bottom) box.scrollTop += inner.bottom - bottom
}

class Replay {
  constructor () {
    this.boardId = /** @type {string} */ (pageData().boardId)
    this.access = boardAccess(this.boardId)
    this.token = this.access ? this.access.token : ''
    /** @type {Entry[]} */
    this.entries = []
    /** @type {Map<number, any>} */
    this.states = new Map()
    this.index = 0
    this.timer = 0
    this.speed = 1
    this.slider = h('input', { type: 'range', id: 'replay-slider', min: 0, step: 1, 'aria-describedby': 'replay-position' })
    this.position = h('p', { id: 'replay-position', class: 'replay__position', 'aria-live': 'polite' })
    this.playButton = h('button', { type: 'button', class: 'button', id: 'replay-play', onclick: () => this.toggle() }, t('replay.play'))
    this.marks = h('ul', { class: 'marks' })
    this.captions = h('ol', { class: 'captions', id: 'replay-captions' })
    /** @type {HTMLElement | null} the scrolling list of captions */
    this.log = null
    this.board = h('div', { class: 'replay__board', id: 'replay-board', 'aria-live': 'off' })
  }

  async start () {
    if (!this.access) return gate(t('board.noAccess'))
    showBoardTitle(this.boardId, this.token, t('replay.title'))
    try {
      await this.loadHistory()
    } catch (error) {
      return gate(t('replay.failed', { detail: errorDetail(error) }))
    }
    if (!this.entries.length) return gate(t('replay.empty'))
    this.build()
    this.loadMarks()
    this.go(this.entries.length - 1)
  }

  async loadHistory () {
    let from = 0
    for (let page = 0; page < MAX_PAGES; page++) {
      const batch = await api('GET', `/api/boards/${this.boardId}/history?from_seq=${from}&limit=${PAGE}`, { token: this.token })
      const entries = batch.entries || []
      this.entries.push(...entries)
      const next = batch.next_from_seq ?? batch.next_seq
      if (next === null || next === undefined || !entries.length) break
      from = next
    }
    this.entries.sort((a, b) => a.seq - b.seq)
  }

  build () {
    const root = byId('replay-root')
    clear(root)
    const max = this.entries.length - 1
    this.slider.max = String(max)
    this.slider.value = String(max)
    const speed = h('select', { id: 'replay-speed', onchange: () => { this.speed = Number(speed.value); if (this.timer) { this.pause(); this.play() } } },
      SPEEDS.map((s) => h('option', { value: s }, `×${s}`)))
    /** @param {number} delta */
    const step = (delta) => () => this.go(this.index + delta)
    const fetchLater = debounce(() => this.show(), 120)
    this.slider.addEventListener('input', () => {
      this.index = Number(this.slider.value)
      this.describe()
      fetchLater()
    })
    root.append(
      h('div', { class: 'replay__controls card' },
        h('label', { for: 'replay-slider', class: 'replay__label' }, t('replay.slider')),
        this.slider, this.position,
        h('div', { class: 'row' },
          h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.go(0) }, t('replay.first')),
          h('button', { type: 'button', class: 'button button--quiet', onclick: step(-1) }, t('replay.previous')),
          this.playButton,
          h('button', { type: 'button', class: 'button button--quiet', onclick: step(1) }, t('replay.next')),
          h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.go(this.entries.length - 1) }, t('replay.last')),
          h('label', { for: 'replay-speed' }, t('replay.speed')), speed),
        h('h2', { class: 'h3' }, t('replay.marks')), this.marks),
      h('div', { class: 'replay__main' },
        h('section', { class: 'replay__state', 'aria-labelledby': 'replay-state-title' },
          h('h2', { id: 'replay-state-title' }, t('replay.state')), this.board),
        this.log = h('section', { class: 'replay__log', 'aria-labelledby': 'replay-log-title' },
          h('h2', { id: 'replay-log-title' }, t('replay.log')), this.captions)))
    this.entries.forEach((entry, index) => {
      const captions = (entry.captions && entry.captions.length ? entry.captions : [entry.caption]).filter(Boolean).map((c) => pick(c)).join(' ; ') || t('replay.noCaption')
      this.captions.append(h('li', { dataset: { index } },
        h('button', { type: 'button', class: 'caption', onclick: () => this.go(index) },
          h('span', { class: 'caption__time' }, formatDate(entry.at, lang())),
          h('span', { class: 'caption__who' }, entry.author ? byline(entry.author) : t('replay.server')),
          h('span', { class: 'caption__text' }, captions))))
    })
  }

  async loadMarks () {
    /** @type {Mark[]} */
    const marks = []
    /** @type {(kind: string, label: string, seq: unknown, at: unknown) => void} */
    const add = (kind, label, seq, at) => { if (typeof seq === 'number') marks.push({ kind, label, seq, at }) }
    try {
      const snapshots = await api('GET', `/api/boards/${this.boardId}/snapshots`, { token: this.token })
      for (const s of Array.isArray(snapshots) ? snapshots : snapshots.snapshots || []) {
        if (s.kind === 'session_start' || s.kind === 'session_end') continue
        add('snapshot', s.label || t('archive.snapshotNumber', { number: s.number ?? '' }), pickField(s, 'seq', 'log_seq', 'position'), pickField(s, 'taken_at', 'created_at', 'at'))
      }
    } catch {
      // the marks only help to navigate: the history replays without them
    }
    try {
      const sessions = await api('GET', `/api/boards/${this.boardId}/sessions`, { token: this.token })
      for (const s of Array.isArray(sessions) ? sessions : sessions.sessions || []) {
        /** @type {(kind: string) => {seq?: number}} */
        const boundary = (kind) => (s.snapshots || []).find((/** @type {{kind?: string}} */ snap) => snap.kind === kind) || {}
        add('start', t('replay.sessionStart', { title: s.title || '' }), pickField(s, 'start_seq') ?? boundary('session_start').seq, pickField(s, 'started_at', 'start'))
        add('end', t('replay.sessionEnd', { title: s.title || '' }), pickField(s, 'end_seq') ?? boundary('session_end').seq, pickField(s, 'ended_at', 'end'))
      }
    } catch {
      // the marks only help to navigate: the history replays without them
    }
    marks.sort((a, b) => a.seq - b.seq)
    clear(this.marks)
    if (!marks.length) this.marks.append(h('li', { class: 'muted' }, t('replay.noMarks')))
    for (const mark of marks) {
      this.marks.append(h('li', {}, h('button', {
        type: 'button',
        class: `button button--small button--quiet mark mark--${mark.kind}`,
        onclick: () => this.goToSeq(mark.seq)
      }, `${mark.label}${mark.at ? ` — ${formatDate(mark.at, lang())}` : ''}`)))
    }
  }

  /** @param {number} seq */
  goToSeq (seq) {
    let index = 0
    this.entries.forEach((entry, i) => { if (entry.seq <= seq) index = i })
    this.go(index)
  }

  /** @param {number} index */
  go (index) {
    this.index = Math.max(0, Math.min(this.entries.length - 1, index))
    this.slider.value = String(this.index)
    this.describe()
    this.show()
  }

  describe () {
    const entry = this.entries[this.index]
    this.position.textContent = t('replay.position', {
      step: this.index + 1,
      total: this.entries.length,
      date: formatDate(entry.at, lang()),
      who: (entry.author && entry.author.name) || t('replay.server')
    })
    for (const li of /** @type {HTMLCollectionOf<HTMLElement>} */ (this.captions.children)) {
      const on = Number(li.dataset.index) === this.index
      if (on) li.setAttribute('aria-current', 'step')
      else li.removeAttribute('aria-current')
    }
    const current = /** @type {HTMLElement | null} */ (this.captions.querySelector('[aria-current]'))
    if (current) showInside(current, this.log)
  }

  async show () {
    const entry = this.entries[this.index]
    const seq = entry.seq
    let state = this.states.get(seq)
    if (!state) {
      try {
        state = await api('GET', `/api/boards/${this.boardId}/state?seq=${seq}`, { token: this.token })
      } catch (error) {
        clear(this.board)
        this.board.append(h('p', { class: 'error' }, t('replay.failed', { detail: errorDetail(error) })))
        return
      }
      this.states.set(seq, state)
    }
    if (this.entries[this.index].seq !== seq) return
    this.render(state.projection || state)
  }

  /** @param {BoardModel} model the server's projection at that step */
  render (model) {
    clear(this.board)
    const parts = (model.meta && model.meta.parts) || ['continuum', 'chain', 'agreement']
    this.board.dataset.seq = String(this.entries[this.index].seq)
    if (parts.includes('continuum')) this.board.append(h('h3', {}, pick(catalog().continuum.label)), h('div', { class: 'lanes-scroll' }, continuumLanes(model)))
    if (parts.includes('chain')) this.board.append(h('h3', {}, pick(catalog().chain.label)), h('div', { class: 'static-chain' }, chainList(model)))
    if (parts.includes('agreement')) this.board.append(h('h3', {}, pick(catalog().agreement.label)), h('div', { class: 'static-agreement' }, agreementList(model)))
    if (model.conditions) this.board.append(h('h3', {}, pick(catalog().method.conditions.label)), h('div', { class: 'static-agreement' }, conditionsList(model.conditions)))
    if (model.support) this.board.append(h('h3', {}, pick(catalog().method.support.label)), h('div', { class: 'static-agreement' }, supportList(model.support)))
  }

  toggle () {
    if (this.timer) this.pause()
    else this.play()
  }

  play () {
    if (this.index >= this.entries.length - 1) this.go(0)
    this.playButton.textContent = t('replay.pause')
    this.timer = setInterval(() => {
      if (this.index >= this.entries.length - 1) return this.pause()
      this.go(this.index + 1)
    }, 1000 / this.speed)
  }

  pause () {
    clearInterval(this.timer)
    this.timer = 0
    this.playButton.textContent = t('replay.play')
  }
}

new Replay().start()
