// @ts-check
// Préconditions et conditions: the site scores each of the 3 preconditions and 5 conditions
// of collective impact on the 4-level scale, and writes together « ce qui le montre » and
// « prochaines étapes ». The words come from the catalogue's `method` key (server/boards/
// method.py); the containers are the server's (seeded, or added by the layout upgrade), so a
// criterion whose entry is not there yet shows and waits for it.
//
// The score control and the shared text fields are used by the support structure too.

import * as Y from 'yjs'
import { h, coalesce } from '../lib/dom.js'
import { t, pick, catalog } from '../lib/page.js'
import { TextBinding, autosize } from '../lib/textbinding.js'

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').LocalText} LocalText */
/** @typedef {import('../lib/types.js').MethodCatalog['criteria'][number]} CriterionInfo */

/** The method's vocabulary, as GET /api/templates serves it under `method`. */
export function method () {
  return catalog().method
}

/**
 * A stored score if it is a step of the scale, else null (anyone can write anything).
 * @param {unknown} value
 * @returns {number | null}
 */
export function scoreOf (value) {
  return typeof value === 'number' && method().scores.some((s) => s.value === value) ? value : null
}

/**
 * The 4-level scale as a radio group (arrows move between the levels, as in any radio
 * group), with a button to clear the level.
 * @param {string} id unique within the page
 * @param {string} legend the group's accessible name
 * @param {(score: number | null) => void} onPick
 */
export function scoreControl (id, legend, onPick) {
  const radios = method().scores.map((score) => h('input', {
    type: 'radio',
    name: `score-${id}`,
    id: `score-${id}-${score.value}`,
    value: String(score.value),
    dataset: { key: `score-${id}-${score.value}` },
    onchange: () => onPick(score.value)
  }))
  const clearButton = h('button', {
    type: 'button',
    class: 'button button--small button--quiet',
    dataset: { key: `score-${id}-clear` },
    onclick: () => onPick(null)
  }, t('method.clearScore'))
  const status = h('span', { class: 'muted score__status' })
  const el = h('fieldset', { class: 'score' },
    h('legend', {}, legend),
    h('div', { class: 'score__steps' }, method().scores.map((score, index) => h('label', { class: 'score__step', for: `score-${id}-${score.value}` },
      radios[index], h('span', {}, `${score.value} — ${pick(score.label)}`)))),
    h('div', { class: 'score__foot' }, status, clearButton))
  return {
    el,
    /**
     * @param {number | null} score
     * @param {boolean} editable
     * @param {string} [by] who recorded the score
     */
    show (score, editable, by) {
      radios.forEach((radio, index) => {
        radio.checked = method().scores[index].value === score
        radio.disabled = !editable
      })
      clearButton.disabled = !editable || score === null
      status.textContent = score === null ? t('method.notScored') : by ? t('method.scoredBy', { name: by }) : ''
    }
  }
}

/**
 * A textarea bound to a shared text once the text exists.
 * @param {BoardContext} ctx
 * @param {string} id unique within the page
 * @param {string} label
 * @param {string} [describedBy]
 */
export function sharedField (ctx, id, label, describedBy) {
  const field = h('textarea', { id: `field-${id}`, class: 'method__text', rows: 2, 'aria-describedby': describedBy, dataset: { key: id } })
  const el = h('div', { class: 'method__field' }, h('label', { for: `field-${id}` }, label), field)
  /** @type {TextBinding | null} */
  let binding = null
  return {
    el,
    field,
    /**
     * @param {unknown} text the Y.Text, when the entry holds one
     * @param {boolean} editable
     */
    show (text, editable) {
      if (!binding && text instanceof Y.Text) {
        binding = new TextBinding(field, text, { origin: ctx.origin, onChange: () => autosize(field, 2) })
      }
      field.readOnly = !editable || !binding
      autosize(field, 2)
    }
  }
}

/**
 * @typedef {object} CriterionRow
 * @property {CriterionInfo} criterion
 * @property {ReturnType<typeof scoreControl>} score
 * @property {ReturnType<typeof sharedField>} evidence
 * @property {ReturnType<typeof sharedField>} next
 */

export class ConditionsView {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.root = ctx.doc.getMap('conditions')
    /** @type {CriterionRow[]} */
    this.rows = []
    this.render = coalesce(() => this.sync())
    this.waiting = h('p', { class: 'muted', hidden: true }, t('method.waiting'))
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    const m = method()
    panel.append(h('div', { class: 'view-intro' }, h('p', {}, pick(m.conditions.purpose))), this.waiting)
    for (const kind of m.kinds) {
      const headingId = `criteria-${kind.id}`
      const list = h('div', { class: 'criteria' })
      for (const criterion of m.criteria.filter((c) => c.kind === kind.id)) list.append(this.create(criterion))
      panel.append(h('section', { class: 'method-group', 'aria-labelledby': headingId },
        h('h3', { id: headingId }, pick(kind.label)), list))
    }
    this.root.observeDeep(this.render)
    this.sync()
  }

  /** @param {CriterionInfo} criterion */
  create (criterion) {
    const id = criterion.id
    const fields = method().fields
    const label = pick(criterion.label)
    const about = `criterion-about-${id}`
    const score = scoreControl(id, t('method.scoreLegend', { label }), (value) => this.setScore(id, value))
    const evidence = sharedField(this.ctx, `evidence-${id}`, pick(fields.evidence), about)
    const next = sharedField(this.ctx, `next-${id}`, pick(fields.next), about)
    this.rows.push({ criterion, score, evidence, next })
    return h('article', { class: 'criterion', id: `criterion-${id}`, 'aria-labelledby': `criterion-title-${id}`, dataset: { focusId: `criterion-${id}` } },
      h('h4', { id: `criterion-title-${id}` }, label),
      h('div', { id: about },
        h('p', { class: 'criterion__description' }, pick(criterion.description)),
        h('p', { class: 'criterion__question' }, pick(criterion.question))),
      score.el, evidence.el, next.el)
  }

  refreshPermissions () {
    this.sync()
  }

  sync () {
    const editable = this.ctx.canEdit('conditions')
    let missing = 0
    for (const row of this.rows) {
      const entry = this.root.get(row.criterion.id)
      const present = entry instanceof Y.Map
      if (!present) missing++
      const by = present && typeof entry.get('scoredBy') === 'string' ? entry.get('scoredBy') : undefined
      row.score.show(present ? scoreOf(entry.get('score')) : null, editable && present, by)
      row.evidence.show(present ? entry.get('evidence') : null, editable)
      row.next.show(present ? entry.get('next') : null, editable)
    }
    this.waiting.hidden = missing === 0
  }

  /**
   * @param {string} id
   * @param {number | null} score
   */
  setScore (id, score) {
    const entry = this.root.get(id)
    if (!(entry instanceof Y.Map) || !this.ctx.canEdit('conditions')) return this.sync()
    this.ctx.doc.transact(() => {
      if (score === null) {
        for (const key of ['score', 'scoredBy', 'scoredAt']) entry.delete(key)
        return
      }
      entry.set('score', score)
      if (this.ctx.me.name) entry.set('scoredBy', this.ctx.me.name)
      entry.set('scoredAt', new Date().toISOString())
    }, this.ctx.origin)
  }
}
