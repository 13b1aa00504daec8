// @ts-check
// The join page: a display name and a party, remembered in this browser, then the board.

import { byId } from '../lib/dom.js'
import { pageData, t } from '../lib/page.js'
import { profile, saveProfile, saveBoardAccess } from '../lib/store.js'

function start () {
  const data = pageData()
  const invite = data.invite
  const form = /** @type {HTMLFormElement | null} */ (byId('join-form'))
  if (!form || !invite) return
  const name = /** @type {HTMLInputElement} */ (byId('join-name'))
  const remembered = profile()
  if (!name.value) name.value = remembered.name || ''
  const parties = Array.from(/** @type {NodeListOf<HTMLInputElement>} */ (form.querySelectorAll('input[name="party"]')))
  const wanted = parties.find((input) => input.value === remembered.party) || parties.find((input) => input.dataset.suggested === 'true')
  if (wanted && !parties.some((input) => input.checked)) wanted.checked = true
  const error = byId('join-error')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const chosen = parties.find((input) => input.checked)
    const display = name.value.trim()
    if (!display) {
      error.textContent = t('join.needName')
      name.setAttribute('aria-invalid', 'true')
      name.focus()
      return
    }
    if (!chosen) {
      error.textContent = t('join.needParty')
      parties[0].focus()
      return
    }
    saveProfile(display, chosen.value)
    const boardSelect = /** @type {HTMLSelectElement | null} */ (byId('join-board'))
    const board = boardSelect ? boardSelect.value : invite.board
    const boardTitle = boardSelect ? /** @type {string} */ (boardSelect.selectedOptions[0].textContent) : invite.boardTitle
    saveBoardAccess(board, {
      token: invite.token,
      role: invite.role,
      name: display,
      party: chosen.value,
      inviteId: invite.id,
      label: invite.label,
      expiresAt: invite.expires_at,
      boardTitle
    })
    location.assign(`/boards/${encodeURIComponent(board)}`)
  })
  form.hidden = false
  name.focus()
}

start()
