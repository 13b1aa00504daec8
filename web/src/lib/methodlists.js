// @ts-check
// The `conditions` and `support` parts as read-only lists (the replay shows the server's
// projection at a point of the log). The projection carries each item's label and level in
// both languages, so these lists need no catalogue lookup for them.

import { h } from './dom.js'
import { t, pick, catalog, partyLabel } from './page.js'
import { renderText } from './render.js'

/** @typedef {import('./types.js').LocalText} LocalText */
/** @typedef {{id: string, label: LocalText, score: number | null, score_label: LocalText | null, evidence: string, next: string, scoredBy?: string | null}} CriterionOut */
/** @typedef {{id: string, label: LocalText, parties: string[], who: string, score: number | null, score_label: LocalText | null, notes: string}} RoleOut */

/** @param {{score: number | null, score_label: LocalText | null}} item */
function level (item) {
  return item.score === null ? t('method.notScored') : `${item.score}/4 — ${pick(item.score_label)}`
}

/**
 * @param {string} label
 * @param {string} text
 */
function field (label, text) {
  return text.trim() ? [h('h5', {}, label), h('div', { class: 'list-text' }, renderText(text))] : []
}

/** @param {CriterionOut[]} criteria */
export function conditionsList (criteria) {
  const fields = catalog().method.fields
  return criteria.flatMap((c) => [
    h('h4', {}, pick(c.label)),
    h('p', {}, `${pick(fields.score)} : ${level(c)}${c.scoredBy ? ` (${c.scoredBy})` : ''}`),
    ...field(pick(fields.evidence), c.evidence),
    ...field(pick(fields.next), c.next)
  ])
}

/** @param {RoleOut[]} roles */
export function supportList (roles) {
  const fields = catalog().method.fields
  return roles.flatMap((r) => [
    h('h4', {}, pick(r.label)),
    h('p', {}, `${pick(fields.parties)} : ${r.parties.length ? r.parties.map(partyLabel).join(', ') : '—'}`),
    ...field(pick(fields.who), r.who),
    r.score === null ? null : h('p', {}, `${pick(fields.score)} : ${level(r)}`),
    ...field(pick(fields.notes), r.notes)
  ])
}
