// @ts-check
// The board's copy in this browser, in IndexedDB through the official y-indexeddb: the page
// opens from it at once, edits made offline survive a closed tab or a restart, and what the
// server has not yet durably acknowledged is counted.
//
// Pending edits are a persisted COUNT of local updates not yet covered by a durable ack
// (message 100), kept in y-indexeddb's `custom` store beside the updates; not a state-vector
// difference, which counts characters rather than changes. Beside it is kept the state vector
// of the last acknowledged frame: everything in it is durable on the server, so a server whose
// own state vector lacks part of it was reset (restored from an older backup).

import * as Y from 'yjs'
import * as encoding from 'lib0/encoding'
import { IndexeddbPersistence } from 'y-indexeddb'

const PENDING = 'pending'
const ACKED = 'ackedStateVector'
const EPOCH = 'epoch'
/** Past this, a browser that never opens the database (some private modes) is taken as none;
 * a busy machine can take seconds to open it, and giving up then would hide unsent edits. */
const OPEN_TIMEOUT_MS = 10000

/** @typedef {string | number | ArrayBuffer | Date} Stored */

export class LocalCopy {
  /**
   * @param {string} boardId
   * @param {Y.Doc} doc
   */
  constructor (boardId, doc) {
    this.name = `atelier.board.${boardId}`
    this.doc = doc
    /** local updates not yet durable on the server */
    this.pending = 0
    /** @type {Map<number, number>} the state vector last acknowledged durable */
    this.acked = new Map()
    /** @type {number | null} the server's created_at of the board this copy belongs to */
    this.epoch = null
    /** @type {IndexeddbPersistence | null} null when the browser keeps nothing */
    this.persistence = null
    /** @type {Set<() => void>} */
    this.listeners = new Set()
  }

  /** Load the local copy into the document; resolves false when the browser keeps none. */
  async open () {
    if (typeof indexedDB === 'undefined') return false
    try {
      // set first: the updates it loads carry it as origin, and are not local edits
      const persistence = this.persistence = new IndexeddbPersistence(this.name, this.doc)
      const timeout = new Promise((resolve, reject) => setTimeout(() => reject(new Error('indexeddb')), OPEN_TIMEOUT_MS))
      await Promise.race([persistence.whenSynced, timeout])
      const [pending, acked, epoch] = await Promise.all([PENDING, ACKED, EPOCH].map((key) => persistence.get(key)))
      this.pending = typeof pending === 'number' ? pending : 0
      this.acked = acked instanceof Uint8Array ? Y.decodeStateVector(acked) : new Map()
      this.epoch = typeof epoch === 'number' ? epoch : null
      this.changed()
      return true
    } catch {
      this.persistence = null
      return false
    }
  }

  /** @param {() => void} fn called when the pending count changes */
  onChange (fn) {
    this.listeners.add(fn)
  }

  changed () {
    for (const fn of this.listeners) fn()
  }

  /**
   * @param {string} key
   * @param {unknown} value
   */
  store (key, value) {
    this.persistence?.set(key, /** @type {Stored} */ (value)).catch(() => {})
  }

  /** One more local update waits for the server. */
  added () {
    this.pending += 1
    this.store(PENDING, this.pending)
    this.changed()
  }

  /**
   * Some local updates became durable, up to the document's state when their frame was sent.
   * @param {number} count
   * @param {Uint8Array} stateVector
   */
  settled (count, stateVector) {
    this.pending = Math.max(0, this.pending - count)
    for (const [client, clock] of Y.decodeStateVector(stateVector)) {
      this.acked.set(client, Math.max(clock, this.acked.get(client) || 0))
    }
    this.store(PENDING, this.pending)
    this.store(ACKED, encodeStateVector(this.acked))
    if (count) this.changed()
  }

  /**
   * Whether a server holding `server` lacks content this copy saw acknowledged durable.
   * @param {Map<number, number>} server the server's state vector (its SyncStep1)
   */
  serverIsBehind (server) {
    for (const [client, clock] of this.acked) if ((server.get(client) || 0) < clock) return true
    return false
  }

  /**
   * The board this copy belongs to: the server's created_at, so a board deleted and created
   * again under the same id never merges the old content.
   * @param {number} epoch
   */
  setEpoch (epoch) {
    this.epoch = epoch
    this.store(EPOCH, epoch)
  }

  /**
   * Resolves once every write issued so far is on disk: a transaction over both stores
   * starts only after the earlier writes to either have committed.
   * @returns {Promise<void>}
   */
  flushed () {
    const db = this.persistence?.db
    if (!db) return Promise.resolve()
    return new Promise((resolve, reject) => {
      const transaction = db.transaction(['updates', 'custom'], 'readonly')
      transaction.oncomplete = () => resolve()
      transaction.onerror = () => reject(transaction.error)
      transaction.objectStore('custom').count()
    })
  }

  /** Forget the local copy (the document in memory stays, e.g. to download it). */
  async clear () {
    const persistence = this.persistence
    this.persistence = null
    this.pending = 0
    this.acked = new Map()
    this.epoch = null
    this.changed()
    if (persistence) await persistence.clearData()
    else if (typeof indexedDB !== 'undefined') indexedDB.deleteDatabase(this.name)
  }

  /** Forget what was acknowledged (after the person chose to send this copy to a reset server). */
  forgetAcked () {
    this.acked = new Map()
    this.store(ACKED, encodeStateVector(this.acked))
  }
}

/**
 * A state vector in Yjs's own encoding (what Y.encodeStateVector writes).
 * @param {Map<number, number>} vector
 */
function encodeStateVector (vector) {
  const encoder = encoding.createEncoder()
  encoding.writeVarUint(encoder, vector.size)
  for (const [client, clock] of vector) {
    encoding.writeVarUint(encoder, client)
    encoding.writeVarUint(encoder, clock)
  }
  return encoding.toUint8Array(encoder)
}
