// @ts-check
// This page's share of "who is here": when its person was last active (`lastActive` in the
// awareness state) and, on a participant's page, the facilitator bringing everyone to a tab
// (`summon`). The server keeps a `summon` only in a facilitator connection's state
// (server/sync/presence.py), so one seen here was sent by a facilitator.

import { h } from '../lib/dom.js'
import { t } from '../lib/page.js'

/**
 * @typedef {object} Summon
 * @property {string} tab the view everyone is brought to
 * @property {string | null} target the `data-focus-id` of what the facilitator looks at
 * @property {number} at when the facilitator asked (ms): a new value is a new summon
 */

const IDLE_DEFAULT_SECONDS = 5 * 60
/** A summon first seen later than this after it was made is not followed. */
const FRESH_MS = 30_000
/** The browser setting that shortens the idle threshold (tests, demonstrations). */
export const IDLE_SETTING = 'atelier.idleSeconds'

/**
 * After how long without activity a person shows as idle, in ms: 5 minutes, unless this
 * browser's `atelier.idleSeconds` (localStorage) or the page's `?idle=` says otherwise.
 */
export function idleThresholdMs () {
  const asked = new URLSearchParams(location.search).get('idle') || safeSetting()
  const seconds = Number(asked)
  return 1000 * (Number.isFinite(seconds) && seconds > 0 ? seconds : IDLE_DEFAULT_SECONDS)
}

function safeSetting () {
  try {
    return localStorage.getItem(IDLE_SETTING)
  } catch {
    return null
  }
}

/**
 * Keeps `lastActive` fresh without flooding the board: renewed on the person's input at most
 * once per fifth of the idle threshold (30 s at most), so the state stays a few bytes bigger.
 * Also keeps the shared `user` in step with the server's word on this invite.
 */
export class Activity {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.every = Math.min(30_000, idleThresholdMs() / 5)
    this.last = 0
    this.touch = this.touch.bind(this)
    for (const type of ['keydown', 'pointerdown', 'pointermove', 'input', 'wheel', 'focusin']) {
      document.addEventListener(type, this.touch, { capture: true, passive: true })
    }
    this.touch()
  }

  touch () {
    const now = Date.now()
    if (now - this.last < this.every) return
    this.last = now
    const presence = this.ctx.presence
    const me = this.ctx.me
    const user = presence.awareness.getLocalState()?.user
    if (user && (user.invite !== me.invite || user.party !== me.party || user.role !== me.role)) {
      presence.set('user', { ...user, invite: me.invite || '', party: me.party || '', role: me.role })
    }
    presence.set('lastActive', now)
  }
}

/** A participant's page follows a facilitator's summon once, and says so with a way back. */
export class SummonWatch {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    /** @type {Map<number, number>} facilitator's client id -> the summon last seen from it */
    this.seen = new Map()
    /** @type {HTMLElement | null} */
    this.note = null
    ctx.presence.onChange(() => this.check())
    this.check()
  }

  check () {
    for (const other of this.ctx.presence.others()) {
      const summon = other.summon
      if (!summon || other.user.role !== 'facilitator' || typeof summon.at !== 'number') continue
      const before = this.seen.get(other.clientId)
      this.seen.set(other.clientId, summon.at)
      if (before === summon.at) continue
      // first seen: a summon made before this page arrived is an old one (newcomers stay put)
      if (before === undefined && Math.abs(Date.now() - summon.at) > FRESH_MS) continue
      this.follow(summon)
    }
  }

  /** @param {Summon} summon */
  follow (summon) {
    const ctx = this.ctx
    if (typeof summon.tab !== 'string' || !ctx.hasView(summon.tab)) return
    const back = ctx.currentView()
    ctx.select(summon.tab)
    if (typeof summon.target === 'string' && summon.target) {
      const el = document.querySelector(`[data-focus-id="${CSS.escape(summon.target)}"]`)
      el?.scrollIntoView({ block: 'nearest', behavior: 'smooth' })
    }
    this.show(back && back !== summon.tab ? back : null)
  }

  /** @param {string | null} back the view this person was on */
  show (back) {
    this.note?.remove()
    const close = () => { note.remove(); this.note = null }
    const label = back ? (document.getElementById(`tab-${back}`)?.textContent || back) : ''
    const note = h('div', { class: 'summon-note', role: 'status', dataset: { key: 'summon-note' } },
      h('p', {}, t('summon.brought')),
      h('p', { class: 'row' },
        back
          ? h('button', {
            type: 'button',
            class: 'button button--small',
            dataset: { key: 'summon-back' },
            onclick: () => { this.ctx.select(back); close() }
          }, t('summon.back', { tab: label }))
          : null,
        h('button', { type: 'button', class: 'button button--small button--quiet', onclick: close }, t('action.dismiss'))))
    this.note = note
    const tabs = document.querySelector('.tabs')
    if (tabs) tabs.before(note)
    else document.getElementById('main')?.prepend(note)
  }
}
