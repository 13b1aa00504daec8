// @ts-check
// The structured list view: the whole board as headings and lists, for screen readers, small
// screens and anyone who prefers reading to a canvas. Notes can be moved and voted on here too.

import * as Y from 'yjs'
import { h, coalesce, rerenderKeepingFocus } from '../lib/dom.js'
import { t, pick, catalog, levelLabel } from '../lib/page.js'
import { continuumList, chainList, agreementList, problemsList } from '../lib/render.js'
import { readBoard } from './model.js'

/** @typedef {import('../lib/types.js').Note} Note */
/** @typedef {(id: string, level: string) => void} MoveNote moves a note to a level */

export class ListView {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {string[]} parts the template's parts shown on this board
   * @param {MoveNote | null} moveNote the continuum's own move (null: the board has no continuum)
   */
  constructor (ctx, parts, moveNote) {
    this.ctx = ctx
    this.parts = parts
    this.moveNote = moveNote
    this.sectionIds = catalog().agreement.sections.map((s) => s.id)
    this.render = coalesce(() => this.sync())
    this.visible = false
    this.container = h('div', { class: 'list-view' })
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    panel.append(this.container)
    this.ctx.doc.on('update', () => { if (this.visible) this.render() })
    this.ctx.onProblems(() => { if (this.visible) this.render() })
  }

  show () {
    this.visible = true
    this.sync()
  }

  hide () {
    this.visible = false
  }

  refreshPermissions () {
    if (this.visible) this.render()
  }

  sync () {
    rerenderKeepingFocus(this.container, () => this.build())
  }

  build () {
    const model = readBoard(this.ctx.doc, this.sectionIds)
    /** @param {'continuum' | 'chain' | 'agreement'} id */
    const partLabel = (id) => pick((catalog()[id] || {}).label) || id
    const out = h('div', {})
    if (this.parts.includes('continuum')) {
      out.append(h('section', { 'aria-labelledby': 'list-continuum' },
        h('h3', { id: 'list-continuum' }, partLabel('continuum')),
        continuumList(model, { noteControls: (note) => this.noteControls(note) })))
    }
    if (this.parts.includes('chain')) {
      out.append(h('section', { 'aria-labelledby': 'list-chain' },
        h('h3', { id: 'list-chain' }, partLabel('chain')), chainList(model)))
    }
    if (this.parts.includes('agreement')) {
      out.append(h('section', { 'aria-labelledby': 'list-agreement' },
        h('h3', { id: 'list-agreement' }, partLabel('agreement')), agreementList(model)))
    }
    const problems = problemsList(this.ctx.problems)
    if (problems) {
      out.append(h('section', { 'aria-labelledby': 'list-problems' },
        h('h3', { id: 'list-problems' }, t('problems.title')), problems))
    }
    return out
  }

  /** @param {Note} note */
  noteControls (note) {
    if (!this.moveNote || !this.ctx.canEdit('continuum')) return null
    const selectId = `list-level-${note.id}`
    const select = h('select', { id: selectId, dataset: { key: `list-level-${note.id}` } },
      catalog().continuum.levels.map((level) => h('option', { value: level.id, selected: level.id === note.level }, pick(level.label))))
    const mine = note.votes.voters.includes(this.ctx.me.id)
    return h('span', { class: 'list-note__controls' },
      h('label', { for: selectId, class: 'visually-hidden' }, t('list.levelOf', { text: note.text.slice(0, 40) })),
      select,
      h('button', {
        type: 'button',
        class: 'button button--small button--quiet',
        dataset: { key: `list-move-${note.id}` },
        onclick: () => this.move(note.id, select.value)
      }, t('list.move')),
      h('button', {
        type: 'button',
        class: 'button button--small button--quiet',
        'aria-pressed': String(mine),
        dataset: { key: `list-vote-${note.id}` },
        onclick: () => this.vote(note.id)
      }, t(mine ? 'list.unvote' : 'list.vote')))
  }

  /**
   * @param {string} id
   * @param {string} level
   */
  move (id, level) {
    const note = this.ctx.roots.notes.get(id)
    if (!this.moveNote || !(note instanceof Y.Map) || note.get('level') === level) return
    this.moveNote(id, level)
    this.ctx.announce(t('continuum.moved', { level: levelLabel(level) }))
  }

  /** @param {string} id */
  vote (id) {
    const note = this.ctx.roots.notes.get(id)
    const votes = note instanceof Y.Map ? note.get('votes') : null
    if (!(votes instanceof Y.Map)) return
    const me = this.ctx.me.id
    this.ctx.doc.transact(() => {
      if (votes.get(me) === true) votes.delete(me)
      else votes.set(me, true)
    }, this.ctx.origin)
  }
}
