// @ts-check
// The join page: a display name, remembered in this browser, then the board. The party is
// the invite's, shown by the page: nobody chooses whom they speak for.

import { byId } from '../lib/dom.js'
import { pageData, t } from '../lib/page.js'
import { profile, saveProfile, saveBoardAccess, saveProgrammeToken } from '../lib/store.js'

function start () {
  const data = pageData()
  const invite = data.invite
  const form = /** @type {HTMLFormElement | null} */ (byId('join-form'))
  if (!form || !invite) return
  const name = /** @type {HTMLInputElement} */ (byId('join-name'))
  const remembered = profile()
  if (!name.value) name.value = remembered.name || ''
  const error = byId('join-error')
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const display = name.value.trim()
    if (!display) {
      error.textContent = t('join.needName')
      name.setAttribute('aria-invalid', 'true')
      name.focus()
      return
    }
    const party = invite.party || ''
    saveProfile(display, party)
    if (invite.role === 'coordinator') {
      saveProgrammeToken(invite.token)
      location.assign('/programme')
      return
    }
    const boardSelect = /** @type {HTMLSelectElement | null} */ (byId('join-board'))
    const board = boardSelect ? boardSelect.value : invite.board
    const boardTitle = boardSelect ? /** @type {string} */ (boardSelect.selectedOptions[0].textContent) : invite.boardTitle
    saveBoardAccess(board, {
      token: invite.token,
      role: invite.role,
      name: display,
      party,
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
