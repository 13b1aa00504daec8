// @ts-check
// « Qui est là », the facilitator's view of the room: each person's party, connection, tab and
// whether they have been idle; who present has not contributed since the session started (from
// the board's log, GET /contributions); and « Amener tout le monde ici », the summon every
// participant's page follows (summon.js).

import { h, clear, debounce, formatDate } from '../lib/dom.js'
import { t, lang, partyLabel, roleLabel } from '../lib/page.js'
import { partyColor } from '../lib/render.js'
import { idleThresholdMs } from './summon.js'

/** @typedef {import('./presence.js').Other} Other */
/** @typedef {import('./presence.js').PresenceUser} PresenceUser */

/**
 * @typedef {object} Seen
 * One person (one browser) seen on the board since this page opened.
 * @property {PresenceUser} user
 * @property {Other | null} state their freshest connection's state, null once gone
 * @property {number} clientId
 * @property {number | null} goneAt when their last connection left (ms)
 */

/** A state not renewed for this long (the client renews every 15 s) looks like a lost line. */
const STALE_MS = 22_000
/** The contributions are fetched again at most this often while the card shows. */
const REFETCH_MS = 10_000
const CLOCK_MS = 2_000


/**
 * The tab a person is on, in words.
 * @param {string | null | undefined} view
 */
function tabName (view) {
  if (!view) return t('room.noTab')
  return document.getElementById(`tab-${view}`)?.textContent || view
}

export class RoomCard {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.idleMs = idleThresholdMs()
    /** @type {Map<string, Seen>} */
    this.seen = new Map()
    /** @type {Map<string, number> | null} "invite name" -> acts since the session started */
    this.acts = null
    /** @type {string | null} when the open session started (ISO), null without one */
    this.since = null
    this.fetchedAt = 0
    /** the last tab the facilitator looked at, other than this panel */
    this.lastView = ''
    /** the lastView already put in the tab list */
    this.shownLastView = ''
    this.list = h('ul', { class: 'room-list', id: 'room-list' })
    this.silent = h('ul', { class: 'room-silent', id: 'room-silent' })
    this.silentNote = h('p', { class: 'hint', id: 'room-silent-note' })
    this.tabSelect = h('select', { id: 'room-tab' })
    this.status = h('p', { class: 'hint', role: 'status', id: 'room-status' })
    this.fetchSoon = debounce(() => this.fetchActs(), 1500)
  }

  card () {
    const summon = h('button', { type: 'button', class: 'button', id: 'room-summon', onclick: () => this.summon() }, t('room.summon'))
    const el = h('section', { class: 'card card--room', 'aria-labelledby': 'fac-room' },
      h('h3', { id: 'fac-room' }, t('room.title')),
      this.list,
      h('h4', { id: 'room-silent-title' }, t('room.silentTitle')),
      this.silentNote, this.silent,
      h('div', { class: 'field' }, h('label', { for: 'room-tab' }, t('room.summonTab')), this.tabSelect),
      h('p', { class: 'row' }, summon),
      h('p', { class: 'hint' }, t('room.summonHint')),
      this.status)
    this.el = el
    this.ctx.presence.onChange(() => this.changed())
    this.ctx.doc.on('update', () => { if (this.visible()) this.fetchSoon() })
    setInterval(() => this.tick(), CLOCK_MS)
    this.changed()
    return el
  }

  visible () {
    return Boolean(this.el && this.el.offsetParent !== null)
  }

  tick () {
    if (!this.visible()) return
    if (Date.now() - this.fetchedAt > REFETCH_MS) this.fetchActs()
    this.render()
  }

  /** The room changed: remember who came and went, then redraw. */
  changed () {
    const now = Date.now()
    /** @type {Map<string, Other>} */
    const freshest = new Map()
    for (const other of this.ctx.presence.others()) {
      const key = other.user.id || `client-${other.clientId}`
      const kept = freshest.get(key)
      if (!kept || (other.lastActive || 0) > (kept.lastActive || 0)) freshest.set(key, other)
    }
    for (const [key, state] of freshest) this.seen.set(key, { user: state.user, state, clientId: state.clientId, goneAt: null })
    for (const [key, entry] of this.seen) {
      if (!freshest.has(key) && entry.state) this.seen.set(key, { ...entry, state: null, goneAt: now })
    }
    const view = this.ctx.presence.awareness.getLocalState()?.focus?.view
    if (typeof view === 'string' && view !== 'facilitator') this.lastView = view
    this.render()
  }

  /** @param {Seen} entry */
  connection (entry) {
    if (!entry.state) return 'gone'
    const meta = this.ctx.presence.awareness.meta.get(entry.clientId)
    return meta && Date.now() - meta.lastUpdated > STALE_MS ? 'reconnecting' : 'connected'
  }

  /** @param {Seen} entry */
  idleFor (entry) {
    const last = entry.state?.lastActive
    if (!entry.state || typeof last !== 'number') return 0
    const quiet = Date.now() - Math.min(last, Date.now())
    return quiet >= this.idleMs ? quiet : 0
  }

  render () {
    if (!this.el) return
    if (this.acts === null && !this.fetchedAt && this.visible()) this.fetchActs()
    const people = Array.from(this.seen.values()).sort((a, b) => String(a.user.name).localeCompare(String(b.user.name)))
    clear(this.list)
    if (!people.length) this.list.append(h('li', { class: 'muted' }, t('room.nobody')))
    for (const entry of people) this.list.append(this.row(entry))
    this.renderSilent(people)
    this.renderTabs()
  }

  /** @param {Seen} entry */
  row (entry) {
    const user = entry.user
    const state = this.connection(entry)
    const idle = this.idleFor(entry)
    const facts = [
      user.role === 'participant' ? partyLabel(user.party) : `${roleLabel(user.role)}${user.party ? `, ${partyLabel(user.party)}` : ''}`,
      state === 'gone' ? t('room.gone', { time: formatDate(new Date(entry.goneAt || Date.now()).toISOString(), lang()) }) : t(`room.${state}`)
    ]
    if (state !== 'gone') facts.push(idle ? t('room.idle', { minutes: Math.max(1, Math.floor(idle / 60_000)) }) : t('room.active'))
    if (state !== 'gone') facts.push(t('room.onTab', { tab: tabName(entry.state?.focus?.view) }))
    return h('li', {
      class: `room-person room-person--${state}${idle ? ' room-person--idle' : ''}`,
      dataset: { person: user.name || '', state, idle: String(Boolean(idle)), tab: entry.state?.focus?.view || '' }
    },
    h('span', { class: 'party-dot', style: { background: partyColor(user.party) }, 'aria-hidden': 'true' }),
    h('strong', {}, user.name || t('presence.anonymous')), ' — ', facts.join(' · '))
  }

  /** @param {Seen[]} people */
  renderSilent (people) {
    clear(this.silent)
    if (this.acts === null) {
      this.silentNote.textContent = t('room.silentLoading')
      return
    }
    this.silentNote.textContent = this.since
      ? t('room.silentSince', { time: formatDate(this.since, lang()) })
      : t('room.silentNoSession')
    const acts = this.acts
    const present = people.filter((entry) => entry.state && ['participant', 'facilitator'].includes(entry.user.role))
    const quiet = present.filter((entry) => !acts.get(`${entry.user.invite || ''} ${entry.user.name}`) && !acts.get(` ${entry.user.name}`))
    for (const entry of quiet) {
      this.silent.append(h('li', { dataset: { person: entry.user.name || '' } },
        h('span', { class: 'party-dot', style: { background: partyColor(entry.user.party) }, 'aria-hidden': 'true' }),
        `${entry.user.name || t('presence.anonymous')} (${partyLabel(entry.user.party)}) — ${t('room.notYet')}`))
    }
    if (!quiet.length) this.silent.append(h('li', { class: 'muted' }, t(present.length ? 'room.everyone' : 'room.nobody')))
  }

  renderTabs () {
    const wanted = this.tabSelect.value || this.lastView
    const ids = Array.from(document.querySelectorAll('.tabs [role="tab"]'))
      .map((tab) => tab.id.replace(/^tab-/, ''))
      .filter((id) => id !== 'facilitator')
    const current = Array.from(this.tabSelect.options).map((option) => option.value).join(',')
    if (current !== ids.join(',')) {
      clear(this.tabSelect)
      for (const id of ids) this.tabSelect.append(h('option', { value: id }, tabName(id)))
    }
    if (this.lastView && this.lastView !== this.shownLastView) {
      this.shownLastView = this.lastView
      this.tabSelect.value = this.lastView
    } else if (wanted && ids.includes(wanted)) {
      this.tabSelect.value = wanted
    }
  }

  /** Who acted since the open session started (the whole log without one), by invite and name. */
  async fetchActs () {
    this.fetchedAt = Date.now()
    try {
      const listing = await this.ctx.api('GET', `/api/boards/${this.ctx.boardId}/sessions`)
      const open = (listing?.sessions || []).find((/** @type {{open: boolean}} */ s) => s.open)
      this.since = open ? open.started_at : null
      const query = this.since ? `?from=${encodeURIComponent(this.since)}` : ''
      const figures = await this.ctx.api('GET', `/api/boards/${this.ctx.boardId}/contributions${query}`)
      /** @type {Map<string, number>} */
      const acts = new Map()
      for (const person of figures?.participants || []) {
        const counts = person.counts || {}
        const total = Object.entries(counts).reduce((sum, [name, value]) => sum + (name === 'characters' ? 0 : Number(value) || 0), 0)
        const key = `${person.invite_id || ''} ${person.name || ''}`
        acts.set(key, (acts.get(key) || 0) + total)
      }
      this.acts = acts
    } catch {
      if (this.acts === null) this.acts = new Map()
    }
    this.render()
  }

  /** Bring every participant to the chosen tab, and go there too. */
  summon () {
    const tab = this.tabSelect.value
    if (!tab || !this.ctx.hasView(tab)) return
    const focus = this.ctx.presence.awareness.getLocalState()?.focus
    const target = focus && focus.view === tab ? focus.target : null
    this.ctx.presence.set('summon', { tab, target: target || null, at: Date.now() })
    this.status.textContent = t('room.summoned', { tab: tabName(tab) })
    this.ctx.select(tab)
    this.ctx.announce(t('room.summoned', { tab: tabName(tab) }))
  }
}
