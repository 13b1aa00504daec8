// @ts-check
// Structure de soutien: who carries each of the 7 roles. Parties are ticked (État,
// Collectivité, Société civile, Facilitation), « qui / quel lieu » and notes are written
// together, and the role gets a level on the same 4-level scale as the conditions.
// A role nobody carries is listed among the board's problems by the server once the site has
// begun this part; here it reads « Personne ne porte ce rôle pour l'instant ».

import * as Y from 'yjs'
import { h, coalesce } from '../lib/dom.js'
import { t, pick, catalog } from '../lib/page.js'
import { method, scoreControl, scoreOf, sharedField } from './conditions.js'
import { partyColor } from './presence.js'

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').MethodCatalog['roles'][number]} RoleInfo */

/**
 * @typedef {object} RoleRow
 * @property {RoleInfo} role
 * @property {Map<string, HTMLInputElement>} boxes one checkbox per party
 * @property {HTMLParagraphElement} carried
 * @property {ReturnType<typeof sharedField>} who
 * @property {ReturnType<typeof scoreControl>} score
 * @property {ReturnType<typeof sharedField>} notes
 */

export class SupportView {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.root = ctx.doc.getMap('support')
    /** @type {RoleRow[]} */
    this.rows = []
    this.render = coalesce(() => this.sync())
    this.waiting = h('p', { class: 'muted', hidden: true }, t('method.waiting'))
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    const m = method()
    panel.append(h('div', { class: 'view-intro' }, h('p', {}, pick(m.support.purpose))), this.waiting)
    const list = h('ol', { class: 'roles' })
    for (const role of m.roles) list.append(h('li', {}, this.create(role)))
    panel.append(list)
    this.root.observeDeep(this.render)
    this.sync()
  }

  /** @param {RoleInfo} role */
  create (role) {
    const id = role.id
    const fields = method().fields
    const label = pick(role.label)
    const about = `role-question-${id}`
    /** @type {Map<string, HTMLInputElement>} */
    const boxes = new Map()
    const choices = catalog().parties.map((party) => {
      const box = h('input', {
        type: 'checkbox',
        id: `role-${id}-${party.id}`,
        dataset: { key: `role-${id}-${party.id}` },
        onchange: () => this.setParty(id, party.id, box.checked)
      })
      boxes.set(party.id, box)
      return h('label', { class: 'role__party', for: `role-${id}-${party.id}` }, box,
        h('span', { class: 'party-dot', style: { background: partyColor(party.id) }, 'aria-hidden': 'true' }),
        h('span', {}, pick(party.label)))
    })
    const carried = h('p', { class: 'role__carried muted' })
    const who = sharedField(this.ctx, `who-${id}`, pick(fields.who), about)
    const score = scoreControl(`role-${id}`, t('method.roleScoreLegend', { label }), (value) => this.setScore(id, value))
    const notes = sharedField(this.ctx, `notes-${id}`, pick(fields.notes), about)
    this.rows.push({ role, boxes, carried, who, score, notes })
    return h('article', { class: 'role', id: `role-${id}`, 'aria-labelledby': `role-title-${id}`, dataset: { focusId: `role-${id}` } },
      h('h3', { id: `role-title-${id}` }, label),
      h('p', { id: about, class: 'criterion__question' }, pick(role.question)),
      h('fieldset', { class: 'role__parties' }, h('legend', {}, t('method.partiesLegend', { label })), choices, carried),
      who.el, score.el, notes.el)
  }

  refreshPermissions () {
    this.sync()
  }

  sync () {
    const editable = this.ctx.canEdit('support')
    let missing = 0
    for (const row of this.rows) {
      const entry = this.root.get(row.role.id)
      const present = entry instanceof Y.Map
      if (!present) missing++
      const parties = present ? entry.get('parties') : null
      for (const [party, box] of row.boxes) {
        box.checked = parties instanceof Y.Map && parties.get(party) === true
        box.disabled = !editable || !(parties instanceof Y.Map)
      }
      const who = present ? entry.get('who') : null
      const nobody = ![...row.boxes.values()].some((box) => box.checked) && !(who instanceof Y.Text && who.toString().trim())
      row.carried.textContent = nobody ? t('method.uncarried') : ''
      row.carried.hidden = !nobody
      row.who.show(who, editable)
      row.score.show(present ? scoreOf(entry.get('score')) : null, editable && present)
      row.notes.show(present ? entry.get('notes') : null, editable)
    }
    this.waiting.hidden = missing === 0
  }

  /**
   * @param {string} role
   * @param {string} party
   * @param {boolean} carries
   */
  setParty (role, party, carries) {
    const entry = this.root.get(role)
    const parties = entry instanceof Y.Map ? entry.get('parties') : null
    if (!(parties instanceof Y.Map) || !this.ctx.canEdit('support')) return this.sync()
    this.ctx.doc.transact(() => {
      if (carries) parties.set(party, true)
      else parties.delete(party)
    }, this.ctx.origin)
  }

  /**
   * @param {string} role
   * @param {number | null} score
   */
  setScore (role, score) {
    const entry = this.root.get(role)
    if (!(entry instanceof Y.Map) || !this.ctx.canEdit('support')) return this.sync()
    this.ctx.doc.transact(() => {
      if (score === null) entry.delete('score')
      else entry.set('score', score)
    }, this.ctx.origin)
  }
}
