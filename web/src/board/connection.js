// @ts-check
// The live connection to a board: the official y-websocket provider, plus Atelier's durable
// acks (message 100) and notices (message 101), close codes, and the saved indicator's state.

import * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'
import { CloseCode } from '../lib/closecodes.js'

export const MESSAGE_DURABLE_ACK = 100
export const MESSAGE_NOTICE = 101

/** Close codes after which reconnecting cannot help: the page explains and stops. */
/** @type {ReadonlySet<number>} */
export const TERMINAL_CLOSE_CODES = new Set([
  CloseCode.TOO_BIG,
  CloseCode.MALFORMED,
  CloseCode.UNAUTHENTICATED,
  CloseCode.FORBIDDEN,
  CloseCode.NO_SUCH_BOARD
])

/** @typedef {'connecting' | 'saved' | 'saving' | 'offline' | 'closed'} Status */
/** @typedef {{code: number, reason: string}} Closed */
/** @typedef {{kind: string, ok?: boolean, [field: string]: unknown}} Notice */

/**
 * @typedef {object} Events
 * What a Connection tells its listeners.
 * @property {(status: Status, extra: {storageOk: boolean}) => void} status
 * @property {(notice: Notice) => void} notice
 * @property {(closed: Closed) => void} closed
 * @property {() => void} synced
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
 * @returns {typeof WebSocket}
 */
function countingSocket (connection) {
  return class CountingWebSocket extends WebSocket {
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
      if (isUpdateFrame(data)) connection.frameSent(this)
      super.send(data)
    }
  }
}

export class Connection {
  /**
   * @param {{wsUrl: string, boardId: string, doc: import('yjs').Doc, params: Record<string, string>}} options
   */
  constructor ({ wsUrl, boardId, doc, params }) {
    this.doc = doc
    /** @type {WebSocket | null} */
    this.socket = null
    this.sent = 0
    this.acked = 0
    this.everConnected = false
    this.unsentOffline = false
    this.storageOk = true
    /** @type {Closed | null} */
    this.terminal = null
    /** @type {{[K in keyof Events]: Set<Events[K]>}} */
    this.listeners = { status: new Set(), notice: new Set(), closed: new Set(), synced: new Set() }
    /** @type {Status | undefined} */
    this.lastStatus = undefined
    /** @type {boolean | undefined} */
    this.lastStorageOk = undefined
    this.provider = new WebsocketProvider(wsUrl, boardId, doc, {
      params: { ...params, acks: '1' },
      WebSocketPolyfill: countingSocket(this),
      shouldReconnect: (event) => !TERMINAL_CLOSE_CODES.has(event.code),
      disableBc: true,
      maxBackoffTime: 3000
    })
    this.awareness = this.provider.awareness
    this.provider.messageHandlers[MESSAGE_DURABLE_ACK] = (_encoder, decoder, provider) => {
      const count = decoding.readVarUint(decoder)
      if (provider === this.provider) this.durable(count)
    }
    this.provider.messageHandlers[MESSAGE_NOTICE] = (_encoder, decoder) => {
      this.notice(decoding.readVarString(decoder))
    }
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') this.everConnected = true
      this.emitStatus()
    })
    this.provider.on('sync', (synced) => {
      if (synced) this.emit('synced')
      this.emitStatus()
    })
    this.provider.on('closed', ({ code, reason }) => {
      this.terminal = { code, reason }
      this.emit('closed', this.terminal)
      this.emitStatus()
    })
    doc.on('update', (_update, origin) => {
      if (origin !== this.provider && !this.provider.wsconnected) this.unsentOffline = true
      this.emitStatus()
    })
    this._offline = () => this.provider.disconnect()
    this._online = () => { if (!this.terminal) this.provider.connect() }
    window.addEventListener('offline', this._offline)
    window.addEventListener('online', this._online)
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
  }

  /** @param {WebSocket} socket */
  frameSent (socket) {
    if (socket !== this.socket) return
    this.sent += 1
    this.emitStatus()
  }

  /** @param {number} count how many update frames of this socket are durable */
  durable (count) {
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
    if (!provider.wsconnected) return this.everConnected ? 'offline' : 'connecting'
    if (!provider.synced) return this.everConnected && this.unsentOffline ? 'saving' : 'connecting'
    if (this.acked < this.sent || this.unsentOffline || !this.storageOk) return 'saving'
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
    window.removeEventListener('offline', this._offline)
    window.removeEventListener('online', this._online)
    this.provider.destroy()
  }
}
