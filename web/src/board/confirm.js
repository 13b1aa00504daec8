// @ts-check
// A modal question asked before an action one may regret (deleting another party's note):
// a native <dialog> (focus kept inside, Escape cancels), never window.confirm, which blocks
// the page and the live connection's timers and cannot be styled or translated.

import { h } from '../lib/dom.js'

/**
 * @typedef {object} Question
 * @property {string} title
 * @property {string} message
 * @property {string} confirm the label of the button that acts
 * @property {string} cancel the label of the button that keeps things as they are
 */

/**
 * Ask, and resolve to whether the person confirmed; focus goes back where it was.
 * @param {Question} question
 * @returns {Promise<boolean>}
 */
export function askConfirm ({ title, message, confirm, cancel }) {
  if (document.getElementById('confirm-dialog')) return Promise.resolve(false) // one question at a time
  const before = /** @type {HTMLElement | null} */ (document.activeElement)
  const keep = h('button', { type: 'button', class: 'button button--quiet', id: 'confirm-cancel' }, cancel)
  const act = h('button', { type: 'button', class: 'button button--danger', id: 'confirm-ok' }, confirm)
  const dialog = h('dialog', { class: 'confirm-dialog', id: 'confirm-dialog', role: 'alertdialog', 'aria-labelledby': 'confirm-title', 'aria-describedby': 'confirm-message' },
    h('h2', { id: 'confirm-title' }, title),
    h('p', { id: 'confirm-message' }, message),
    h('div', { class: 'row' }, act, keep))
  document.body.append(dialog)
  return new Promise((resolve) => {
    /** @param {boolean} yes */
    const done = (yes) => {
      dialog.close()
      dialog.remove()
      before?.focus?.()
      resolve(yes)
    }
    act.addEventListener('click', () => done(true))
    keep.addEventListener('click', () => done(false))
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); done(false) })
    dialog.showModal()
    keep.focus() // the safe answer is the default one
  })
}
