// @ts-check
// Who is here: names, parties, what each person looks at (for "suivre l'animateur"), live
// cursors on the continuum and who is writing where. Carried by Yjs awareness.

import { h, clear } from '../lib/dom.js'
import { t, partyLabel, roleLabel } from '../lib/page.js'
import { partyColor } from '../lib/render.js'

export { partyColor } from '../lib/render.js'

/** @typedef {{id: string, name: string, party: string, role: string, color?: string, invite?: string}} PresenceUser */
/** @typedef {{view: string | null, target: string | null}} Focus */
/** @typedef {{level: string, x: number, y: number}} Cursor */

/**
 * @typedef {object} PresenceState
 * What each connection shares through awareness.
 * @property {PresenceUser} user
 * @property {Focus | null} [focus]
 * @property {Cursor | null} [cursor]
 * @property {string | null} [editing] the key of what is being written (a note, an item, a section)
 * @property {number} [lastActive] when this person last typed, clicked or moved (ms, see room.js)
 * @property {import('./summon.js').Summon | null} [summon] a facilitator bringing everyone to a tab
 * @property {import('./carets.js').Caret | null} [caret] where this person's caret is in a text
 */

/** @typedef {PresenceState & {clientId: number}} Other */

export class Presence {
  /**
   * @param {import('y-protocols/awareness').Awareness} awareness
   * @param {import('../lib/types.js').Me} me
   */
  constructor (awareness, me) {
    this.awareness = awareness
    this.me = me
    /** @type {Set<() => void>} */
    this.listeners = new Set()
    awareness.setLocalState({
      user: { id: me.id, name: me.name, party: me.party || '', role: me.role, color: partyColor(me.party), invite: me.invite || '' },
      focus: null,
      cursor: null,
      editing: null
    })
    awareness.on('change', () => this.emit())
  }

  /** @param {() => void} fn */
  onChange (fn) {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  emit () {
    for (const fn of this.listeners) fn()
  }

  /**
   * The other people on the board, one entry per connection, sorted by name.
   * @returns {Other[]}
   */
  others () {
    const mine = this.awareness.clientID
    /** @type {Other[]} */
    const out = []
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === mine || !state || !state.user) continue
      out.push({ clientId, .../** @type {PresenceState} */ (state) })
    }
    return out.sort((a, b) => String(a.user.name).localeCompare(String(b.user.name)))
  }

  facilitator () {
    return this.others().find((state) => state.user.role === 'facilitator') || null
  }

  /**
   * Share one field of this page's state (sent only when it changed).
   * @param {'focus' | 'cursor' | 'editing' | 'lastActive' | 'summon' | 'caret' | 'user'} field
   * @param {unknown} value
   */
  set (field, value) {
    const current = this.awareness.getLocalState() || {}
    if (JSON.stringify(current[field]) === JSON.stringify(value)) return
    this.awareness.setLocalStateField(field, value)
  }

  /**
   * Names of the others writing in `key` (a note, a chain item, a section).
   * @param {string} key
   * @returns {PresenceUser[]}
   */
  editorsOf (key) {
    return this.others().filter((state) => state.editing === key).map((state) => state.user)
  }

  /** @param {HTMLElement} container */
  renderList (container) {
    clear(container)
    /** @type {Array<{user: PresenceUser, self?: boolean}>} */
    const people = [{ user: { ...this.me, party: this.me.party || '' }, self: true }, ...this.others()]
    for (const person of people) {
      const user = person.user
      const label = `${user.name || t('presence.anonymous')}${person.self ? ` (${t('presence.you')})` : ''}`
      const details = [partyLabel(user.party), user.role === 'participant' ? null : roleLabel(user.role)].filter(Boolean).join(', ')
      container.append(h('li', { class: 'person', title: details },
        h('span', { class: 'party-dot', style: { background: partyColor(user.party) }, 'aria-hidden': 'true' }),
        h('span', { class: 'person__name' }, label),
        h('span', { class: 'visually-hidden' }, ` — ${details}`)
      ))
    }
  }
}
