// @ts-check
// The vote mode of the continuum: while a vote round is open, each of its notes gets a
// « − n + » control and the panel says how many votes one has left; once revealed, the ranked
// results and each note's count. One's votes go to the rounds API (held by the server until
// the reveal when the vote is secret), never into the shared document.

import { h, clear } from '../lib/dom.js'
import { t } from '../lib/page.js'
import { errorDetail } from '../lib/api.js'

/** @typedef {import('./rounds.js').Round & {budget?: number, secret?: boolean, notes?: string[], totals?: Array<{note: string, votes: number}>, results?: Array<{note: string, text?: string, votes: number}>}} VoteRound */

/**
 * @typedef {object} Ballot
 * @property {HTMLElement} el
 * @property {HTMLButtonElement} minus
 * @property {HTMLButtonElement} plus
 * @property {HTMLElement} mine
 * @property {HTMLElement} total
 */

/** The vote mode, placed at the top of the continuum's panel. */
export class VoteMode {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {{rounds: import('./rounds.js').Round[], on: (fn: (rounds: any[]) => void) => void, refresh: () => Promise<void>}} feed
   */
  constructor (ctx, feed) {
    this.ctx = ctx
    this.feed = feed
    this.element = h('section', { class: 'vote-mode card', id: 'vote-mode', role: 'region', 'aria-labelledby': 'vote-mode-title', hidden: true })
    this.status = h('p', { class: 'round-status', role: 'status' })
    /** @type {Record<string, number>} one's votes in the open vote */
    this.mine = {}
    /** @type {string | null} the open vote whose answer was loaded */
    this.loaded = null
    /** @type {Map<string, Ballot>} */
    this.ballots = new Map()
    /** @type {Promise<void>} saves one after the other */
    this.saving = Promise.resolve()
    this.pending = 0
    this.element.dataset.pending = '0'
    this.scheduled = false
    this.observer = new MutationObserver(() => this.schedule())
    feed.on(() => this.update())
    ctx.roots.notes.observeDeep(() => this.schedule())
  }

  /** @returns {{round: VoteRound, open: boolean} | null} */
  current () {
    const rounds = /** @type {VoteRound[]} */ (this.feed.rounds)
    const open = rounds.find((r) => r.state === 'open')
    if (open) return open.kind === 'vote' ? { round: open, open: true } : null
    const revealed = rounds.filter((r) => r.kind === 'vote' && r.state === 'revealed').pop()
    return revealed ? { round: revealed, open: false } : null
  }

  get voter () {
    return this.ctx.me.role === 'participant' && Boolean(this.ctx.me.party)
  }

  async update () {
    const shown = this.current()
    if (shown && shown.open && this.voter && this.loaded !== shown.round.id) {
      this.loaded = shown.round.id
      this.mine = await this.myVotes(shown.round.id)
    }
    this.render()
  }

  /** @param {string} roundId @returns {Promise<Record<string, number>>} */
  async myVotes (roundId) {
    try {
      const name = encodeURIComponent(this.ctx.me.name)
      const mine = await this.ctx.api('GET', `/api/rounds/${roundId}/answers/mine?name=${name}`)
      return { ...(mine.content?.votes || {}) }
    } catch {
      return {} // not voted yet
    }
  }

  schedule () {
    if (this.scheduled) return
    this.scheduled = true
    window.requestAnimationFrame(() => {
      this.scheduled = false
      this.render()
    })
  }

  /** @param {string} id */
  noteText (id) {
    const note = this.ctx.roots.notes.get(id)
    const text = note && typeof note.get === 'function' ? String(note.get('text') || '').trim() : ''
    return text || t('votes.untitledNote')
  }

  /** @param {VoteRound} round */
  left (round) {
    return (round.budget || 0) - Object.values(this.mine).reduce((sum, n) => sum + n, 0)
  }

  place () {
    const panel = document.getElementById('panel-continuum')
    if (!panel) return null
    if (this.element.parentNode !== panel) {
      panel.insertBefore(this.element, panel.children[1] || null)
      this.observer.observe(panel, { childList: true, subtree: true })
    }
    return panel
  }

  render () {
    const panel = this.place()
    const shown = this.current()
    this.element.hidden = !shown
    if (!panel) return
    if (!shown) {
      this.undecorate()
      return
    }
    this.summary(shown.round, shown.open)
    this.decorate(panel, shown.round, shown.open)
  }

  /** @param {VoteRound} round @param {boolean} open */
  summary (round, open) {
    const title = round.title || t('votes.question')
    const key = `${round.id}:${open}:${this.left(round)}:${JSON.stringify(round.results || [])}:${this.ctx.me.role}`
    if (this.element.dataset.shown === key) return
    this.element.dataset.shown = key
    this.element.dataset.round = round.id
    this.element.dataset.state = open ? 'open' : 'revealed'
    clear(this.element)
    if (open) {
      this.element.append(h('h2', { id: 'vote-mode-title' }, t('votes.open', { title })))
      if (this.voter) {
        this.element.append(h('p', { id: 'vote-left', class: 'vote-mode__left', 'aria-live': 'polite' },
          t('votes.left', { count: this.left(round), budget: round.budget || 0 })))
      } else {
        this.element.append(h('p', {}, t('votes.watching')))
      }
      this.element.append(h('p', { class: 'vote-mode__privacy', id: 'vote-privacy' }, round.secret ? t('votes.secretNote') : t('votes.openNote')))
      if (this.voter) this.element.append(h('p', { class: 'hint' }, t('votes.howTo')))
      this.element.append(this.status)
      return
    }
    this.element.append(h('h2', { id: 'vote-mode-title' }, t('votes.results', { title })),
      h('ol', { class: 'vote-results', id: 'vote-results' }, (round.results || []).map((r) => h('li', { dataset: { note: r.note } },
        t('votes.resultLine', { text: r.text || this.noteText(r.note), count: r.votes })))))
  }

  undecorate () {
    for (const ballot of this.ballots.values()) ballot.el.remove()
    this.ballots.clear()
  }

  /** @param {HTMLElement} panel @param {VoteRound} round @param {boolean} open */
  decorate (panel, round, open) {
    const ids = new Set(open ? round.notes || [] : (round.results || []).map((r) => r.note))
    const totals = new Map((open ? round.totals || [] : round.results || []).map((r) => [r.note, r.votes]))
    for (const [id, ballot] of this.ballots) {
      if (!ids.has(id) || !ballot.el.isConnected) {
        ballot.el.remove()
        this.ballots.delete(id)
      }
    }
    for (const id of ids) {
      const tools = panel.querySelector(`li.note[data-note-id="${CSS.escape(id)}"] .note__tools`)
      if (!tools) continue
      let ballot = this.ballots.get(id)
      if (!ballot || ballot.el.parentNode !== tools) {
        ballot?.el.remove()
        ballot = this.ballot(id, round)
        this.ballots.set(id, ballot)
        tools.prepend(ballot.el)
      }
      this.refreshBallot(ballot, id, round, open, totals.get(id))
    }
  }

  /** @param {string} id @param {VoteRound} round @returns {Ballot} */
  ballot (id, round) {
    const minus = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'vote-ballot__step', dataset: { voteTake: id }, onclick: () => this.change(id, -1) }, '−'))
    const plus = /** @type {HTMLButtonElement} */ (h('button', { type: 'button', class: 'vote-ballot__step', dataset: { voteGive: id }, onclick: () => this.change(id, 1) }, '+'))
    const mine = h('span', { class: 'vote-ballot__mine' })
    const total = h('span', { class: 'vote-ballot__total' })
    const el = h('span', { class: 'vote-ballot', role: 'group', dataset: { ballot: id, round: round.id } }, minus, mine, plus, total)
    return { el, minus, plus, mine, total }
  }

  /**
   * @param {Ballot} ballot @param {string} id @param {VoteRound} round @param {boolean} open
   * @param {number | undefined} total
   */
  refreshBallot (ballot, id, round, open, total) {
    const text = this.noteText(id)
    const voting = open && this.voter
    ballot.minus.hidden = !voting
    ballot.plus.hidden = !voting
    ballot.mine.hidden = !voting
    if (voting) {
      const count = this.mine[id] || 0
      setText(ballot.mine, String(count))
      ballot.el.setAttribute('aria-label', t('votes.mine', { text }))
      ballot.minus.setAttribute('aria-label', t('votes.take', { text }))
      ballot.plus.setAttribute('aria-label', t('votes.give', { text }))
      ballot.minus.disabled = count <= 0
      ballot.plus.disabled = this.left(round) <= 0
    } else {
      ballot.el.setAttribute('aria-label', t('votes.results', { title: text }))
    }
    ballot.total.hidden = total === undefined
    const shownTotal = total === undefined ? '' : open ? t('votes.total', { count: total }) : t('votes.count', { count: total })
    setText(ballot.total, shownTotal)
  }

  /** @param {string} id @param {number} step */
  change (id, step) {
    const shown = this.current()
    if (!shown || !shown.open) return
    const round = shown.round
    const count = (this.mine[id] || 0) + step
    if (count < 0 || (step > 0 && this.left(round) <= 0)) return
    const before = { ...this.mine }
    this.mine = { ...this.mine, [id]: count }
    if (!count) delete this.mine[id]
    this.render()
    const body = { name: this.ctx.me.name, votes: { ...this.mine } }
    this.element.dataset.pending = String(++this.pending)
    this.saving = this.saving.then(async () => {
      try {
        await this.ctx.api('PUT', `/api/rounds/${round.id}/answers/mine`, body)
        this.status.textContent = ''
        this.ctx.announce(t('votes.saved', { count: this.left(round) }))
      } catch (error) {
        this.mine = before
        this.status.dataset.kind = 'error'
        this.status.textContent = t('votes.failed', { detail: errorDetail(error) })
        this.element.dataset.shown = ''
        this.render()
        this.status.textContent = t('votes.failed', { detail: errorDetail(error) })
      }
      this.element.dataset.pending = String(--this.pending)
    })
  }
}

/** @param {HTMLElement} el @param {string} text */
function setText (el, text) {
  if (el.textContent !== text) el.textContent = text
}
