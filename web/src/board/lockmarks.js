// @ts-check
// Where the board is locked, seen at a glance: each tab and each heading of a lockable zone
// carries a padlock and the word « verrouillé » (part of its accessible name, so it does not
// rest on colour or an icon alone), live as the facilitator locks and unlocks.

import { h } from '../lib/dom.js'
import { t, catalog } from '../lib/page.js'

/** The zones each tab shows, its own zone first. */
function tabZones () {
  const sections = catalog().zones.map((zone) => zone.id).filter((id) => id.startsWith('agreement.'))
  /** @type {Record<string, string[]>} */
  const zones = { continuum: ['continuum'], chain: ['chain', 'vision'], agreement: sections, conditions: ['conditions'], support: ['support'] }
  return zones
}

/**
 * The headings of a zone, found in the page as the views drew them.
 * @param {string} zone
 * @returns {Element[]}
 */
function headingsOf (zone) {
  let selector = null
  if (zone === 'vision') selector = '#vision-title'
  else if (zone === 'chain') selector = '#panel-chain .tier__head h3'
  else if (zone.startsWith('agreement.')) selector = `#section-${CSS.escape(zone.slice('agreement.'.length))} .section__head h3`
  else if (zone === 'conditions') selector = '#panel-conditions .method-group > h3'
  else if (zone === 'support') selector = '#panel-support .role > h3'
  return selector ? Array.from(document.querySelectorAll(selector)) : []
}

/**
 * Put, change or take away the mark at the end of `el`.
 * @param {Element} el
 * @param {string | null} words what the mark says, null: no mark
 */
function mark (el, words) {
  let badge = el.querySelector(':scope > .lock-mark')
  if (!words) {
    badge?.remove()
    return
  }
  if (!badge) {
    badge = h('span', { class: 'lock-mark' },
      h('span', { class: 'visually-hidden' }, ', '),
      h('span', { class: 'lock-mark__icon', 'aria-hidden': 'true' }),
      h('span', { class: 'lock-mark__text' }))
    el.append(badge)
  }
  const text = /** @type {HTMLElement} */ (badge.querySelector('.lock-mark__text'))
  if (text.textContent !== words) text.textContent = words
}

/**
 * Show the locks on the tabs and the zones' headings.
 * @param {Map<string, {tab: HTMLElement}>} tabs the board's tabs by view id
 * @param {string[]} locks the locked zones (`board` locks everything)
 */
export function showLockMarks (tabs, locks) {
  const all = locks.includes('board')
  const zones = tabZones()
  for (const [id, { tab }] of tabs) {
    const own = zones[id]
    if (!own) continue
    const locked = own.filter((zone) => all || locks.includes(zone))
    // the tab's own zone (named like the tab: « Stratégie de changement ») locks the tab;
    // the agreement is locked when all its sections are
    const whole = id === 'agreement' ? locked.length === own.length : locked.includes(own[0])
    mark(tab, locked.length === 0 ? null : whole ? t('lockmark.locked') : t('lockmark.partly'))
    for (const zone of own) {
      for (const heading of headingsOf(zone)) mark(heading, all || locks.includes(zone) ? t('lockmark.locked') : null)
    }
  }
}
