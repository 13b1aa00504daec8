// @ts-check
// The HTTP fallback of the board connection, for networks whose proxies drop the WebSocket
// `Upgrade` header. `HttpSocket` behaves as a WebSocket for the y-websocket provider: the
// server's messages arrive as server-sent events on GET /api/boards/{id}/stream (read with
// fetch, so a refusal's status and problem+json close code can be read), and `send` POSTs the
// client's messages, length-prefixed, one request at a time so they arrive in order.
// `TransportChoice` picks WebSocket or HTTP for each attempt and remembers HTTP for the tab.

/** The tab's choice, kept across reloads of the tab (sessionStorage). */
export const TRANSPORT_KEY = 'atelier.transport'
/** Failures of the WebSocket, before it ever opened in this tab, that switch to HTTP. */
export const FAILURES_BEFORE_FALLBACK = 2
/** A WebSocket still not open after this long counts as failed and is closed. */
export const OPEN_TIMEOUT_MS = 4000
/** Messages batched into one POST up to this many bytes (a larger one goes alone). */
const POST_BATCH_BYTES = 256 * 1024
const ABNORMAL = 1006

/**
 * ws(s)://host/ws/boards/{id}?q → http(s)://host/api/boards/{id}/stream?q
 * @param {string} wsUrl
 */
export function streamUrl (wsUrl) {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = url.pathname.replace(/^\/ws\/boards\//, '/api/boards/') + '/stream'
  return url
}

/** @param {string} text base64 */
function fromBase64 (text) {
  const binary = atob(text)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/**
 * Messages as one POST body: each a lib0 varUint length, then its bytes.
 * @param {Uint8Array[]} messages
 */
export function frameMessages (messages) {
  let size = 0
  for (const m of messages) size += m.length + 10
  const body = new Uint8Array(size)
  let pos = 0
  for (const m of messages) {
    let n = m.length
    while (n > 0x7f) {
      body[pos++] = 0x80 | (n & 0x7f)
      n = Math.floor(n / 128)
    }
    body[pos++] = n
    body.set(m, pos)
    pos += m.length
  }
  return body.subarray(0, pos)
}

/** @param {unknown} data what WebSocket.send accepts */
function toBytes (data) {
  if (data instanceof Uint8Array) return data
  if (data instanceof ArrayBuffer) return new Uint8Array(data)
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  throw new TypeError('only binary messages are part of the protocol')
}

/** A WebSocket look-alike over server-sent events and POST (see the file's comment). */
export class HttpSocket extends EventTarget {
  static CONNECTING = 0
  static OPEN = 1
  static CLOSING = 2
  static CLOSED = 3

  /**
   * @param {string | URL} url the board's WebSocket URL (its token is in the query)
   */
  constructor (url) {
    super()
    this.CONNECTING = 0
    this.OPEN = 1
    this.CLOSING = 2
    this.CLOSED = 3
    this.url = String(url)
    this.readyState = 0
    this.binaryType = 'arraybuffer'
    this.protocol = ''
    this.extensions = ''
    this.bufferedAmount = 0
    /** @type {((event: Event) => void) | null} */
    this.onopen = null
    /** @type {((event: MessageEvent) => void) | null} */
    this.onmessage = null
    /** @type {((event: CloseEvent) => void) | null} */
    this.onclose = null
    /** @type {((event: Event) => void) | null} */
    this.onerror = null
    this.stream = streamUrl(this.url)
    this.token = this.stream.searchParams.get('token') || ''
    /** @type {string | null} */
    this.session = null
    /** @type {Uint8Array[]} */
    this.queue = []
    this.posting = false
    this.pongDue = false
    this.aborter = new AbortController()
    this.read()
  }

  /**
   * @param {string} type
   * @param {Event} event
   */
  fire (type, event) {
    this.dispatchEvent(event)
    const handler = /** @type {any} */ (this)['on' + type]
    if (typeof handler === 'function') handler.call(this, event)
  }

  async read () {
    let response
    try {
      response = await fetch(this.stream, {
        headers: { Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: this.aborter.signal
      })
    } catch {
      this.finish(ABNORMAL, '', true)
      return
    }
    if (!response.ok || !response.body) {
      const problem = await response.json().catch(() => null)
      this.finish(Number(problem?.close_code) || ABNORMAL, String(problem?.detail || ''), true)
      return
    }
    try {
      await this.events(response.body)
    } catch {
      // the stream broke (network, proxy, or this side aborted it)
    }
    this.finish(ABNORMAL, '', true)
  }

  /** @param {ReadableStream<Uint8Array>} body */
  async events (body) {
    const reader = body.getReader()
    const decoder = new TextDecoder()
    let buffer = ''
    while (this.readyState !== 3) {
      const { value, done } = await reader.read()
      if (done) return
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n')
      let end
      while ((end = buffer.indexOf('\n\n')) >= 0 && this.readyState !== 3) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        let name = 'message'
        let data = ''
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) name = line.slice(6).trim()
          else if (line.startsWith('data:')) data += line.slice(5).trim()
        }
        this.event(name, data)
      }
    }
  }

  /**
   * @param {string} name
   * @param {string} data
   */
  event (name, data) {
    if (name === 'message' && this.readyState === 1) {
      const bytes = fromBase64(data)
      this.fire('message', new MessageEvent('message', { data: bytes.buffer }))
    } else if (name === 'session') {
      this.session = JSON.parse(data).session
      this.readyState = 1
      this.fire('open', new Event('open'))
    } else if (name === 'ping') {
      this.pongDue = true
      this.flush()
    } else if (name === 'close') {
      const closed = JSON.parse(data)
      this.finish(Number(closed.code) || ABNORMAL, String(closed.reason || ''), false)
    }
  }

  /** @param {Parameters<WebSocket['send']>[0]} data */
  send (data) {
    if (this.readyState === 0) throw new DOMException('still connecting', 'InvalidStateError')
    if (this.readyState !== 1) return
    this.queue.push(toBytes(data))
    this.flush()
  }

  /** One POST at a time, with what was sent meanwhile (or empty, to answer a ping). */
  async flush () {
    while (!this.posting && this.readyState === 1 && (this.queue.length || this.pongDue)) {
      const batch = []
      let size = 0
      while (this.queue.length && (batch.length === 0 || size + this.queue[0].length <= POST_BATCH_BYTES)) {
        const next = /** @type {Uint8Array} */ (this.queue.shift())
        size += next.length
        batch.push(next)
      }
      this.pongDue = false
      this.posting = true
      try {
        await this.post(frameMessages(batch))
      } finally {
        this.posting = false
      }
    }
  }

  /** @param {Uint8Array} body */
  async post (body) {
    const url = new URL(this.stream)
    url.pathname += '/' + encodeURIComponent(this.session || '')
    url.search = ''
    let response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/octet-stream', Authorization: `Bearer ${this.token}` },
        body: /** @type {BodyInit} */ (/** @type {unknown} */ (body)),
        cache: 'no-store'
      })
    } catch {
      this.finish(ABNORMAL, '', true)
      return
    }
    if (!response.ok) {
      const problem = await response.json().catch(() => null)
      this.finish(Number(problem?.close_code) || ABNORMAL, String(problem?.detail || ''), false)
    }
  }

  /**
   * @param {number} [code]
   * @param {string} [reason]
   */
  close (code = 1000, reason = '') {
    if (this.readyState >= 2) return
    this.readyState = 2
    setTimeout(() => this.finish(code, reason, false), 0) // a WebSocket's close event comes later
  }

  /**
   * The connection is over: stop the stream (the server drops the session at once).
   * @param {number} code
   * @param {string} reason
   * @param {boolean} failed
   */
  finish (code, reason, failed) {
    if (this.readyState === 3) return
    this.readyState = 3
    this.queue = []
    this.aborter.abort()
    if (failed) this.fire('error', new Event('error'))
    this.fire('close', new CloseEvent('close', { code, reason, wasClean: !failed }))
  }
}

/** Which transport the next attempt uses, and when the WebSocket gives way to HTTP. */
export class TransportChoice {
  /** @param {URLSearchParams} [query] the page's query (`?transport=http` forces it) */
  constructor (query = new URLSearchParams(location.search)) {
    const forced = query.get('transport')
    if (forced === 'http' || forced === 'ws') remember(forced)
    this.http = recall() === 'http'
    this.failures = 0
    this.everOpened = false
  }

  /**
   * Watch a WebSocket attempt: failures before any open in this tab switch to HTTP.
   * @param {WebSocket} socket
   */
  watch (socket) {
    const timer = setTimeout(() => {
      if (socket.readyState === WebSocket.CONNECTING) {
        this.failed(FAILURES_BEFORE_FALLBACK)
        socket.close()
      }
    }, OPEN_TIMEOUT_MS)
    socket.addEventListener('open', () => {
      clearTimeout(timer)
      this.everOpened = true
      remember('ws')
    })
    socket.addEventListener('close', () => {
      clearTimeout(timer)
      if (!this.everOpened) this.failed(1)
    })
  }

  /** @param {number} count */
  failed (count) {
    if (this.everOpened || this.http) return
    this.failures += count
    if (this.failures >= FAILURES_BEFORE_FALLBACK) {
      this.http = true
      remember('http')
    }
  }
}

/** @param {string} value */
function remember (value) {
  try {
    sessionStorage.setItem(TRANSPORT_KEY, value)
  } catch {
    // storage refused (private mode): the choice lasts for this page only
  }
}

function recall () {
  try {
    return sessionStorage.getItem(TRANSPORT_KEY)
  } catch {
    return null
  }
}

/**
 * A WebSocket class for the provider that builds, per attempt, the WebSocket or the HTTP one.
 * @param {typeof WebSocket} Ws
 * @param {typeof WebSocket} Http
 * @param {TransportChoice} choice
 * @returns {typeof WebSocket}
 */
export function choosingSocket (Ws, Http, choice) {
  /**
   * @param {string | URL} url
   * @param {string | string[]} [protocols]
   */
  function ChosenSocket (url, protocols) {
    if (choice.http) {
      const socket = new Http(url, protocols)
      socket.addEventListener('open', () => showFallback(true))
      return socket
    }
    const socket = new Ws(url, protocols)
    choice.watch(socket)
    socket.addEventListener('open', () => showFallback(false))
    return socket
  }
  ChosenSocket.CONNECTING = 0
  ChosenSocket.OPEN = 1
  ChosenSocket.CLOSING = 2
  ChosenSocket.CLOSED = 3
  return /** @type {typeof WebSocket} */ (/** @type {unknown} */ (ChosenSocket))
}

/**
 * The small note next to the saved indicator while the HTTP fallback carries the board.
 * @param {boolean} shown
 */
export function showFallback (shown) {
  const status = document.getElementById('save-status')
  if (!status) return
  let note = document.getElementById('transport-note')
  if (!shown) {
    note?.remove()
    return
  }
  if (!note) {
    note = document.createElement('small')
    note.id = 'transport-note'
    note.className = 'transport-note'
    status.after(note)
  }
  const english = document.documentElement.lang === 'en'
  note.textContent = english ? 'backup connection (HTTP)' : 'connexion de secours (HTTP)'
  note.title = english
    ? 'WebSocket is blocked on this network: the board goes over plain HTTP'
    : 'Le WebSocket est bloqué sur ce réseau : le tableau passe par HTTP'
}

/** `HttpSocket` typed as the WebSocket class it stands in for. */
export const HttpWebSocket = /** @type {typeof WebSocket} */ (/** @type {unknown} */ (HttpSocket))
