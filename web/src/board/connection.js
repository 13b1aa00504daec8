// @ts-check
// The live connection to a board: the official y-websocket provider, plus Atelier's durable
// acks (message 100) and notices (message 101), close codes, and the saved indicator's state.
// Reconnecting is ours, not the provider's (see reconnect.js): every close goes through
// `afterClose`, which retries with backoff and jitter or stops for good.

import * as Y from 'yjs'
import * as decoding from 'lib0/decoding'
import { WebsocketProvider, messageSync } from 'y-websocket'
import { CloseCode } from '../lib/closecodes.js'
import { closeClass, isTerminal, retryDelay } from './reconnect.js'
import { HttpWebSocket, TransportChoice, choosingSocket } from './fallback.js'

export const MESSAGE_DURABLE_ACK = 100
export const MESSAGE_NOTICE = 101
/** What a WebSocket reports when it never reached the server; the board check says the same. */
const UNREACHABLE = 1006

/** @typedef {'connecting' | 'saved' | 'saving' | 'offline' | 'closed'} Status */
/** @typedef {{code: number, reason: string}} Closed */
/** @typedef {{kind: string, ok?: boolean, [field: string]: unknown}} Notice */
/** @typedef {{code: number, at: number}} Retry when the next attempt starts (Date.now() ms) */
/** @typedef {import('./offline.js').LocalCopy} LocalCopy */
/** @typedef {() => Promise<boolean>} BeforeConnect false: do not connect (the page said why); throws: retry later */

/**
 * @typedef {object} Events
 * What a Connection tells its listeners.
 * @property {(status: Status, extra: {storageOk: boolean}) => void} status
 * @property {(notice: Notice) => void} notice
 * @property {(closed: Closed) => void} closed
 * @property {() => void} synced
 * @property {(retry: Retry | null) => void} retry the next attempt, or null once connected
 * @property {() => void} reset the server lacks what this copy saw saved: nothing was sent
 */

/**
 * First bytes of an update-carrying frame: messageSync then SyncStep2 (1) or Update (2).
 * @param {unknown} data what is passed to WebSocket.send
 */
export function isUpdateFrame (data) {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(/** @type {ArrayBuffer} */ (data))
  return bytes.length > 1 && bytes[0] === 0 && (bytes[1] === 1 || bytes[1] === 2)
}

/**
 * A WebSocket that counts the update frames it sends, for the server's durable acks.
 * @param {Connection} connection
 * @param {typeof WebSocket} [Base] WebSocket, or the HTTP fallback's look-alike (fallback.js)
 * @returns {typeof WebSocket}
 */
function countingSocket (connection, Base = WebSocket) {
  return class CountingWebSocket extends Base {
    /**
     * @param {string | URL} url
     * @param {string | string[]} [protocols]
     */
    constructor (url, protocols) {
      super(url, protocols)
      connection.socketOpened(this)
    }

    /** @param {Parameters<WebSocket['send']>[0]} data */
    send (data) {
      if (isUpdateFrame(data)) connection.frameSent(this, data)
      super.send(data)
    }
  }
}

export class Connection {
  /**
   * @param {{wsUrl: string, boardId: string, doc: import('yjs').Doc, params: Record<string, string>, local: LocalCopy, beforeConnect?: BeforeConnect}} options
   * `local` counts the pending updates and keeps them; `beforeConnect` runs before each attempt.
   */
  constructor ({ wsUrl, boardId, doc, params, local, beforeConnect }) {
    this.doc = doc
    this.local = local
    this.beforeConnect = beforeConnect
    /** @type {WebSocket | null} */
    this.socket = null
    this.sent = 0
    this.acked = 0
    /** @type {Array<{count: number, stateVector: Uint8Array}>} per update frame of this socket */
    this.frames = []
    /** pending local updates some frame of this socket carries */
    this.assigned = 0
    this.attempts = 0
    /** @type {Retry | null} */
    this.retry = null
    /** @type {number | undefined} */
    this.retryTimer = undefined
    this.started = false
    this.destroyed = false
    /** set once the person chose to send this copy to a server that lacks what it saw saved */
    this.allowBehindServer = false
    this.everConnected = false
    this.unsentOffline = false
    this.storageOk = true
    /** @type {Closed | null} */
    this.terminal = null
    /** @type {{[K in keyof Events]: Set<Events[K]>}} */
    this.listeners = { status: new Set(), notice: new Set(), closed: new Set(), synced: new Set(), retry: new Set(), reset: new Set() }
    /** @type {Status | undefined} */
    this.lastStatus = undefined
    /** @type {boolean | undefined} */
    this.lastStorageOk = undefined
    // before the provider's own listener, so a local update is counted before its frame goes
    doc.on('update', (_update, origin) => {
      if (origin !== this.provider && origin !== this.local.persistence) this.local.added()
    })
    this.provider = new WebsocketProvider(wsUrl, boardId, doc, {
      connect: false,
      params: { ...params, acks: '1' },
      // WebSocket, or HTTP (SSE + POST) when the network blocks it or ?transport=http asks
      WebSocketPolyfill: choosingSocket(
        countingSocket(this), countingSocket(this, HttpWebSocket), new TransportChoice()),
      shouldReconnect: () => false,
      disableBc: true
    })
    this.awareness = this.provider.awareness
    this.provider.messageHandlers[MESSAGE_DURABLE_ACK] = (_encoder, decoder, provider) => {
      const count = decoding.readVarUint(decoder)
      if (provider === this.provider) this.durable(count)
    }
    this.provider.messageHandlers[MESSAGE_NOTICE] = (_encoder, decoder) => {
      this.notice(decoding.readVarString(decoder))
    }
    const sync = this.provider.messageHandlers[messageSync]
    this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, emitSynced, type) => {
      if (provider === this.provider && this.serverWasReset(decoder)) return
      sync(encoder, decoder, provider, emitSynced, type)
    }
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') this.everConnected = true
      this.emitStatus()
    })
    this.provider.on('sync', (synced) => {
      if (synced) {
        this.attempts = 0
        this.emit('synced')
      }
      this.emitStatus()
    })
    this.provider.on('closed', ({ code, reason }) => this.afterClose(code, reason))
    this.local.onChange(() => this.emitStatus())
    doc.on('update', (_update, origin) => {
      if (origin !== this.provider && !this.provider.wsconnected) this.unsentOffline = true
      this.emitStatus()
    })
    this._offline = () => this.provider.disconnect()
    this._online = () => this.retryNow()
    window.addEventListener('offline', this._offline)
    window.addEventListener('online', this._online)
  }

  /** Open the connection (after the local copy is loaded, so it is what the sync compares). */
  start () {
    if (this.started) return
    this.started = true
    this.attempt()
  }

  async attempt () {
    clearTimeout(this.retryTimer)
    this.retryTimer = undefined
    if (this.terminal || this.destroyed) return
    this.setRetry(null)
    if (!navigator.onLine) return // the 'online' event tries again
    let go = true
    try {
      if (this.beforeConnect) go = await this.beforeConnect()
    } catch (error) {
      // the server answered "too busy" to the board check: wait as for 1013
      const status = /** @type {{status?: number}} */ (error).status
      this.later(status === 429 || status === 503 ? CloseCode.OVERLOADED : UNREACHABLE)
      return
    }
    if (go && !this.terminal && !this.destroyed) this.provider.connect()
  }

  /**
   * Every close ends here (the provider never reconnects by itself).
   * @param {number} code
   * @param {string} reason
   */
  afterClose (code, reason) {
    if (this.destroyed || this.terminal) return
    if (isTerminal(closeClass(code))) {
      this.stop({ code, reason })
      return
    }
    this.later(code)
  }

  /** @param {number} code why the last attempt ended */
  later (code) {
    const delay = retryDelay(this.attempts, closeClass(code))
    this.attempts += 1
    this.setRetry({ code, at: Date.now() + delay })
    this.retryTimer = setTimeout(() => this.attempt(), delay)
    this.emitStatus()
  }

  /** « Réessayer maintenant », or the browser is back online. */
  retryNow () {
    if (this.terminal || this.destroyed || !this.started) return
    if (this.provider.wsconnected || this.provider.wsconnecting) return
    this.attempt()
  }

  /** @param {Retry | null} retry */
  setRetry (retry) {
    this.retry = retry
    this.emit('retry', retry)
  }

  /** @param {Closed} closed */
  stop (closed) {
    clearTimeout(this.retryTimer)
    this.setRetry(null)
    this.terminal = closed
    this.provider.disconnect()
    this.emit('closed', closed)
    this.emitStatus()
  }

  /**
   * Whether a sync message is the server's SyncStep1 with a state vector that lacks content
   * this copy saw acknowledged durable: the server was reset (restored from an older backup).
   * Then nothing is answered (our SyncStep2 would upload the old content silently) and the
   * connection stops until the person decides.
   * @param {decoding.Decoder} decoder
   */
  serverWasReset (decoder) {
    if (this.allowBehindServer) return false
    const peek = decoding.clone(decoder)
    if (decoding.readVarUint(peek) !== 0) return false
    const server = Y.decodeStateVector(decoding.readVarUint8Array(peek))
    if (!this.local.serverIsBehind(server)) return false
    this.terminal = { code: CloseCode.NORMAL, reason: 'server reset' }
    clearTimeout(this.retryTimer)
    this.provider.disconnect()
    this.emit('reset')
    this.emitStatus()
    return true
  }

  /** The person chose to send this copy to the server that lacks part of it. */
  sendToBehindServer () {
    this.allowBehindServer = true
    this.local.forgetAcked()
    this.terminal = null
    this.attempts = 0
    this.attempt()
  }

  /**
   * @template {keyof Events} K
   * @param {K} kind
   * @param {Events[K]} fn
   * @returns {() => void} stops listening
   */
  on (kind, fn) {
    this.listeners[kind].add(fn)
    return () => this.listeners[kind].delete(fn)
  }

  /**
   * @template {keyof Events} K
   * @param {K} kind
   * @param {Parameters<Events[K]>} args
   */
  emit (kind, ...args) {
    for (const fn of this.listeners[kind]) /** @type {(...args: unknown[]) => void} */ (fn)(...args)
  }

  /** @param {WebSocket} socket */
  socketOpened (socket) {
    // frames the last connection sent but never saw acknowledged go again in the next sync
    if (this.sent > this.acked) this.unsentOffline = true
    this.socket = socket
    this.sent = 0
    this.acked = 0
    this.frames = []
    this.assigned = 0
  }

  /**
   * A SyncStep2 carries every pending update not yet in a frame; an Update, the one just made.
   * @param {WebSocket} socket
   * @param {unknown} data
   */
  frameSent (socket, data) {
    if (socket !== this.socket) return
    this.sent += 1
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(/** @type {ArrayBuffer} */ (data))
    const unassigned = Math.max(0, this.local.pending - this.assigned)
    const count = bytes[1] === 1 ? unassigned : Math.min(1, unassigned)
    this.assigned += count
    this.frames.push({ count, stateVector: Y.encodeStateVector(this.doc) })
    this.emitStatus()
  }

  /** @param {number} count how many update frames of this socket are durable */
  durable (count) {
    let settled = 0
    for (let i = this.acked; i < Math.min(count, this.frames.length); i++) settled += this.frames[i].count
    const last = this.frames[Math.min(count, this.frames.length) - 1]
    if (last && count > this.acked) this.local.settled(settled, last.stateVector)
    this.assigned = Math.max(0, this.assigned - settled)
    this.acked = Math.max(this.acked, count)
    if (this.acked >= this.sent && this.sent > 0) this.unsentOffline = false
    this.emitStatus()
  }

  /** @param {string} raw */
  notice (raw) {
    /** @type {Notice} */
    let notice
    try {
      notice = JSON.parse(raw)
    } catch {
      return
    }
    if (notice.kind === 'storage') {
      this.storageOk = Boolean(notice.ok)
      this.emitStatus()
    }
    this.emit('notice', notice)
  }

  /** @returns {Status} */
  get status () {
    if (this.terminal) return 'closed'
    const provider = this.provider
    if (!provider.wsconnected) return this.everConnected || this.retry ? 'offline' : 'connecting'
    if (!provider.synced) return this.everConnected && this.unsentOffline ? 'saving' : 'connecting'
    if (this.acked < this.sent || this.unsentOffline || this.local.pending > 0 || !this.storageOk) return 'saving'
    return 'saved'
  }

  get synced () {
    return this.provider.synced
  }

  emitStatus () {
    const status = this.status
    if (status === this.lastStatus && this.storageOk === this.lastStorageOk) return
    this.lastStatus = status
    this.lastStorageOk = this.storageOk
    this.emit('status', status, { storageOk: this.storageOk })
  }

  destroy () {
    this.destroyed = true
    clearTimeout(this.retryTimer)
    window.removeEventListener('offline', this._offline)
    window.removeEventListener('online', this._online)
    this.provider.destroy()
  }
}
