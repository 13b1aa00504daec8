// @ts-check
// The site's coaching hours in the facilitator's panel: « 10h d'accompagnement par site », the
// hours its sessions used, and a warning once a session would go past them.

import { h } from '../lib/dom.js'
import { t } from '../lib/page.js'

/** @typedef {{site: string | null, budget_s: number | null, used_s: number, exceeded: boolean}} Coaching */

const HOUR = 3600

/** @param {number} seconds */
export function hoursText (seconds) {
  const minutes = Math.max(0, Math.round(seconds / 60))
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60
  if (hours === 0) return `${rest} min`
  return rest === 0 ? `${hours} h` : `${hours} h ${String(rest).padStart(2, '0')}`
}

/**
 * The line under the session controls; a session in progress counts up while it is shown.
 * @param {Coaching} coaching as GET /api/boards/{id}/coaching gives it
 * @param {boolean} sessionOpen
 */
export function coachingLine (coaching, sessionOpen) {
  const budget = coaching.budget_s
  if (budget === null) return h('p', { class: 'hint' }, t('coaching.noSite', { used: hoursText(coaching.used_s) }))
  const left = budget - coaching.used_s
  let warning = null
  if (left <= 0) warning = t('coaching.spent', { budget: hoursText(budget) })
  else if (left < HOUR) warning = t(sessionOpen ? 'coaching.endingDuring' : 'coaching.endingBefore', { left: hoursText(left) })
  return h('div', { class: 'stack coaching' },
    h('p', { class: 'hint' }, t('coaching.used', { used: hoursText(coaching.used_s), budget: hoursText(budget), left: hoursText(Math.max(0, left)) })),
    warning ? h('p', { class: 'warning', role: 'status' }, warning) : null)
}
