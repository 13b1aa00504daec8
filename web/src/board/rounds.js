// @ts-check
// Private rounds: each person answers alone, then every answer appears at once. The answers
// are held by the server until the reveal, so this module learns about an open round from the
// API (polled, and refreshed at once on the server's `round` notice, which carries no answer)
// and sends one's answer to the API, never into the shared document.

import { h, clear } from '../lib/dom.js'
import { t, pick, catalog, levelLabel, partyLabel } from '../lib/page.js'
import { errorDetail } from '../lib/api.js'
import { VoteMode } from './votemode.js'

/**
 * @typedef {object} Round
 * A round as GET /api/boards/{id}/rounds gives it.
 * @property {string} id
 * @property {string} kind position, assessment or notes
 * @property {string} title
 * @property {string | null} zone
 * @property {string} state open or revealed
 * @property {Array<{name: string, party: string | null}>} answered
 * @property {Array<{name: string, party: string | null, at: string, content: Record<string, any>}>} [answers]
 * @property {Record<string, any> | null} agreed
 */

const POLL_MS = 5000
const MAX_NOTES = 3

/** @type {Map<string, RoundsFeed>} */
const feeds = new Map()

/** The board's rounds, fetched from the API and shared by the bar, the tab and the panel. */
export class RoundsFeed {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    /** @type {Round[]} */
    this.rounds = []
    /** @type {Set<(rounds: Round[]) => void>} */
    this.listeners = new Set()
    /** @type {number | undefined} */
    this.timer = undefined
    /** the last answer, as text */
    this.seen = ''
  }

  /** @param {(rounds: Round[]) => void} fn */
  on (fn) {
    this.listeners.add(fn)
    fn(this.rounds)
  }

  start () {
    if (this.timer !== undefined) return
    this.refresh()
    this.timer = window.setInterval(() => this.refresh(), POLL_MS)
  }

  async refresh () {
    let text
    try {
      const body = await this.ctx.api('GET', `/api/boards/${encodeURIComponent(this.ctx.boardId)}/rounds`)
      text = JSON.stringify(body.rounds)
    } catch {
      return // offline or refused: the next poll tries again
    }
    if (text === this.seen) return // nothing new: leave what people are typing alone
    this.seen = text
    this.rounds = JSON.parse(text)
    for (const fn of this.listeners) fn(this.rounds)
  }

  /** @returns {Round | null} */
  get open () {
    return this.rounds.find((round) => round.state === 'open') || null
  }
}

/**
 * The one feed of a board page.
 * @param {import('../lib/types.js').BoardContext} ctx
 */
export function feedFor (ctx) {
  let feed = feeds.get(ctx.boardId)
  if (!feed) {
    feed = new RoundsFeed(ctx)
    feeds.set(ctx.boardId, feed)
  }
  feed.start()
  return feed
}

/** The server said a round changed (opened, answered, revealed, agreed): ask again now. */
export function roundNotice (/** @type {string} */ boardId) {
  feeds.get(boardId)?.refresh()
}

/** @param {Round} round */
export function roundTitle (round) {
  return round.title || t(round.kind === 'vote' ? 'votes.question' : `rounds.question.${round.kind}`)
}

/** @param {import('../lib/types.js').Me} me */
function answers (me) {
  return me.role === 'participant' && Boolean(me.party)
}

/**
 * The line above the tabs: an open round and how to answer it, and the position the group
 * last agreed on.
 */
export class RoundsBar {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.feed = feedFor(ctx)
    this.element = h('div', { class: 'rounds-bar', id: 'rounds-bar', role: 'region', 'aria-label': t('rounds.bar') })
    this.dialog = new AnswerDialog(ctx, () => this.feed.refresh())
    this.votes = new VoteMode(ctx, this.feed) // a vote is answered on the continuum's notes
    /** @type {string | null} the round this page already offered to answer */
    this.offered = null
    this.feed.on(() => this.render())
  }

  render () {
    clear(this.element)
    const open = this.feed.open
    const me = this.ctx.me
    if (open) {
      const done = open.answered.some((a) => a.name === me.name && a.party === me.party)
      const line = h('p', { class: 'rounds-bar__open' }, t('rounds.openNow', { title: roundTitle(open) }), ' — ',
        t('rounds.answeredCount', { count: open.answered.length }))
      this.element.append(line)
      if (open.kind === 'vote') {
        if (this.ctx.hasView('continuum')) {
          this.element.append(h('button', { type: 'button', class: 'button button--small', id: 'round-vote-go', onclick: () => this.ctx.select('continuum') }, t('votes.region')))
        }
      } else if (answers(me)) {
        this.element.append(h('button', {
          type: 'button',
          class: 'button button--small',
          id: 'round-answer-open',
          onclick: () => this.dialog.show(open)
        }, done ? t('rounds.change') : t('rounds.answer')))
        if (!done && this.offered !== open.id) {
          this.offered = open.id
          this.dialog.show(open)
        }
      }
    }
    const agreed = latestPosition(this.feed.rounds)
    if (agreed) {
      const target = agreed.target ? ` → ${levelLabel(agreed.target)}` : ''
      this.element.append(h('p', { class: 'rounds-bar__agreed', id: 'agreed-position' },
        t('rounds.agreedPosition', { level: levelLabel(agreed.level) + target })))
    }
    this.element.hidden = !this.element.firstChild
  }
}

/**
 * The level (and target) last agreed in a position round.
 * @param {Round[]} rounds
 * @returns {{level: string, target?: string} | null}
 */
export function latestPosition (rounds) {
  const agreed = rounds.filter((r) => r.kind === 'position' && r.agreed && r.agreed.level)
  agreed.sort((a, b) => String(a.agreed?.at).localeCompare(String(b.agreed?.at)))
  const last = agreed[agreed.length - 1]
  return last && last.agreed ? { level: last.agreed.level, target: last.agreed.target || undefined } : null
}

/** The focused view in which one answers alone. */
export class AnswerDialog {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {() => void} answered
   */
  constructor (ctx, answered) {
    this.ctx = ctx
    this.answered = answered
    this.status = h('p', { class: 'round-status', role: 'status' })
    this.form = h('form', { class: 'stack', onsubmit: (/** @type {SubmitEvent} */ e) => this.submit(e) })
    this.element = h('dialog', { class: 'round-dialog', id: 'round-dialog', 'aria-labelledby': 'round-dialog-title' })
    document.body.append(this.element)
    /** @type {Round | null} */
    this.round = null
  }

  /** @param {Round} round */
  async show (round) {
    this.round = round
    clear(this.element)
    clear(this.form)
    this.status.textContent = ''
    this.form.append(...fieldsFor(round), h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'button', id: 'round-submit' }, t('rounds.send')),
      h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.element.close() }, t('rounds.later'))))
    this.element.append(
      h('h2', { id: 'round-dialog-title' }, roundTitle(round)),
      h('p', { class: 'round-dialog__private' }, t('rounds.private')),
      this.form, this.status)
    if (!this.element.open) this.element.showModal()
    await this.prefill(round)
  }

  /** One's earlier answer, to change it. @param {Round} round */
  async prefill (round) {
    const name = encodeURIComponent(this.ctx.me.name)
    let mine
    try {
      mine = await this.ctx.api('GET', `/api/rounds/${round.id}/answers/mine?name=${name}`)
    } catch {
      return // no answer yet
    }
    const content = mine.content || {}
    const set = (/** @type {string} */ id, /** @type {unknown} */ value) => {
      const control = /** @type {HTMLInputElement | null} */ (this.form.querySelector(`#${id}`))
      if (control && value !== undefined && value !== null) control.value = String(value)
    }
    if (round.kind === 'position') {
      const radio = /** @type {HTMLInputElement | null} */ (this.form.querySelector(`input[name=round-level][value="${content.level}"]`))
      if (radio) radio.checked = true
      set('round-target', content.target)
      set('round-comment', content.comment)
    } else if (round.kind === 'assessment') {
      for (const [item, score] of Object.entries(content.scores || {})) set(`round-score-${item}`, score)
    } else {
      ;(content.notes || []).forEach((/** @type {{text: string, level: string}} */ n, /** @type {number} */ i) => {
        set(`round-note-${i}`, n.text)
        set(`round-note-level-${i}`, n.level)
      })
    }
  }

  /** @param {SubmitEvent} event */
  async submit (event) {
    event.preventDefault()
    const round = this.round
    if (!round) return
    const body = { name: this.ctx.me.name, ...readAnswer(round, this.form) }
    try {
      await this.ctx.api('PUT', `/api/rounds/${round.id}/answers/mine`, body)
    } catch (error) {
      this.status.dataset.kind = 'error'
      this.status.textContent = t('rounds.failed', { detail: errorDetail(error) })
      return
    }
    this.element.close()
    this.ctx.announce(t('rounds.saved'))
    this.answered()
  }
}

/** @param {string} value @param {string} label */
const option = (value, label) => h('option', { value }, label)

/** The level select of a note or a target. @param {string} id @param {string} blank */
function levelSelect (id, blank) {
  return h('select', { id }, option('', blank), ...catalog().continuum.levels.map((l) => option(l.id, pick(l.label))))
}

/** @param {Round} round */
function fieldsFor (round) {
  if (round.kind === 'position') {
    const levels = catalog().continuum.levels.map((l) => h('label', { class: 'round-choice' },
      h('input', { type: 'radio', name: 'round-level', value: l.id, required: true }), ' ', pick(l.label)))
    return [
      h('fieldset', { class: 'field' }, h('legend', {}, t('rounds.levelToday')), ...levels),
      h('div', { class: 'field' }, h('label', { for: 'round-target' }, t('rounds.target')), levelSelect('round-target', t('rounds.noTarget'))),
      h('div', { class: 'field' }, h('label', { for: 'round-comment' }, t('rounds.comment')), h('textarea', { id: 'round-comment', maxlength: 1000, rows: 3 }))
    ]
  }
  if (round.kind === 'assessment') {
    const method = catalog().method
    return method.criteria.map((c) => h('div', { class: 'field' },
      h('label', { for: `round-score-${c.id}` }, pick(c.label)),
      h('select', { id: `round-score-${c.id}`, 'aria-describedby': `round-hint-${c.id}` }, option('', t('rounds.noScore')),
        ...method.scores.map((s) => option(String(s.value), `${s.value} — ${pick(s.label)}`))),
      h('p', { class: 'hint', id: `round-hint-${c.id}` }, pick(c.description))))
  }
  const notes = []
  for (let i = 0; i < MAX_NOTES; i++) {
    const level = levelSelect(`round-note-level-${i}`, round.zone ? levelLabel(round.zone) : t('rounds.pickLevel'))
    notes.push(h('div', { class: 'field' },
      h('label', { for: `round-note-${i}` }, t('rounds.note', { n: i + 1 })),
      h('textarea', { id: `round-note-${i}`, maxlength: 300, rows: 2 }),
      h('label', { for: `round-note-level-${i}` }, t('rounds.noteLevel', { n: i + 1 })), level))
  }
  return notes
}

/**
 * The body of an answer from the dialog's form.
 * @param {Round} round
 * @param {HTMLFormElement} form
 * @returns {Record<string, unknown>}
 */
function readAnswer (round, form) {
  const value = (/** @type {string} */ id) => /** @type {HTMLInputElement | null} */ (form.querySelector(`#${id}`))?.value.trim() || ''
  if (round.kind === 'position') {
    const level = /** @type {HTMLInputElement | null} */ (form.querySelector('input[name=round-level]:checked'))
    return { level: level ? level.value : '', target: value('round-target') || null, comment: value('round-comment') || null }
  }
  if (round.kind === 'assessment') {
    /** @type {Record<string, number>} */
    const scores = {}
    for (const c of catalog().method.criteria) if (value(`round-score-${c.id}`)) scores[c.id] = Number(value(`round-score-${c.id}`))
    return { scores }
  }
  const notes = []
  for (let i = 0; i < MAX_NOTES; i++) {
    const text = value(`round-note-${i}`)
    if (text) notes.push({ text, level: value(`round-note-level-${i}`) || null })
  }
  return { notes }
}

/** "Marie (État)". @param {{name: string | null, party: string | null}} who */
export function personLabel (who) {
  return who.party ? `${who.name || '?'} (${partyLabel(who.party)})` : who.name || '?'
}
