// @ts-check
// What the browser remembers: the invites it joined with, the name and party, its own id.

/** @typedef {import('./types.js').BoardAccess} BoardAccess */
/** @typedef {{id: string, title: string, role: string, at: number}} KnownBoard */

const PREFIX = 'atelier.'

/**
 * @template T
 * @param {string} key
 * @param {T} fallback
 * @returns {T}
 */
function read (key, fallback) {
  try {
    const raw = localStorage.getItem(PREFIX + key)
    return raw === null ? fallback : JSON.parse(raw)
  } catch {
    return fallback
  }
}

/**
 * @param {string} key
 * @param {unknown} value null forgets the key
 */
function write (key, value) {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key)
    else localStorage.setItem(PREFIX + key, JSON.stringify(value))
  } catch {
    // private browsing or full storage: the page still works for this visit
  }
}

/**
 * The invite this browser joined a board with: {token, role, name, party, inviteId, label, expiresAt}.
 * @param {string} boardId
 * @returns {BoardAccess | null}
 */
export function boardAccess (boardId) {
  return read(`board.${boardId}`, null)
}

/**
 * @param {string} boardId
 * @param {BoardAccess} access
 */
export function saveBoardAccess (boardId, access) {
  write(`board.${boardId}`, access)
  const known = read('boards', /** @type {KnownBoard[]} */ ([])).filter((entry) => entry.id !== boardId)
  known.unshift({ id: boardId, title: access.boardTitle || boardId, role: access.role, at: Date.now() })
  write('boards', known.slice(0, 20))
}

/** @param {string} boardId */
export function forgetBoardAccess (boardId) {
  write(`board.${boardId}`, null)
  write('boards', read('boards', /** @type {KnownBoard[]} */ ([])).filter((entry) => entry.id !== boardId))
}

/** @returns {KnownBoard[]} */
export function knownBoards () {
  return read('boards', [])
}

/** @returns {{name: string, party: string}} */
export function profile () {
  return read('profile', { name: '', party: '' })
}

/**
 * @param {string} name
 * @param {string} party
 */
export function saveProfile (name, party) {
  write('profile', { name, party })
}

/**
 * A stable id for this browser: authorship of notes and dot-votes (one dot per person).
 * @returns {string}
 */
export function clientId () {
  let id = read('clientId', /** @type {string | null} */ (null))
  if (!id) {
    const bytes = new Uint8Array(9)
    crypto.getRandomValues(bytes)
    id = 'p-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
    write('clientId', id)
  }
  return id
}

/** The coordinator's token, kept like a board invite once its join link was opened. */
export function programmeToken () {
  return read('programme', '')
}

/** @param {string} token */
export function saveProgrammeToken (token) {
  write('programme', token || null)
}

export function operatorToken () {
  try {
    return sessionStorage.getItem(PREFIX + 'operator') || ''
  } catch {
    return ''
  }
}

/** @param {string} token an empty one forgets it */
export function saveOperatorToken (token) {
  try {
    if (token) sessionStorage.setItem(PREFIX + 'operator', token)
    else sessionStorage.removeItem(PREFIX + 'operator')
  } catch {
    // storage refused: the operator types the token again next time
  }
}

/**
 * A message to show once after a reload (e.g. why the board had to resynchronise): with a
 * message, keep it; without, take the kept one.
 * @param {string} [message]
 * @returns {string | null}
 */
export function flash (message) {
  try {
    if (message === undefined) {
      const kept = sessionStorage.getItem(PREFIX + 'flash')
      sessionStorage.removeItem(PREFIX + 'flash')
      return kept
    }
    sessionStorage.setItem(PREFIX + 'flash', message)
  } catch {
    // storage refused: the message is not shown again, the page still works
  }
  return null
}
