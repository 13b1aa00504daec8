// What the browser remembers: the invites it joined with, the name and party, its own id.

const PREFIX = 'atelier.'

function read (key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key)
    return raw === null ? fallback : JSON.parse(raw)
  } catch {
    return fallback
  }
}

function write (key, value) {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key)
    else localStorage.setItem(PREFIX + key, JSON.stringify(value))
  } catch {
    // private browsing or full storage: the page still works for this visit
  }
}

/** The invite this browser joined a board with: {token, role, name, party, inviteId, label, expiresAt}. */
export function boardAccess (boardId) {
  return read(`board.${boardId}`, null)
}

export function saveBoardAccess (boardId, access) {
  write(`board.${boardId}`, access)
  const known = read('boards', []).filter((entry) => entry.id !== boardId)
  known.unshift({ id: boardId, title: access.boardTitle || boardId, role: access.role, at: Date.now() })
  write('boards', known.slice(0, 20))
}

export function forgetBoardAccess (boardId) {
  write(`board.${boardId}`, null)
  write('boards', read('boards', []).filter((entry) => entry.id !== boardId))
}

export function knownBoards () {
  return read('boards', [])
}

export function profile () {
  return read('profile', { name: '', party: '' })
}

export function saveProfile (name, party) {
  write('profile', { name, party })
}

/** A stable id for this browser: authorship of notes and dot-votes (one dot per person). */
export function clientId () {
  let id = read('clientId', null)
  if (!id) {
    const bytes = new Uint8Array(9)
    crypto.getRandomValues(bytes)
    id = 'p-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    write('clientId', id)
  }
  return id
}

export function operatorToken () {
  try {
    return sessionStorage.getItem(PREFIX + 'operator') || ''
  } catch {
    return ''
  }
}

export function saveOperatorToken (token) {
  try {
    if (token) sessionStorage.setItem(PREFIX + 'operator', token)
    else sessionStorage.removeItem(PREFIX + 'operator')
  } catch {}
}

/** A message to show once after a reload (e.g. why the board had to resynchronise). */
export function flash (message) {
  try {
    if (message === undefined) {
      const kept = sessionStorage.getItem(PREFIX + 'flash')
      sessionStorage.removeItem(PREFIX + 'flash')
      return kept
    }
    sessionStorage.setItem(PREFIX + 'flash', message)
  } catch {}
  return null
}
