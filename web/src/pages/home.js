// @ts-check
// The home page: boards this browser joined, and for the operator a form to create a board and
// its first facilitator link.

import { h, byId, clear } from '../lib/dom.js'
import { t, pick, catalog, roleLabel } from '../lib/page.js'
import { api, errorDetail } from '../lib/api.js'
import { knownBoards, operatorToken, saveOperatorToken } from '../lib/store.js'
import { copyText } from '../board/facilitator.js'

function renderKnown () {
  const boards = knownBoards()
  const box = /** @type {HTMLElement | null} */ (byId('known-boards'))
  if (!box) return
  clear(box)
  if (!boards.length) {
    box.append(h('p', { class: 'muted' }, t('home.noBoards')))
    return
  }
  box.append(h('ul', { class: 'link-list' }, boards.map((board) =>
    h('li', {}, h('a', { href: `/boards/${encodeURIComponent(board.id)}` }, board.title || board.id), ` — ${roleLabel(board.role)}`))))
}

function setupOperator () {
  const form = /** @type {HTMLFormElement | null} */ (byId('create-form'))
  if (!form) return
  const template = /** @type {HTMLSelectElement} */ (byId('create-template'))
  for (const entry of catalog().templates) template.append(h('option', { value: entry.id }, pick(entry.label)))
  const token = /** @type {HTMLInputElement} */ (byId('operator-token'))
  token.value = operatorToken()
  const result = byId('create-result')
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    clear(result)
    const titleField = /** @type {HTMLInputElement} */ (byId('create-title'))
    const title = titleField.value.trim()
    if (!title) {
      result.append(h('p', { class: 'error' }, t('home.needTitle')))
      titleField.focus()
      return
    }
    saveOperatorToken(token.value.trim())
    try {
      const board = await api('POST', '/api/boards', { token: token.value.trim(), body: { title, template: template.value } })
      const invite = await api('POST', `/api/boards/${board.id}/invites`, {
        token: token.value.trim(),
        body: { role: 'facilitator', label: t('home.facilitatorLabel'), expires_in: 90 * 86400 }
      })
      const link = h('input', { id: 'facilitator-link', type: 'text', readOnly: true, value: invite.url, class: 'invite-url' })
      result.append(
        h('p', { role: 'status' }, t('home.created', { title: board.title })),
        h('label', { for: 'facilitator-link' }, t('home.facilitatorLink')),
        h('div', { class: 'row' }, link,
          h('button', { type: 'button', class: 'button', onclick: async () => { await copyText(invite.url, link) } }, t('facilitator.copy')),
          h('a', { class: 'button', href: invite.url }, t('home.openAsFacilitator'))))
    } catch (error) {
      result.append(h('p', { class: 'error', role: 'alert' }, t('home.createFailed', { detail: errorDetail(error) })))
    }
  })
}

renderKnown()
setupOperator()
