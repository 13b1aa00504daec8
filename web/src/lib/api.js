// The JSON API: Bearer token in, JSON or problem+json out.

export class ApiError extends Error {
  constructor (status, title, detail) {
    super(detail || title || `HTTP ${status}`)
    this.status = status
    this.title = title
    this.detail = detail
  }

  /** The endpoint is not there (yet): the page says so instead of failing. */
  get missing () {
    return this.status === 404 || this.status === 405
  }
}

export async function request (method, path, { token, body, accept } = {}) {
  const headers = { Accept: accept || 'application/json' }
  if (token) headers.Authorization = `Bearer ${token}`
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  let response
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  } catch (error) {
    throw new ApiError(0, 'network', String(error && error.message ? error.message : error))
  }
  if (!response.ok) {
    let problem = {}
    try {
      problem = await response.json()
    } catch {}
    throw new ApiError(response.status, problem.title, problem.detail)
  }
  return response
}

export async function api (method, path, options) {
  const response = await request(method, path, options)
  if (response.status === 204) return null
  const type = response.headers.get('content-type') || ''
  return type.includes('json') ? response.json() : response.text()
}

/** Download a protected file: fetch it with the token, then hand it to the browser. */
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
