#!/usr/bin/env node
// Test driver for the official Yjs client: any number of named clients, each a Y.Doc synced
// through a WebsocketProvider (y-websocket) with the `ws` package as WebSocket implementation.
//
// Control: one JSON object per line on stdin, {"id": <number>, "cmd": "<name>", ...arguments}.
// Answer: one JSON line per command on stdout, {"id", "ok": true, "result"} or
// {"id", "ok": false, "error"}. Commands run concurrently and may answer out of order; a
// failing command never stops the driver. Diagnostics go to stderr only.
//
// Every client is created with `disableBc: true`: all clients share this one process, and the
// BroadcastChannel fallback would otherwise let them sync without the server.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import * as awarenessProtocol from 'y-protocols/awareness'
import * as decoding from 'lib0/decoding'
import WebSocket from 'ws'
import readline from 'node:readline'
import fs from 'node:fs'
import { Console } from 'node:console'

const MSG_SYNC = 0
const MSG_DURABLE_ACK = 100
const MSG_NOTICE = 101
const DEFAULT_TIMEOUT_MS = 10000

// stdout carries answers only: every console channel writes to stderr.
const stderrConsole = new Console({ stdout: process.stderr, stderr: process.stderr })
for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace', 'dir']) {
  console[level] = stderrConsole[level].bind(stderrConsole)
}
const logErr = (...args) => process.stderr.write(`[driver] ${args.join(' ')}\n`)
process.on('uncaughtException', (err) => logErr('uncaught exception:', err && err.stack ? err.stack : String(err)))
process.on('unhandledRejection', (err) => logErr('unhandled rejection:', err && err.stack ? err.stack : String(err)))
process.setMaxListeners(0) // every provider adds a process 'exit' listener

const answer = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')

// ------------------------------------------------------------------------------- helpers

class CommandError extends Error {}

const fail = (message) => { throw new CommandError(message) }
const asBuffer = (data) => {
  if (typeof data === 'string') return Buffer.from(data, 'utf8')
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data))
  if (Array.isArray(data)) return Buffer.concat(data)
  return Buffer.from(data)
}
const need = (args, key) => {
  if (args[key] === undefined) fail(`missing argument '${key}'`)
  return args[key]
}
const toB64 = (bytes) => Buffer.from(bytes).toString('base64')
const fromB64 = (text) => new Uint8Array(Buffer.from(text, 'base64'))

// Every state change of any client wakes every waiter, which re-checks its own condition.
// Checks run on the next turn of the event loop (outside any Yjs transaction), once per burst.
const waiters = new Set()
let checkScheduled = false
const notify = () => {
  if (checkScheduled) return
  checkScheduled = true
  setImmediate(() => {
    checkScheduled = false
    for (const waiter of Array.from(waiters)) waiter.check()
  })
}

/**
 * Resolve with the first truthy value of `check()`, evaluated now and after every change;
 * reject with `describe()` when `timeoutMs` passes first.
 */
const waitFor = (check, timeoutMs, describe) => new Promise((resolve, reject) => {
  const waiter = {
    check: () => {
      let value
      try {
        value = check()
      } catch (err) {
        finish()
        reject(err)
        return
      }
      if (value) {
        finish()
        resolve(value)
      }
    }
  }
  const timer = setTimeout(() => {
    finish()
    let text
    try {
      text = describe()
    } catch (err) {
      text = `(could not describe the state: ${err})`
    }
    reject(new CommandError(`timed out after ${timeoutMs} ms: ${text}`))
  }, timeoutMs)
  const finish = () => {
    clearTimeout(timer)
    waiters.delete(waiter)
  }
  waiters.add(waiter)
  waiter.check()
})

// Deterministic PRNG (mulberry32) so random edit sequences can be replayed from a seed.
const prng = (seed) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6D2B79F5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Frame kind label: "0/0" SyncStep1, "0/1" SyncStep2, "0/2" Update, "1" awareness, …
const frameKind = (data) => {
  try {
    const bytes = data instanceof Uint8Array ? data : new Uint8Array(data)
    const decoder = decoding.createDecoder(bytes)
    const type = decoding.readVarUint(decoder)
    if (type === MSG_SYNC && decoding.hasContent(decoder)) {
      return `${type}/${decoding.readVarUint(decoder)}`
    }
    return String(type)
  } catch (err) {
    return 'malformed'
  }
}
const bump = (counts, key) => { counts[key] = (counts[key] || 0) + 1 }

// ------------------------------------------------------------------------------- documents

const kindOfType = (type) => {
  if (type instanceof Y.Map) return 'map'
  if (type instanceof Y.Text) return 'text'
  if (type instanceof Y.Array) return 'array'
  if (type instanceof Y.XmlFragment) return 'xml'
  return null
}

/** The kind of a root that arrived from a peer and was never accessed with a type here. */
const inferKind = (type) => {
  const known = kindOfType(type)
  if (known !== null) return known
  if (type._map.size > 0) return 'map'
  for (let item = type._start; item !== null; item = item.right) {
    if (item.deleted) continue
    const content = item.content
    if (content instanceof Y.ContentString || content instanceof Y.ContentFormat ||
        content instanceof Y.ContentEmbed) return 'text'
    return 'array'
  }
  return null
}

const typedRoot = (doc, name, kind) => {
  switch (kind) {
    case 'map': return doc.getMap(name)
    case 'text': return doc.getText(name)
    case 'array': return doc.getArray(name)
    case 'xml': return doc.getXmlFragment(name)
    default: fail(`unknown root kind '${kind}'`)
  }
}

const rootJSON = (type, kind) => kind === 'xml' ? type.toString() : type.toJSON()

/**
 * Decide one kind per root over several docs: a root typed anywhere keeps that type, other
 * roots are inferred from their content; roots that are empty everywhere are left out.
 */
const resolveKinds = (docs, explicit) => {
  const kinds = {}
  for (const [kind, names] of [['map', explicit.maps], ['text', explicit.texts], ['array', explicit.arrays]]) {
    for (const name of names || []) kinds[name] = kind
  }
  if (Object.keys(kinds).length > 0) return kinds
  for (const doc of docs) {
    doc.share.forEach((type, name) => {
      const kind = kindOfType(type)
      if (kind !== null) kinds[name] = kind
    })
  }
  for (const doc of docs) {
    doc.share.forEach((type, name) => {
      if (kinds[name] === undefined) {
        const kind = inferKind(type)
        if (kind !== null) kinds[name] = kind
      }
    })
  }
  return kinds
}

const docJSON = (doc, kinds) => {
  const out = {}
  for (const name of Object.keys(kinds).sort()) {
    out[name] = rootJSON(typedRoot(doc, name, kinds[name]), kinds[name])
  }
  return out
}

/** JSON text with object keys sorted, so map insertion order does not count as a difference. */
const canonical = (value) => JSON.stringify(value, (_key, v) => {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
  }
  return v
})

const clocksOf = (doc) => {
  const clocks = {}
  for (const [client, clock] of Array.from(Y.decodeStateVector(Y.encodeStateVector(doc))).sort((a, b) => a[0] - b[0])) {
    clocks[String(client)] = clock
  }
  return clocks
}

/** The Y.Map at `path`: a root map, then nested maps by key. */
const mapAt = (doc, path) => {
  if (!Array.isArray(path) || path.length === 0) fail("'path' must be a non-empty list")
  let current = doc.getMap(path[0])
  for (const key of path.slice(1)) {
    const child = current.get(key)
    if (!(child instanceof Y.Map)) fail(`no map at ${JSON.stringify(path)} (stopped at '${key}')`)
    current = child
  }
  return current
}

const textAt = (doc, path, key) => {
  const text = mapAt(doc, path).get(key)
  if (!(text instanceof Y.Text)) fail(`no text at ${JSON.stringify([...path, key])}`)
  return text
}

/** JSON with {"$map": {...}} and {"$text": "..."} turned into new shared types. */
const toShared = (value) => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    if (typeof value.$text === 'string') return new Y.Text(value.$text)
    if (value.$map !== undefined) {
      const map = new Y.Map()
      for (const [key, inner] of Object.entries(value.$map)) map.set(key, toShared(inner))
      return map
    }
  }
  return value
}

// ------------------------------------------------------------------------------- clients

const clients = new Map()

const getClient = (args) => {
  const name = need(args, 'client')
  const client = clients.get(name)
  if (!client) fail(`no client named '${name}'`)
  return client
}

class Client {
  constructor (name, args) {
    this.name = name
    this.doc = new Y.Doc()
    if (args.doc_from !== undefined) {
      const source = getClient({ client: args.doc_from })
      Y.applyUpdate(this.doc, Y.encodeStateAsUpdate(source.doc), 'doc_from')
    }
    this.closeEvents = [] // every 'connection-close', server closes and local ones
    this.closeCursor = 0 // wait_close hands out server closes in order, each once
    this.terminal = [] // 'closed' events: the provider gave up reconnecting
    this.errors = []
    this.history = [] // provider status changes: connecting, connected, disconnected
    this.connections = [] // one record per WebSocket the provider opened
    this.destroyed = false

    const client = this
    // The provider calls `new WebSocketPolyfill(url, protocols)`; this subclass counts the
    // frames in both directions for the connection it belongs to.
    const deflate = (args.options || {}).deflate ?? true // browsers always offer it
    const capture = Boolean((args.options || {}).capture_bytes)
    class CountingWebSocket extends WebSocket {
      constructor (url, protocols) {
        super(url, protocols, { perMessageDeflate: deflate })
        const conn = {
          index: client.connections.length,
          url,
          opened: false,
          received: {},
          sent: {},
          acked: null,
          notices: [],
          bytes: []
        }
        client.connections.push(conn)
        this.conn = conn
        this.addEventListener('open', () => { conn.opened = true; notify() })
        this.addEventListener('message', (event) => {
          bump(conn.received, frameKind(event.data))
          if (capture) conn.bytes.push(asBuffer(event.data)) // options.capture_bytes: every byte heard
          notify()
        })
      }

      send (data, ...rest) {
        if (this.conn) bump(this.conn.sent, frameKind(data))
        return super.send(data, ...rest)
      }
    }

    const params = {}
    for (const [key, value] of Object.entries(args.params || {})) params[key] = String(value)
    const options = args.options || {}
    this.provider = new WebsocketProvider(need(args, 'url'), need(args, 'room'), this.doc, {
      params,
      WebSocketPolyfill: CountingWebSocket,
      connect: false,
      disableBc: true,
      ...(options.max_backoff_ms !== undefined ? { maxBackoffTime: options.max_backoff_ms } : {}),
      ...(options.resync_interval_ms !== undefined ? { resyncInterval: options.resync_interval_ms } : {})
    })
    const provider = this.provider

    // Atelier extensions: durable acknowledgements and notices, sent only with `acks=1`.
    provider.messageHandlers[MSG_DURABLE_ACK] = (_encoder, decoder) => {
      const conn = this.currentConnection()
      if (conn) conn.acked = decoding.readVarUint(decoder)
      notify()
    }
    provider.messageHandlers[MSG_NOTICE] = (_encoder, decoder) => {
      const text = decoding.readVarString(decoder)
      let notice
      try {
        notice = JSON.parse(text)
      } catch (err) {
        notice = { unparsed: text }
      }
      const conn = this.currentConnection()
      if (conn) conn.notices.push(notice)
      notify()
    }

    provider.on('status', ({ status }) => { this.history.push(status); notify() })
    provider.on('sync', () => notify())
    provider.on('connection-close', (event) => {
      this.closeEvents.push(event
        ? { code: event.code, reason: event.reason || '', local: false }
        : { code: null, reason: null, local: true })
      notify()
    })
    provider.on('closed', (event) => { this.terminal.push({ code: event.code, reason: event.reason }); notify() })
    provider.on('connection-error', (event) => {
      const error = event && (event.message || (event.error && event.error.message))
      this.errors.push(String(error || 'error'))
      notify()
    })
    this.recorded = options.record_updates ? [] : null // every update this doc saw, in order
    this.doc.on('update', (update) => {
      if (this.recorded !== null) this.recorded.push(toB64(update))
      notify()
    })
    provider.awareness.on('change', () => notify())

    if (args.awareness !== undefined) provider.awareness.setLocalState(args.awareness)
    provider.connect()
  }

  currentConnection () {
    const ws = this.provider.ws
    return ws && ws.conn ? ws.conn : this.connections[this.connections.length - 1]
  }

  status () {
    const p = this.provider
    const conn = this.currentConnection()
    return {
      status: this.destroyed ? 'destroyed' : p.synced ? 'synced' : p.wsconnected ? 'connected' : p.wsconnecting ? 'connecting' : 'disconnected',
      connected: p.wsconnected,
      connecting: p.wsconnecting,
      synced: p.synced,
      should_connect: p.shouldConnect,
      destroyed: this.destroyed,
      client_id: this.doc.clientID,
      connections: this.connections.filter((c) => c.opened).length,
      attempts: this.connections.length,
      acked: conn ? conn.acked : null,
      errors: this.errors.slice(),
      terminal_closes: this.terminal.slice(),
      history: this.history.slice()
    }
  }
}

// ------------------------------------------------------------------------------- awareness

const nameOf = (state) => {
  if (state === null || typeof state !== 'object') return undefined
  if (state.user && typeof state.user === 'object' && state.user.name !== undefined) return state.user.name
  return state.name
}

const awarenessStates = (client) => {
  const out = {}
  client.provider.awareness.getStates().forEach((state, id) => { out[String(id)] = state })
  return out
}

const awarenessPredicate = (predicate) => {
  if (!predicate || typeof predicate !== 'object') fail('predicate must be an object')
  const names = (states) => Object.values(states).map(nameOf)
  if (predicate.count !== undefined) return (states) => Object.keys(states).length === predicate.count
  if (predicate.has_name !== undefined) return (states) => names(states).includes(predicate.has_name)
  if (predicate.lacks_name !== undefined) return (states) => !names(states).includes(predicate.lacks_name)
  if (predicate.has_client !== undefined) return (states) => String(predicate.has_client) in states
  if (predicate.lacks_client !== undefined) return (states) => !(String(predicate.lacks_client) in states)
  return fail('predicate must have one of: count, has_name, lacks_name, has_client, lacks_client')
}

// ------------------------------------------------------------------------------- commands

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))
const yieldToIo = () => new Promise((resolve) => setImmediate(resolve))

// Default vocabulary: multi-byte UTF-8 but no surrogate pairs, so random UTF-16 indices never
// fall inside a character. Pass `words` to random_ops to choose otherwise.
const RANDOM_WORDS = ['idée', 'objectif', 'acteur', 'écart', 'levier', 'mesure', 'action', 'x']

const randomOp = (doc, rand, names, words) => {
  const map = doc.getMap(names.map)
  const text = doc.getText(names.text)
  const array = doc.getArray(names.array)
  const pick = (list) => list[Math.floor(rand() * list.length)]
  const r = rand()
  if (r < 0.3) {
    map.set(`k${Math.floor(rand() * 20)}`, { v: pick(words), n: Math.floor(rand() * 1000) })
    return 'map_set'
  }
  if (r < 0.4) {
    map.delete(`k${Math.floor(rand() * 20)}`)
    return 'map_delete'
  }
  if (r < 0.6) {
    text.insert(Math.floor(rand() * (text.length + 1)), pick(words) + ' ')
    return 'text_insert'
  }
  if (r < 0.7 && text.length > 0) {
    const index = Math.floor(rand() * text.length)
    text.delete(index, Math.min(text.length - index, 1 + Math.floor(rand() * 5)))
    return 'text_delete'
  }
  if (r < 0.85) {
    array.insert(Math.floor(rand() * (array.length + 1)), [Math.floor(rand() * 1000)])
    return 'array_insert'
  }
  if (array.length > 0) {
    array.delete(Math.floor(rand() * array.length), 1)
    return 'array_delete'
  }
  array.push([pick(words)])
  return 'array_push'
}

const describeDifference = (group) => {
  const lines = group.map(({ name, clocks, json }) => `  ${name}: state vector ${JSON.stringify(clocks)}; doc ${json.length > 600 ? json.slice(0, 600) + '…' : json}`)
  return 'clients differ:\n' + lines.join('\n')
}

const commands = {
  ping: () => 'pong',

  connect: (args) => {
    const name = need(args, 'client')
    const existing = clients.get(name)
    if (existing && !existing.destroyed) fail(`client '${name}' exists; destroy it first`)
    const client = new Client(name, args)
    clients.set(name, client)
    return { client_id: client.doc.clientID }
  },

  wait_synced: (args) => {
    const client = getClient(args)
    return waitFor(() => client.provider.synced && client.status(), args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      () => `client '${client.name}' not synced: ${JSON.stringify(client.status())}; closes ${JSON.stringify(client.closeEvents)}`)
  },

  wait_status: (args) => {
    const client = getClient(args)
    const wanted = need(args, 'status')
    return waitFor(() => client.status().status === wanted && client.status(), args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
      () => `client '${client.name}' is not ${wanted}: ${JSON.stringify(client.status())}`)
  },

  disconnect: (args) => { getClient(args).provider.disconnect(); return null },
  reconnect: (args) => {
    const client = getClient(args)
    if (client.destroyed) fail(`client '${client.name}' was destroyed`)
    client.provider.connect()
    return null
  },
  destroy: (args) => {
    const client = getClient(args)
    if (!client.destroyed) {
      client.provider.destroy()
      client.destroyed = true
      notify()
    }
    return null
  },
  // Vanish without a goodbye: no awareness removal, no close handshake, no reconnection.
  drop: (args) => {
    const client = getClient(args)
    const ws = client.provider.ws
    client.provider.shouldConnect = false
    if (ws) ws.terminate()
    return null
  },

  map_set: (args) => { getClient(args).doc.getMap(need(args, 'map')).set(need(args, 'key'), need(args, 'value')); return null },
  map_delete: (args) => { getClient(args).doc.getMap(need(args, 'map')).delete(need(args, 'key')); return null },
  text_insert: (args) => {
    getClient(args).doc.getText(need(args, 'text')).insert(need(args, 'index'), need(args, 'content'), args.attributes)
    return null
  },
  text_delete: (args) => {
    const text = getClient(args).doc.getText(need(args, 'text'))
    const index = need(args, 'index')
    const length = need(args, 'length')
    if (index + length > text.length) fail(`cannot delete ${length} at ${index}: the text has ${text.length} characters`)
    text.delete(index, length)
    return null
  },
  array_push: (args) => { getClient(args).doc.getArray(need(args, 'array')).push(need(args, 'values')); return null },
  array_insert: (args) => { getClient(args).doc.getArray(need(args, 'array')).insert(need(args, 'index'), need(args, 'values')); return null },
  array_delete: (args) => {
    const array = getClient(args).doc.getArray(need(args, 'array'))
    const index = need(args, 'index')
    const length = args.length ?? 1
    if (index + length > array.length) fail(`cannot delete ${length} at ${index}: the array has ${array.length} items`)
    array.delete(index, length)
    return null
  },
  apply_update: (args) => { Y.applyUpdate(getClient(args).doc, fromB64(need(args, 'update_b64')), 'driver'); return null },

  // Nested content, as the board layout needs it: `path` names a Y.Map from a root map down
  // (["notes", "n1"]); values {"$map": {...}} and {"$text": "..."} become a Y.Map and a Y.Text.
  deep_set: (args) => {
    const client = getClient(args)
    const entries = need(args, 'entries')
    client.doc.transact(() => {
      const target = mapAt(client.doc, need(args, 'path'))
      for (const [key, value] of Object.entries(entries)) target.set(key, toShared(value))
    })
    return null
  },
  deep_delete: (args) => {
    const client = getClient(args)
    client.doc.transact(() => mapAt(client.doc, need(args, 'path')).delete(need(args, 'key')))
    return null
  },
  // Index in UTF-16 units as Y.Text counts them; -1 appends.
  deep_text_insert: (args) => {
    const text = textAt(getClient(args).doc, need(args, 'path'), need(args, 'key'))
    const index = need(args, 'index')
    text.insert(index < 0 ? text.length : index, need(args, 'content'))
    return null
  },
  deep_text_delete: (args) => {
    const text = textAt(getClient(args).doc, need(args, 'path'), need(args, 'key'))
    const index = need(args, 'index')
    const length = need(args, 'length')
    if (index + length > text.length) fail(`cannot delete ${length} at ${index}: the text has ${text.length} characters`)
    text.delete(index, length)
    return null
  },

  random_ops: async (args) => {
    const client = getClient(args)
    const count = need(args, 'count')
    const rand = prng(args.seed ?? 1)
    const names = { map: args.map ?? 'rmap', text: args.text ?? 'rtext', array: args.array ?? 'rarray' }
    const words = args.words ?? RANDOM_WORDS
    if (!Array.isArray(words) || words.length === 0) fail("'words' must be a non-empty list")
    const done = {}
    for (let i = 0; i < count; i++) {
      bump(done, randomOp(client.doc, rand, names, words))
      // Let frames from the other clients in, so the edits interleave over the wire.
      if (rand() < 0.2) await sleep(1 + Math.floor(rand() * 4))
      else await yieldToIo()
    }
    return done
  },

  state: (args) => {
    const client = getClient(args)
    const kinds = resolveKinds([client.doc], args)
    const result = {
      doc: docJSON(client.doc, kinds),
      kinds,
      client_id: client.doc.clientID,
      clocks: clocksOf(client.doc),
      state_vector: toB64(Y.encodeStateVector(client.doc))
    }
    if (args.update !== false) result.update_b64 = toB64(Y.encodeStateAsUpdate(client.doc))
    return result
  },

  wait_equal: (args) => {
    const names = need(args, 'clients')
    if (!Array.isArray(names) || names.length < 2) fail("'clients' must list at least two clients")
    const group = names.map((name) => getClient({ client: name }))
    const snapshot = () => {
      const kinds = resolveKinds(group.map((c) => c.doc), args)
      return group.map((c) => ({
        name: c.name,
        clocks: clocksOf(c.doc),
        json: canonical(docJSON(c.doc, kinds))
      }))
    }
    return waitFor(() => {
      const snap = snapshot()
      const first = snap[0]
      const same = snap.every((s) => canonical(s.clocks) === canonical(first.clocks) && s.json === first.json)
      return same && { doc: JSON.parse(first.json), clocks: first.clocks }
    }, args.timeout_ms ?? DEFAULT_TIMEOUT_MS, () => describeDifference(snapshot()))
  },

  awareness_set: (args) => {
    const client = getClient(args)
    if (args.field !== undefined) client.provider.awareness.setLocalStateField(args.field, args.state)
    else client.provider.awareness.setLocalState(args.state === undefined ? null : args.state)
    return null
  },
  awareness_states: (args) => awarenessStates(getClient(args)),
  wait_awareness: (args) => {
    const client = getClient(args)
    const test = awarenessPredicate(args.predicate)
    return waitFor(() => {
      const states = awarenessStates(client)
      return test(states) && states
    }, args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    () => `awareness of '${client.name}' does not satisfy ${JSON.stringify(args.predicate)}: ${JSON.stringify(awarenessStates(client))}`)
  },
  // Awareness as the raw protocol encodes it, for checking what a peer would be sent.
  awareness_update: (args) => {
    const client = getClient(args)
    const ids = Array.from(client.provider.awareness.getStates().keys())
    return toB64(awarenessProtocol.encodeAwarenessUpdate(client.provider.awareness, ids))
  },

  close_events: (args) => {
    const client = getClient(args)
    return args.include_local ? client.closeEvents.slice() : client.closeEvents.filter((e) => !e.local)
  },
  wait_close: (args) => {
    const client = getClient(args)
    return waitFor(() => {
      while (client.closeCursor < client.closeEvents.length) {
        const event = client.closeEvents[client.closeCursor++]
        if (!event.local || args.include_local) return event
      }
      return false
    }, args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    () => `client '${client.name}' saw no further close: ${JSON.stringify(client.status())}`)
  },
  status: (args) => getClient(args).status(),

  raw_messages: (args) => {
    const client = getClient(args)
    const received = {}
    const sent = {}
    for (const conn of client.connections) {
      for (const [k, n] of Object.entries(conn.received)) received[k] = (received[k] || 0) + n
      for (const [k, n] of Object.entries(conn.sent)) sent[k] = (sent[k] || 0) + n
    }
    const conn = client.currentConnection()
    return {
      received,
      sent,
      connection: conn ? { index: conn.index, received: conn.received, sent: conn.sent, acked: conn.acked, notices: conn.notices } : null,
      acked: conn ? conn.acked : null
    }
  },
  received_bytes_contain: (args) => {
    // Whether any frame this client heard (with options.capture_bytes) holds the UTF-8 text.
    const client = getClient(args)
    const needle = Buffer.from(need(args, 'text'), 'utf8')
    let bytes = 0
    let found = false
    for (const conn of client.connections) {
      for (const frame of conn.bytes) {
        bytes += frame.length
        if (frame.includes(needle)) found = true
      }
    }
    return { found, bytes }
  },
  wait_acked: (args) => {
    const client = getClient(args)
    const count = need(args, 'count')
    return waitFor(() => {
      const conn = client.currentConnection()
      return conn && conn.acked !== null && conn.acked >= count && { acked: conn.acked }
    }, args.timeout_ms ?? DEFAULT_TIMEOUT_MS,
    () => `client '${client.name}' acked ${JSON.stringify(client.currentConnection() && client.currentConnection().acked)}, wanted ${count}`)
  },

  recorded_updates: (args) => {
    const client = getClient(args)
    if (client.recorded === null) fail(`client '${client.name}' was not connected with options.record_updates`)
    return client.recorded.slice(args.since ?? 0)
  },

  clients: () => Object.fromEntries(Array.from(clients.entries()).map(([name, c]) => [name, c.status()])),

  quit: () => {
    // Answer first; the exit follows once this turn's answers are written.
    setImmediate(() => shutdown(0))
    return null
  }
}

let quitting = false
const shutdown = (code) => {
  if (quitting) return
  quitting = true
  for (const client of clients.values()) {
    try {
      if (!client.destroyed) client.provider.destroy()
    } catch (err) {
      logErr('destroy failed:', String(err))
    }
  }
  // Exit once the answers already written have been flushed.
  process.stdout.write('', () => process.exit(code))
}

const run = async (line) => {
  let request
  try {
    request = JSON.parse(line)
  } catch (err) {
    answer({ id: null, ok: false, error: `not JSON: ${line.slice(0, 200)}` })
    return
  }
  const id = request.id ?? null
  try {
    const handler = commands[request.cmd]
    if (!handler) fail(`unknown command '${request.cmd}'`)
    const result = await handler(request)
    answer({ id, ok: true, result: result === undefined ? null : result })
  } catch (err) {
    const message = err instanceof CommandError ? err.message : (err && err.stack) || String(err)
    answer({ id, ok: false, error: message })
  }
}

const input = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
input.on('line', (line) => {
  if (line.trim() !== '') run(line)
})
input.on('close', () => setImmediate(() => shutdown(0)))
const versionOf = (pkg) => {
  try {
    return JSON.parse(fs.readFileSync(new URL(`./node_modules/${pkg}/package.json`, import.meta.url), 'utf8')).version
  } catch (err) {
    return null
  }
}
answer({
  id: 0,
  ok: true,
  result: {
    ready: true,
    pid: process.pid,
    node: process.version,
    versions: Object.fromEntries(['yjs', 'y-websocket', 'y-protocols', 'ws'].map((pkg) => [pkg, versionOf(pkg)]))
  }
})
