// @ts-check
// The JSON API: Bearer token in, JSON or problem+json out.

export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status, 0 when the request never got an answer
   * @param {string | undefined} title
   * @param {string | undefined} detail the problem document's detail
   */
  constructor (status, title, detail) {
    super(detail || title || `HTTP ${status}`)
    this.status = status
    this.title = title
    this.detail = detail
  }
}

/** What a failed call says, for "… failed: {detail}" messages. */
export function errorDetail (/** @type {unknown} */ error) {
  if (error instanceof ApiError) return error.detail || error.message
  return error instanceof Error ? error.message : String(error)
}

/**
 * @typedef {object} RequestOptions
 * @property {string} [token]
 * @property {unknown} [body] sent as JSON
 * @property {string} [accept]
 */

/**
 * @param {string} method
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<Response>}
 */
export async function request (method, path, { token, body, accept } = {}) {
  /** @type {Record<string, string>} */
  const headers = { Accept: accept || 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    throw new ApiError(0, 'network', String(error instanceof Error && error.message ? error.message : error))
  }
  if (!response.ok) {
    /** @type {{title?: string, detail?: string}} */
    let problem = {}
    try {
      problem = await response.json()
    } catch {
      // not a problem document (a proxy's error page): the status says what went wrong
    }
    throw new ApiError(response.status, problem.title, problem.detail)
  }
  return response
}

/**
 * A JSON call: the parsed body, the text of a non-JSON answer, or null for 204.
 * @param {string} method
 * @param {string} path
 * @param {RequestOptions} [options]
 * @returns {Promise<any>}
 */
export async function api (method, path, options) {
  const response = await request(method, path, options)
  if (response.status === 204) return null
  const type = response.headers.get('content-type') || ''
  return type.includes('json') ? response.json() : response.text()
}

/**
 * Download a protected file: fetch it with the token, then hand it to the browser.
 * @param {string} path
 * @param {string} token
 * @param {string} fallbackName the file name when the answer does not give one
 * @returns {Promise<string>} the file's name
 */
export async function download (path, token, fallbackName) {
  const response = await request('GET', path, { token, accept: '*/*' })
  const blob = await response.blob()
  const disposition = response.headers.get('content-disposition') || ''
  const match = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition)
  const name = match ? decodeURIComponent(match[1]) : fallbackName
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = name
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10000)
  return name
}

/**
 * Show the board's title on a page (the server renders none: only a token holder may read
 * it). When the call fails the page's own calls say why, so this one stays quiet.
 * @param {string} boardId
 * @param {string} token
 * @param {string} pageName what the page is, before the title in the window's title
 */
export async function showBoardTitle (boardId, token, pageName) {
  let board
  try {
    board = await api('GET', `/api/boards/${encodeURIComponent(boardId)}`, { token })
  } catch {
    return
  }
  const title = board && typeof board.title === 'string' ? board.title : ''
  const shown = document.getElementById('board-title')
  if (!title || !shown) return
  shown.textContent = title
  document.title = `${pageName} — ${title} — Atelier`
}
