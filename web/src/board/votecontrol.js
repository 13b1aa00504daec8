// @ts-check
// The facilitator's side of a vote round: its settings when opening it (budget, secrecy,
// duration), its ranked results in the rounds tab, and the notes the group keeps.

import { h } from '../lib/dom.js'
import { t } from '../lib/page.js'

/** @typedef {import('./votemode.js').VoteRound} VoteRound */

/**
 * The settings of a new vote.
 * @returns {{element: HTMLElement, budget: HTMLInputElement, secret: HTMLInputElement, minutes: HTMLInputElement}}
 */
export function voteFields () {
  const budget = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'vote-budget', min: 1, max: 10, value: 3, required: true }))
  const secret = /** @type {HTMLInputElement} */ (h('input', { type: 'checkbox', id: 'vote-secret', checked: true }))
  const minutes = /** @type {HTMLInputElement} */ (h('input', { type: 'number', id: 'vote-minutes', min: 1, max: 30 }))
  const element = h('fieldset', { class: 'field vote-settings' }, h('legend', {}, t('rounds.kind.vote')),
    h('div', { class: 'field' }, h('label', { for: 'vote-budget' }, t('votes.budget')), budget),
    h('div', { class: 'field' }, h('label', { for: 'vote-secret' }, secret, ' ', t('votes.secret'))),
    h('div', { class: 'field' }, h('label', { for: 'vote-minutes' }, t('votes.minutes')), minutes))
  return { element, budget, secret, minutes }
}

/** The vote's part of the opening request. @param {ReturnType<typeof voteFields>} fields */
export function voteBody (fields) {
  /** @type {Record<string, unknown>} */
  const body = { budget: Number(fields.budget.value || 3), secret: fields.secret.checked }
  if (fields.minutes.value) body.minutes = Number(fields.minutes.value)
  return body
}

/**
 * The ranked results of a revealed vote, or (``retainedOnly``) the notes kept.
 * @param {VoteRound} round
 * @param {boolean} [retainedOnly]
 */
export function voteResults (round, retainedOnly = false) {
  const results = round.results || []
  const text = (/** @type {string} */ id) => results.find((r) => r.note === id)?.text || t('votes.untitledNote')
  if (retainedOnly) {
    const kept = /** @type {string[]} */ (round.agreed?.notes || [])
    return h('p', { class: 'round-agreed' }, t('votes.retained', { notes: kept.map((id) => `« ${text(id)} »`).join(', ') }))
  }
  return h('ol', { class: 'vote-results' }, results.map((r) => h('li', { dataset: { note: r.note } },
    t('votes.resultLine', { text: r.text || t('votes.untitledNote'), count: r.votes }))))
}

/**
 * The facilitator's form to record the notes kept after the reveal.
 * @param {VoteRound} round
 * @param {(body: {notes: string[]}) => void} submit
 */
export function retainForm (round, submit) {
  const kept = new Set(/** @type {string[]} */ (round.agreed?.notes || []))
  const boxes = (round.results || []).map((r, i) => h('label', { class: 'round-choice' },
    h('input', { type: 'checkbox', value: r.note, id: `vote-retain-${i}`, checked: kept.has(r.note) }), ' ',
    t('votes.resultLine', { text: r.text || t('votes.untitledNote'), count: r.votes })))
  return h('form', {
    class: 'stack',
    onsubmit: (/** @type {SubmitEvent} */ e) => {
      e.preventDefault()
      const form = /** @type {HTMLFormElement} */ (e.target)
      const notes = [...form.querySelectorAll('input[type=checkbox]:checked')].map((box) => /** @type {HTMLInputElement} */ (box).value)
      if (notes.length) submit({ notes })
    }
  }, h('fieldset', { class: 'field' }, h('legend', {}, t('votes.retain')), ...boxes),
  h('button', { type: 'submit', class: 'button', id: 'vote-retain' }, t('votes.retainSave')))
}
