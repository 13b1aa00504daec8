// Who is here: names, parties, what each person looks at (for "suivre l'animateur"), live
// cursors on the continuum and who is writing where. Carried by Yjs awareness.

import { h, clear } from '../lib/dom.js'
import { t, partyLabel, roleLabel } from '../lib/page.js'
import { partyColor } from '../lib/render.js'

export { partyColor } from '../lib/render.js'

export class Presence {
  constructor (awareness, me) {
    this.awareness = awareness
    this.me = me
    this.listeners = new Set()
    awareness.setLocalState({
      user: { id: me.id, name: me.name, party: me.party || '', role: me.role, color: partyColor(me.party) },
      focus: null,
      cursor: null,
      editing: null
    })
    awareness.on('change', () => this.emit())
  }

  onChange (fn) {
    this.listeners.add(fn)
    return () => this.listeners.delete(fn)
  }

  emit () {
    for (const fn of this.listeners) fn()
  }

  /** The other people on the board, one entry per connection, sorted by name. */
  others () {
    const mine = this.awareness.clientID
    const out = []
    for (const [clientId, state] of this.awareness.getStates()) {
      if (clientId === mine || !state || !state.user) continue
      out.push({ clientId, ...state })
    }
    return out.sort((a, b) => String(a.user.name).localeCompare(String(b.user.name)))
  }

  facilitator () {
    return this.others().find((state) => state.user.role === 'facilitator') || null
  }

  set (field, value) {
    const current = this.awareness.getLocalState() || {}
    if (JSON.stringify(current[field]) === JSON.stringify(value)) return
    this.awareness.setLocalStateField(field, value)
  }

  /** Names of the others writing in `key` (a note, a chain item, a section). */
  editorsOf (key) {
    return this.others().filter((state) => state.editing === key).map((state) => state.user)
  }

  renderList (container) {
    clear(container)
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
