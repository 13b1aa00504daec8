// @ts-check
// The cooperation agreement: five sections, each a text written together beside its guiding
// questions, approved party by party; the status (brouillon, proposée, validée) is derived.

import * as Y from 'yjs'
import { h, clear, formatDate, coalesce } from '../lib/dom.js'
import { t, pick, catalog, lang, partyLabel, labelOf } from '../lib/page.js'
import { TextBinding, autosize } from '../lib/textbinding.js'
import { sha256Hex } from '../lib/sha256.js'
import { readSection, TRINOME } from './model.js'
import { partyColor } from './presence.js'
import { CaretLayer } from './carets.js'
import { ApprovalChanges } from './approvaldiff.js'

const LIST_ITEM = /^(\s*)(- |• |\* |(\d+)\. )/
const BULLET_ONLY = /^\s*[-•*] $/
const BULLETS = new Set(['-', '•', '*'])

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').Catalog['agreement']['sections'][number]} SectionInfo */
/** @typedef {import('../lib/types.js').Section} Section */

/**
 * @typedef {object} SectionEntry
 * A section's element and its controls.
 * @property {string} id
 * @property {SectionInfo} section
 * @property {Y.Map<any>} value
 * @property {HTMLElement} el
 * @property {HTMLTextAreaElement} field
 * @property {HTMLSpanElement} badge
 * @property {HTMLUListElement} approvals
 * @property {HTMLDivElement} actions
 * @property {HTMLParagraphElement} editors
 * @property {HTMLButtonElement} bullets
 * @property {HTMLButtonElement} numbers
 * @property {TextBinding | null} binding
 * @property {ApprovalChanges} changes what changed since my party approved
 * @property {Section} [data] what the section held when last shown
 */

/**
 * Toggle a bulleted or numbered list on the lines the selection touches.
 * @param {TextBinding} binding
 * @param {boolean} numbered
 */
export function toggleList (binding, numbered) {
  const field = binding.field
  const value = field.value
  const caret = field.selectionStart === field.selectionEnd ? field.selectionStart : null
  const start = value.lastIndexOf('\n', field.selectionStart - 1) + 1
  let end = value.indexOf('\n', field.selectionEnd)
  if (end === -1) end = value.length
  const lines = value.slice(start, end).split('\n')
  const wanted = numbered ? /^\d+\. / : /^(- |• |\* )/
  const all = lines.every((line) => wanted.test(line))
  const stripped = lines.map((line) => line.replace(LIST_ITEM, '$1'))
  const next = all ? stripped : stripped.map((line, i) => (numbered ? `${i + 1}. ` : '- ') + line)
  const replacement = next.join('\n')
  if (caret === null) {
    binding.replaceRange(start, end, replacement, start, start + replacement.length)
    return
  }
  // a caret on one line stays a caret, moved by the marker added or removed before it
  const moved = Math.max(start, caret + replacement.length - (end - start))
  binding.replaceRange(start, end, replacement, moved)
}

/**
 * Enter inside a list item continues the list; Enter on an empty item ends it.
 * @param {KeyboardEvent} event
 * @param {TextBinding} binding
 */
export function continueList (event, binding) {
  if (event.key !== 'Enter' || event.shiftKey || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return
  const field = binding.field
  if (field.selectionStart !== field.selectionEnd) return
  const caret = field.selectionStart
  const lineStart = field.value.lastIndexOf('\n', caret - 1) + 1
  const line = field.value.slice(lineStart, caret)
  const match = LIST_ITEM.exec(line)
  if (!match) return
  event.preventDefault()
  if (line.slice(match[0].length).trim() === '') {
    binding.replaceRange(lineStart, caret, '', lineStart)
    return
  }
  const marker = match[3] ? `${Number(match[3]) + 1}. ` : match[2]
  const insert = `\n${match[1]}${marker}`
  binding.replaceRange(caret, caret, insert, caret + insert.length)
}

/**
 * A line the list button or Enter already made a list item: typing its dash (and the space
 * after it) out of habit does not give « - - ».
 * @param {InputEvent} event
 * @param {HTMLTextAreaElement} field
 * @param {number} skipped where a dash was just skipped (its space is skipped too), or -1
 * @returns {number} the new `skipped`
 */
export function skipRepeatedBullet (event, field, skipped) {
  if (event.inputType !== 'insertText' || !event.data || field.selectionStart !== field.selectionEnd) return -1
  const caret = field.selectionStart
  const line = field.value.slice(field.value.lastIndexOf('\n', caret - 1) + 1, caret)
  if (!BULLET_ONLY.test(line)) return -1
  if (BULLETS.has(event.data)) {
    event.preventDefault()
    return caret
  }
  if (event.data === ' ' && skipped === caret) event.preventDefault()
  return -1
}

export class AgreementView {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.agreement = ctx.roots.agreement
    this.sections = catalog().agreement.sections
    /** @type {Map<string, SectionEntry>} */
    this.entries = new Map()
    this.render = coalesce(() => this.sync())
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    const a = catalog().agreement
    panel.append(h('div', { class: 'view-intro' }, h('p', {}, pick(a.purpose))))
    const list = h('div', { class: 'sections' })
    for (const section of this.sections) {
      const value = this.agreement.get(section.id)
      if (!(value instanceof Y.Map)) continue
      list.append(this.create(section, value))
    }
    panel.append(list)
    this.agreement.observeDeep(this.render)
    this.ctx.presence.onChange(() => this.renderEditors())
    this.sync()
  }

  /**
   * @param {SectionInfo} section
   * @param {Y.Map<any>} value the section's map
   */
  create (section, value) {
    const id = section.id
    const headingId = `section-title-${id}`
    const questionsId = `section-questions-${id}`
    const fieldId = `section-text-${id}`
    const field = h('textarea', { id: fieldId, class: 'section__text', rows: 6, 'aria-describedby': `${questionsId} section-hint`, dataset: { key: `text-${id}` } })
    const badge = h('span', { class: 'badge' })
    const approvals = h('ul', { class: 'approvals__list' })
    const actions = h('div', { class: 'approvals__actions' })
    const editors = h('p', { class: 'editors' })
    const changes = new ApprovalChanges(this.ctx, id)
    const bullets = h('button', { type: 'button', class: 'button button--small button--quiet', dataset: { key: `bullets-${id}` } }, t('agreement.bullets'))
    const numbers = h('button', { type: 'button', class: 'button button--small button--quiet', dataset: { key: `numbers-${id}` } }, t('agreement.numbers'))
    const el = h('section', { class: 'section', id: `section-${id}`, 'aria-labelledby': headingId, dataset: { focusId: `section-${id}` } },
      h('header', { class: 'section__head' },
        h('h3', { id: headingId }, pick(section.label)), badge),
      h('div', { class: 'section__body' },
        h('aside', { class: 'section__questions', 'aria-labelledby': `${questionsId}-title` },
          h('h4', { id: `${questionsId}-title` }, t('agreement.questions')),
          h('ul', { id: questionsId }, section.questions.map((q) => h('li', {}, pick(q))))),
        h('div', { class: 'section__editor' },
          h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': t('agreement.toolbar', { section: pick(section.label) }) }, bullets, numbers),
          h('label', { for: fieldId, class: 'section__label' }, t('agreement.textLabel', { section: pick(section.label) })),
          field, editors)),
      h('div', { class: 'approvals' },
        h('h4', {}, t('agreement.approvals')), approvals, actions, changes.el))
    /** @type {SectionEntry} */
    const entry = { id, section, value, el, field, badge, approvals, actions, editors, bullets, numbers, binding: null, changes }
    const text = value.get('text')
    if (text instanceof Y.Text) {
      const binding = new TextBinding(field, text, { origin: this.ctx.origin, onChange: () => autosize(field, 6) })
      entry.binding = binding
      field.addEventListener('keydown', (event) => continueList(event, binding))
      let skipped = -1
      field.addEventListener('beforeinput', (event) => { skipped = skipRepeatedBullet(event, field, skipped) })
      new CaretLayer(this.ctx, `section-${id}`, field, text)
      bullets.addEventListener('click', () => { toggleList(binding, false); field.focus() })
      numbers.addEventListener('click', () => { toggleList(binding, true); field.focus() })
    }
    field.addEventListener('focus', () => this.ctx.presence.set('editing', `section-${id}`))
    field.addEventListener('blur', () => this.ctx.presence.set('editing', null))
    this.entries.set(id, entry)
    return el
  }

  refreshPermissions () {
    this.sync()
  }

  sync () {
    for (const entry of this.entries.values()) this.update(entry)
    this.renderEditors()
  }

  /** @param {SectionEntry} entry */
  update (entry) {
    const data = readSection(entry.id, entry.value)
    entry.data = data
    entry.changes.update(data)
    const editable = this.ctx.canEdit(`agreement.${entry.id}`) && Boolean(entry.binding)
    entry.field.readOnly = !editable
    entry.bullets.disabled = !editable
    entry.numbers.disabled = !editable
    autosize(entry.field, 6)
    entry.badge.className = `badge badge--${data.status}`
    entry.badge.textContent = labelOf(catalog().agreement.statuses, data.status)
    const active = /** @type {HTMLElement | null} */ (document.activeElement)
    const focusKey = active && entry.el.querySelector('.approvals')?.contains(active) ? active.dataset.key : null
    clear(entry.approvals)
    for (const party of [...TRINOME, 'facilitation']) {
      const approval = data.approvals.find((a) => a.party === party)
      if (party === 'facilitation' && !approval) continue
      let state
      if (!approval) state = t('agreement.pending')
      else if (approval.current) state = t('agreement.approvedBy', { name: approval.by || '?', date: formatDate(approval.at, lang()) })
      else state = t('agreement.outdated', { name: approval.by || '?' })
      entry.approvals.append(h('li', { class: `approval approval--${!approval ? 'pending' : approval.current ? 'current' : 'outdated'}` },
        h('span', { class: 'party-dot', style: { background: partyColor(party) }, 'aria-hidden': 'true' }),
        h('strong', {}, partyLabel(party)), ' — ', state,
        party === 'facilitation' ? h('span', { class: 'muted' }, ` ${t('agreement.facilitationNote')}`) : null))
    }
    clear(entry.actions)
    const party = this.ctx.me.party
    if (party && (TRINOME.includes(party) || party === 'facilitation')) {
      const mine = data.approvals.find((a) => a.party === party)
      const canApprove = this.ctx.canEdit(`agreement.${entry.id}`)
      if (!mine || !mine.current) {
        entry.actions.append(h('button', {
          type: 'button',
          class: 'button',
          disabled: !canApprove || !data.text.trim(),
          dataset: { key: `approve-${entry.id}` },
          onclick: () => this.approve(entry)
        }, t('agreement.approve', { party: partyLabel(party) })))
      }
      if (mine) {
        entry.actions.append(h('button', {
          type: 'button',
          class: 'button button--quiet',
          disabled: !canApprove,
          dataset: { key: `withdraw-${entry.id}` },
          onclick: () => this.withdraw(entry)
        }, t('agreement.withdraw', { party: partyLabel(party) })))
      }
    }
    if (focusKey) /** @type {HTMLElement | null} */ (entry.el.querySelector(`[data-key="${focusKey}"]`))?.focus({ preventScroll: true })
  }

  renderEditors () {
    for (const entry of this.entries.values()) {
      const editors = this.ctx.presence.editorsOf(`section-${entry.id}`)
      entry.editors.textContent = editors.length ? t('presence.writing', { names: editors.map((u) => u.name).join(', ') }) : ''
      entry.editors.hidden = editors.length === 0
    }
  }

  /** @param {SectionEntry} entry */
  approve (entry) {
    const approvals = entry.value.get('approvals')
    const text = entry.value.get('text')
    if (!(approvals instanceof Y.Map) || !(text instanceof Y.Text)) return
    entry.binding?.pushLocal()
    const me = this.ctx.me
    this.ctx.doc.transact(() => {
      approvals.set(me.party, { by: me.name, invite: me.invite, at: new Date().toISOString(), textHash: sha256Hex(text.toString()) })
    }, this.ctx.origin)
    this.ctx.announce(t('agreement.approvedNow', { section: pick(entry.section.label) }))
  }

  /** @param {SectionEntry} entry */
  withdraw (entry) {
    const approvals = entry.value.get('approvals')
    if (!(approvals instanceof Y.Map)) return
    this.ctx.doc.transact(() => approvals.delete(this.ctx.me.party), this.ctx.origin)
  }
}
