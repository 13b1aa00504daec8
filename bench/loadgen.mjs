#!/usr/bin/env node
// Sync-core load generator: drives a y-websocket server with the OFFICIAL client
// (WebsocketProvider from y-websocket, the `ws` package as WebSocket implementation),
// one Y.Doc per simulated client, every client in this one process so one clock
// measures propagation latency.
//
//   node loadgen.mjs CONFIG.json
//
// CONFIG (written by run_sync.py, or by hand):
//   scenario        "i" | "ii" | "iii" | "iv" | "v" | "churn" (label; `mode` decides the behaviour)
//   mode            "closed" (ping-pong), "rate" (fixed rate per client), "idle", "cold", "churn"
//   url             ws://127.0.0.1:PORT            (reference server)
//                   ws://127.0.0.1:PORT/ws/boards  (Atelier)
//   rooms           [{ "name": "r0", "token": "..." | null, "seed"?: base64 Yjs update }, ...]
//   clients_per_room, updates (per client), rate (updates/s per client)
//   params          extra URL params for every client ({} for the reference server);
//                   "name" is made unique per client when present
//   map             name of the root Y.Map the updates go to (default "bench")
//   pad_to          length of the value string (default 44 -> ~70-byte frames)
//   warmup          updates per client in an unmeasured warm-up phase before the measured one
//   connect_concurrency, connect_timeout_s, active_grace_s
//   client_deflate  offer permessage-deflate like a browser does (default true)
//   awareness       set a presence state {user:{name,party,color}} like the app does (default true)
//   prefill         (cold) number of entries the first client writes before leaving
//   joiners         (cold) number of clients that join the cold room at the same instant
//   join_timeout_s  (cold) how long the joiners get to sync
//   churn_interval_ms (churn) every this often one random open connection is ended,
//                   alternately a clean close (provider.disconnect(), connect() after
//                   churn_offline_ms) and a TCP drop (socket destroyed, no close frame; the
//                   provider reconnects by itself); `updates` per client at `rate`, each a
//                   unique key, written whether connected or not
//   churn_offline_ms (churn) [min, max] ms a cleanly closed client stays disconnected
//   final_timeout_s (churn) how long every client gets to reconnect, sync and converge
//   verify_grace_s  (churn) how long a fresh client per room waits for missing keys
//   transport       "ws" (default) or "http": Atelier's HTTP fallback (server-sent events
//                   down, POST up) through the browser client's own HttpSocket
//                   (web/src/board/fallback.js), for every client
//   barriers        true: stop at each phase boundary, print {"type":"barrier"} and wait
//                   for one line on stdin (the orchestrator samples CPU/RSS there)
//
// Output: JSON lines on stdout ({"type":"barrier"|"result"}); human logs on stderr.
// Every loop is bounded in count and time; the process exits by itself.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import WebSocket from 'ws'
import fs from 'node:fs'
import readline from 'node:readline'
import { performance, monitorEventLoopDelay, PerformanceObserver, constants as perfConstants } from 'node:perf_hooks'
import { HttpSocket } from '../web/src/board/fallback.js'

process.setMaxListeners(0) // every provider adds a process 'exit' listener

const cfg = Object.assign({
  scenario: 'adhoc',
  mode: 'rate',
  url: 'ws://127.0.0.1:1234',
  rooms: [{ name: 'bench-0', token: null }],
  clients_per_room: 2,
  updates: 10,
  rate: 2,
  params: {},
  map: 'bench',
  pad_to: 44,
  connect_concurrency: 64,
  connect_timeout_s: 60,
  active_grace_s: 15,
  client_deflate: true,
  awareness: true,
  prefill: 300,
  joiners: 20,
  join_timeout_s: 15,
  churn_interval_ms: 200,
  churn_offline_ms: [100, 500],
  final_timeout_s: 30,
  verify_grace_s: 5,
  barriers: false,
  warmup: 0,
  hard_timeout_s: 600
}, JSON.parse(fs.readFileSync(process.argv[2], 'utf8')))

const log = (...a) => process.stderr.write(`[loadgen ${cfg.scenario}] ${a.join(' ')}\n`)
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n')
const sleep = (ms) => new Promise(resolve => setTimeout(resolve, ms))
const now = () => performance.now()

// A last-resort bound on the whole process.
setTimeout(() => {
  log(`hard timeout (${cfg.hard_timeout_s}s) reached, exiting`)
  emit({ type: 'fatal', error: 'hard timeout' })
  process.exit(3)
}, cfg.hard_timeout_s * 1000).unref()

// ---------------------------------------------------------------- barriers
const stdinLines = []
let stdinWaiter = null
if (cfg.barriers) {
  const rl = readline.createInterface({ input: process.stdin })
  rl.on('line', line => {
    if (stdinWaiter) { const w = stdinWaiter; stdinWaiter = null; w(line) } else stdinLines.push(line)
  })
  rl.on('close', () => { log('stdin closed, exiting'); process.exit(4) })
}
const barrier = async (name, extra = {}) => {
  if (!cfg.barriers) return
  emit({ type: 'barrier', name, t: now(), ...extra })
  if (stdinLines.length > 0) return stdinLines.shift()
  return new Promise(resolve => { stdinWaiter = resolve })
}

// ---------------------------------------------------------------- garbage collections
// Count, total and longest pause, and how many were major (mark-compact), from now to stop().
const watchGc = () => {
  const pauses = []
  let major = 0
  const take = entries => {
    for (const entry of entries) {
      pauses.push(entry.duration)
      if (entry.detail && entry.detail.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) major++
    }
  }
  const observer = new PerformanceObserver(list => take(list.getEntries()))
  observer.observe({ entryTypes: ['gc'] })
  return {
    stop () {
      take(observer.takeRecords()) // those not yet handed to the callback
      observer.disconnect()
      const total = pauses.reduce((a, b) => a + b, 0)
      return { count: pauses.length, major, total_ms: round(total), max_ms: round(Math.max(0, ...pauses)) }
    }
  }
}

// ---------------------------------------------------------------- websocket polyfill
// The provider calls `new WebSocketPolyfill(url, protocols)`; this subclass only decides
// whether permessage-deflate is offered (browsers always offer it; the server decides).
class BenchWebSocket extends WebSocket {
  constructor (url, protocols) {
    super(url, protocols, { perMessageDeflate: cfg.client_deflate })
  }
}

// The HTTP fallback: the browser's own class; Node 20 lacks only CloseEvent.
globalThis.CloseEvent ??= class CloseEvent extends Event {
  constructor (type, init = {}) {
    super(type)
    this.code = init.code ?? 0
    this.reason = init.reason ?? ''
    this.wasClean = init.wasClean ?? false
  }
}
const SocketClass = cfg.transport === 'http' ? HttpSocket : BenchWebSocket

// ---------------------------------------------------------------- stats helpers
const percentile = (sorted, p) => {
  if (sorted.length === 0) return null
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p / 100 * sorted.length) - 1))
  return sorted[idx]
}
const summarize = (arr, n = arr.length) => {
  const s = Float64Array.from(arr.subarray ? arr.subarray(0, n) : arr.slice(0, n)).sort()
  if (s.length === 0) return { n: 0 }
  let sum = 0
  for (const x of s) sum += x
  return {
    n: s.length,
    mean: sum / s.length,
    p50: percentile(s, 50),
    p90: percentile(s, 90),
    p99: percentile(s, 99),
    max: s[s.length - 1]
  }
}
const round = (x, d = 3) => x == null ? x : Math.round(x * 10 ** d) / 10 ** d

// ---------------------------------------------------------------- clients
const closeCodes = {} // "code reason" -> count
const errors = {} // message -> count
let reconnects = 0
let clientSeq = 0

const PARTIES = ['etat', 'collectivite', 'societe-civile']

class Client {
  constructor (room, label) {
    this.id = clientSeq++
    this.room = room
    this.key = label || `c${this.id}`
    this.doc = new Y.Doc()
    this.map = this.doc.getMap(cfg.map)
    this.provider = null
    this.connectStart = 0
    this.syncedAt = null
    this.openedAt = null // first 'connected' status: the server's 101 read
    this.everSynced = false
    this.sent = 0
    this.opened = 0
    this.lastSeen = new Map() // sender key -> highest seq seen
    this.onRemote = null // (senderKey, seq, t, client) => void
    this.map.observe(event => {
      if (event.transaction.local) return
      const t1 = now()
      for (const key of event.keysChanged) {
        if (key === this.key) continue
        const v = this.map.get(key)
        if (typeof v !== 'string' || v.charCodeAt(0) !== 115 /* 's' */) continue
        const parts = v.split(';', 2)
        const seq = parseInt(parts[0].slice(1), 10)
        const t0 = parseFloat(parts[1])
        if (this.onRemote) this.onRemote(key, seq, t1 - t0, this)
      }
    })
  }

  connect () {
    const params = { ...cfg.params }
    if (this.room.token) params.token = this.room.token
    if ('name' in params) params.name = `${params.name}-${this.id}`
    this.connectStart = now()
    // With several server instances (cfg.urls), clients of a room alternate between them.
    const url = cfg.urls ? cfg.urls[this.id % cfg.urls.length] : cfg.url
    const p = new WebsocketProvider(url, this.room.name, this.doc, {
      WebSocketPolyfill: SocketClass,
      disableBc: true, // all clients share one process: BroadcastChannel would bypass the server
      params,
      maxBackoffTime: 2500
    })
    this.provider = p
    if (cfg.awareness) {
      p.awareness.setLocalStateField('user', {
        name: `bench ${this.id}`,
        party: PARTIES[this.id % PARTIES.length],
        color: '#' + ((this.id * 2654435761) >>> 8 & 0xffffff).toString(16).padStart(6, '0')
      })
    }
    p.on('status', ({ status }) => {
      if (status !== 'connected') return
      this.opened++
      if (this.openedAt == null) this.openedAt = now()
    })
    p.on('connection-close', (event) => {
      const k = event ? `${event.code} ${event.reason || ''}`.trim() : 'local'
      closeCodes[k] = (closeCodes[k] || 0) + 1
      if (event && this.everSynced && !this.destroyed) reconnects++
    })
    p.on('connection-error', (event) => {
      const k = String((event && (event.message || (event.error && event.error.message))) || 'error')
      errors[k] = (errors[k] || 0) + 1
    })
    return new Promise(resolve => {
      const timer = setTimeout(() => resolve(false), cfg.connect_timeout_s * 1000)
      p.on('sync', (isSynced) => {
        if (isSynced && !this.everSynced) {
          this.everSynced = true
          this.syncedAt = now()
          clearTimeout(timer)
          resolve(true)
        }
      })
    })
  }

  // One small map set: key = this client's id, value = "s<seq>;<t0>;" padded.
  send (seq) {
    const t0 = now()
    let v = `s${seq};${t0.toFixed(3)};`
    if (v.length < cfg.pad_to) v = v + 'x'.repeat(cfg.pad_to - v.length)
    this.map.set(this.key, v)
    this.sent++
  }

  destroy () {
    this.destroyed = true
    if (this.provider) this.provider.destroy()
  }

  extensions () {
    const ws = this.provider && this.provider.ws
    return ws ? ws.extensions : null
  }
}

// Connect clients with bounded concurrency; resolves when all synced or timed out.
const connectAll = async (clients, concurrency) => {
  let next = 0
  let synced = 0
  const worker = async () => {
    while (next < clients.length) {
      const c = clients[next++]
      if (await c.connect()) synced++
    }
  }
  const t0 = now()
  await Promise.all(Array.from({ length: Math.min(concurrency, clients.length) }, worker))
  const times = clients.filter(c => c.syncedAt != null).map(c => c.syncedAt - c.connectStart)
  return { synced, total: clients.length, seconds: (now() - t0) / 1000, time_to_sync_ms: roundObj(summarize(times)) }
}

const roundObj = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v) : v]))

let frameBytes = 0
let frameCount = 0
const trackFrameSize = (client) => {
  client.doc.on('update', (u, origin) => {
    if (origin === client.provider) return
    // sync Update frame = varUint(0) varUint(2) varUint(len) payload
    frameBytes += 2 + (u.length < 128 ? 1 : 2) + u.length
    frameCount++
  })
}

const baseResult = () => ({
  type: 'result',
  scenario: cfg.scenario,
  mode: cfg.mode,
  url: cfg.url,
  rooms: cfg.rooms.length,
  close_codes: closeCodes,
  errors,
  reconnects
})

const destroyAll = async (clients) => {
  for (const c of clients) c.destroy()
  await sleep(300)
}

// ---------------------------------------------------------------- update scenarios (i–iii)
// A phase sends `updates` updates per client (closed loop or at a fixed rate) and ends when
// every delivery was observed or the phase times out. An unmeasured warm-up phase (same
// procedure, `warmup` updates per client) runs before the measured one, so neither server is
// measured while its JIT / caches are cold.
const runUpdates = async () => {
  const clients = []
  const byRoom = []
  for (const room of cfg.rooms) {
    const rc = []
    for (let i = 0; i < cfg.clients_per_room; i++) {
      const c = new Client(room)
      // A room given a seed starts from that board content: its first client brings it.
      if (i === 0 && room.seed) Y.applyUpdate(c.doc, Buffer.from(room.seed, 'base64'))
      rc.push(c); clients.push(c)
    }
    byRoom.push(rc)
  }
  await barrier('connect')
  const conn = await connectAll(clients, cfg.connect_concurrency)
  log(`connected ${conn.synced}/${conn.total} in ${conn.seconds.toFixed(2)}s`)
  const ext = clients[0].extensions()
  const perRoom = cfg.clients_per_room

  let phase = null // { expected, delivered, lat, measuring, finish, updates, sentAtStart }
  let outOfOrder = 0
  let skipped = 0
  const record = (key, seq, ms, client) => {
    const last = client.lastSeen.has(key) ? client.lastSeen.get(key) : -1
    if (seq <= last) { outOfOrder++; return }
    client.lastSeen.set(key, seq)
    if (!phase) return
    if (phase.measuring) {
      skipped += seq - last - 1
      if (phase.delivered < phase.lat.length) phase.lat[phase.delivered] = ms
    }
    phase.delivered++
    if (phase.delivered >= phase.expected) phase.finish('complete')
  }
  if (cfg.mode === 'closed') {
    // Ping-pong per room: a client sends its next update once it has seen every other
    // client's previous one.
    for (const rc of byRoom) {
      for (const c of rc) {
        c.onRemote = (key, seq, ms, client) => {
          record(key, seq, ms, client)
          if (!phase) return
          const next = client.sent
          if (next >= phase.sentAtStart + phase.updates) return
          for (const o of rc) {
            if (o !== client && !(client.lastSeen.get(o.key) >= next - 1)) return
          }
          queueMicrotask(() => { if (client.sent === next) client.send(next) })
        }
      }
    }
  } else {
    for (const c of clients) c.onRemote = record
  }

  const runPhase = async (updates, measuring) => {
    const expected = cfg.rooms.length * perRoom * (perRoom - 1) * updates
    let finish = null
    const finished = new Promise(resolve => { finish = resolve })
    phase = {
      expected, delivered: 0, lat: new Float64Array(measuring ? expected + 16 : 0), measuring,
      finish, updates, sentAtStart: clients[0].sent
    }
    const timers = []
    const t0 = now()
    let expectedDuration = 0
    if (cfg.mode === 'closed') {
      for (const c of clients) c.send(c.sent)
    } else {
      const period = 1000 / cfg.rate
      expectedDuration = period * updates
      for (const c of clients) {
        const offset = Math.random() * period
        const start = t0 + offset
        let k = 0
        const tick = () => {
          if (k >= updates || c.destroyed) return
          c.send(c.sent)
          k++
          if (k < updates) timers.push(setTimeout(tick, Math.max(0, start + k * period - now())))
        }
        timers.push(setTimeout(tick, offset))
      }
    }
    const timeoutMs = expectedDuration + cfg.active_grace_s * 1000 + (cfg.mode === 'closed' ? 60000 : 0)
    const timeout = setTimeout(() => finish('timeout'), timeoutMs)
    if (expected === 0) finish('complete')
    const how = await finished
    clearTimeout(timeout)
    for (const t of timers) clearTimeout(t)
    const p = phase
    phase = null
    return { how, seconds: (now() - t0) / 1000, delivered: p.delivered, expected, lat: p.lat }
  }

  for (const c of clients) trackFrameSize(c)
  let warm = null
  if (cfg.warmup > 0 && conn.synced === conn.total) {
    warm = await runPhase(cfg.warmup, false)
    log(`warm-up: ${warm.delivered}/${warm.expected} deliveries (${warm.how})`)
  }
  // A full collection now (run_sync.py starts Node with --expose-gc), so that the garbage of
  // connecting and the warm-up is not what a major GC stops this process for in the
  // measured phase: its pauses would delay deliveries whichever server sent them.
  if (typeof globalThis.gc === 'function') globalThis.gc()
  await sleep(200)
  const sentBefore = clients.reduce((a, c) => a + c.sent, 0)
  frameBytes = 0; frameCount = 0

  await barrier('active_start', { connected: conn.synced })
  const elu0 = performance.eventLoopUtilization()
  const cpu0 = process.cpuUsage()
  const lag = monitorEventLoopDelay({ resolution: 2 })
  lag.enable()
  const gcs = watchGc()
  const m = await runPhase(cfg.updates, true)
  const gc = gcs.stop()
  lag.disable()
  const cpu = process.cpuUsage(cpu0)
  const elu = performance.eventLoopUtilization(elu0)
  await barrier('active_end', { delivered: m.delivered })

  // Convergence: every client ends with every peer's last value.
  let converged = 0
  for (const rc of byRoom) {
    for (const c of rc) {
      let ok = true
      for (const o of rc) {
        const v = c.map.get(o.key)
        if (typeof v !== 'string' || !v.startsWith(`s${o.sent - 1};`)) { ok = false; break }
      }
      if (ok) converged++
    }
  }
  const sent = clients.reduce((a, c) => a + c.sent, 0) - sentBefore
  await destroyAll(clients)
  const latency = summarize(m.lat, Math.min(m.delivered, m.lat.length))
  return {
    ...baseResult(),
    clients: clients.length,
    connect: conn,
    extensions: ext,
    warmup: warm ? { updates: cfg.warmup, delivered: warm.delivered, expected: warm.expected, finished: warm.how } : null,
    sent,
    expected_deliveries: m.expected,
    delivered: m.delivered,
    out_of_order: outOfOrder,
    skipped,
    finished: m.how,
    active_seconds: round(m.seconds),
    converged_clients: converged,
    latency_ms: roundObj(latency),
    frame_bytes_avg: frameCount ? round(frameBytes / frameCount, 1) : null,
    loadgen_cpu_s: round((cpu.user + cpu.system) / 1e6),
    // fraction of the active phase the load generator's event loop was busy: near 1 means
    // the load generator, not the server, bounds the latency figures
    loadgen_event_loop_utilization: round(elu.utilization),
    // how late a 2 ms timer fired in the load generator (includes the 2 ms): large values mean
    // the load generator itself stalled (GC, a burst of deliveries) and delayed observations
    loadgen_timer_lag_ms: { p99: round(lag.percentile(99) / 1e6), max: round(lag.max / 1e6) },
    // this process's garbage collections during the measured phase: each one stops every
    // client at once, so a burst of late deliveries right after a long one is not the server's
    loadgen_gc: gc
  }
}

// ---------------------------------------------------------------- idle scenario (iv)
const runIdle = async () => {
  const clients = []
  for (const room of cfg.rooms) {
    for (let i = 0; i < cfg.clients_per_room; i++) clients.push(new Client(room))
  }
  await barrier('connect')
  const conn = await connectAll(clients, cfg.connect_concurrency)
  log(`connected ${conn.synced}/${conn.total} in ${conn.seconds.toFixed(2)}s`)
  const open = () => clients.filter(c => c.provider && c.provider.wsconnected).length
  const ext = clients[0].extensions()
  await barrier('held', { connected: conn.synced, open: open() })
  const openAfter = open()
  const syncedAfter = clients.filter(c => c.provider && c.provider.synced).length
  await barrier('hold_end', { open: openAfter })
  await destroyAll(clients)
  return {
    ...baseResult(),
    clients: clients.length,
    connect: conn,
    extensions: ext,
    open_after_hold: openAfter,
    synced_after_hold: syncedAfter
  }
}

// ---------------------------------------------------------------- cold room scenario (v)
const fingerprint = (map) => JSON.stringify(Object.entries(map.toJSON()).sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))

const runCold = async () => {
  const room = cfg.rooms[0]
  await barrier('connect')
  const writer = new Client(room, 'writer')
  const ok = await writer.connect()
  if (!ok) log('writer failed to sync')
  // Pre-fill: `prefill` separate small transactions (each one an entry in a durable log).
  for (let i = 0; i < cfg.prefill; i++) {
    writer.map.set(`note-${i}`, `prefilled note ${i} ` + 'y'.repeat(40))
    if (i % 50 === 49) await sleep(20) // stay below any per-connection rate limit
  }
  const text = writer.doc.getText('bench-text')
  text.insert(0, 'Lorem ipsum dolor sit amet, '.repeat(40))
  const expectedFp = fingerprint(writer.map)
  const expectedText = text.toString()
  // Verify the server holds the content: a second client syncs and compares.
  let verified = false
  for (let attempt = 0; attempt < 20 && !verified; attempt++) {
    await sleep(250)
    const v = new Client(room, 'verifier')
    if (await v.connect()) verified = fingerprint(v.map) === expectedFp && v.doc.getText('bench-text').toString() === expectedText
    v.destroy()
  }
  // Warm this process's JIT on what the joiners will do with the board (decode and integrate
  // it, observe the map): applied cold, in V8's interpreter, it takes ~5 ms a copy instead
  // of ~0.3, and 20 copies one after the other would be what (v) measures, not the server.
  const state = Y.encodeStateAsUpdate(writer.doc)
  for (let i = 0; i < 50; i++) {
    const doc = new Y.Doc()
    doc.getMap(cfg.map).observe(() => {})
    Y.applyUpdate(doc, state)
    doc.destroy()
  }
  writer.destroy()
  log(`prefill ${cfg.prefill} entries, verified on server: ${verified}`)
  await sleep(500)
  await barrier('writer_left', { verified })

  const joiners = Array.from({ length: cfg.joiners }, () => new Client(room))
  await barrier('join_start')
  const t0 = now()
  const promises = []
  for (const j of joiners) {
    // same instant: every provider is created in this one synchronous loop
    j.connectStart = t0
    promises.push(new Promise(resolve => {
      const timer = setTimeout(() => resolve(false), cfg.join_timeout_s * 1000)
      j._resolve = (v) => { clearTimeout(timer); resolve(v) }
    }))
  }
  for (const j of joiners) {
    j.connect().then(ok => { if (ok) j._resolve(true) })
  }
  const res = await Promise.all(promises)
  const joinS = (now() - t0) / 1000
  await barrier('join_end')
  const synced = res.filter(Boolean).length
  let same = 0
  for (const j of joiners) {
    if (j.syncedAt != null && fingerprint(j.map) === expectedFp && j.doc.getText('bench-text').toString() === expectedText) same++
  }
  const times = joiners.filter(j => j.syncedAt != null).map(j => j.syncedAt - t0)
  const openTimes = joiners.filter(j => j.openedAt != null).map(j => j.openedAt - t0)
  await destroyAll(joiners)
  return {
    ...baseResult(),
    prefill: cfg.prefill,
    verified_before_leave: verified,
    joiners: cfg.joiners,
    synced,
    same_content: same,
    join_seconds: round(joinS),
    time_to_sync_ms: roundObj(summarize(times)),
    time_to_open_ms: roundObj(summarize(openTimes))
  }
}

// ---------------------------------------------------------------- churn scenario
// Clients edit at a fixed rate (one unique key per update) while their connections are
// ended one at a time; at the end every client must be back and synced, and a fresh client
// per room must see every key any client wrote (anything missing was lost).
const churnKey = (c, seq) => `${c.key}:${seq}`

const runChurn = async () => {
  const clients = []
  const byRoom = []
  for (const room of cfg.rooms) {
    const rc = []
    for (let i = 0; i < cfg.clients_per_room; i++) {
      const c = new Client(room)
      if (i === 0 && room.seed) Y.applyUpdate(c.doc, Buffer.from(room.seed, 'base64'))
      rc.push(c); clients.push(c)
    }
    byRoom.push(rc)
  }
  await barrier('connect')
  const conn = await connectAll(clients, cfg.connect_concurrency)
  log(`connected ${conn.synced}/${conn.total} in ${conn.seconds.toFixed(2)}s`)
  for (const c of clients) {
    c.resyncs = 0
    c.offlineWrites = 0
    if (c.provider) c.provider.on('sync', (s) => { if (s) c.resyncs++ })
  }
  const roomOf = new Map()
  byRoom.forEach((rc, i) => { for (const c of rc) roomOf.set(c, i) })
  // keys a client holds of its room's writers (its own included)
  const holds = (c) => byRoom[roomOf.get(c)].reduce((a, o) => {
    for (let i = 0; i < o.sent; i++) if (c.map.has(churnKey(o, i))) a++
    return a
  }, 0)
  const written = (rc) => rc.reduce((a, o) => a + o.sent, 0)
  const ready = (c) => c.provider && c.provider.wsconnected && c.provider.synced
  const converged = (c) => ready(c) && c.map.size >= written(byRoom[roomOf.get(c)]) &&
    holds(c) === written(byRoom[roomOf.get(c)])

  await barrier('active_start', { connected: conn.synced })
  const churns = { clean: 0, drop: 0, skipped: 0 }
  const timers = []
  const period = 1000 / cfg.rate
  const t0 = now()
  const send = (c) => {
    const seq = c.sent
    if (!(c.provider && c.provider.wsconnected)) c.offlineWrites++
    c.map.set(churnKey(c, seq), `s${seq};${now().toFixed(3)};`.padEnd(cfg.pad_to, 'x'))
    c.sent++
  }
  for (const c of clients) {
    const offset = Math.random() * period
    let k = 0
    const tick = () => {
      if (k >= cfg.updates) return
      send(c)
      k++
      if (k < cfg.updates) timers.push(setTimeout(tick, Math.max(0, t0 + offset + k * period - now())))
    }
    timers.push(setTimeout(tick, offset))
  }
  const activeMs = period * cfg.updates
  const [offMin, offMax] = cfg.churn_offline_ms
  let clean = true
  const churnTimer = setInterval(() => {
    if (now() - t0 >= activeMs) return
    const open = clients.filter(c => c.provider && c.provider.ws && c.provider.wsconnected &&
      c.provider.ws.readyState === WebSocket.OPEN)
    if (open.length === 0) { churns.skipped++; return }
    const c = open[Math.floor(Math.random() * open.length)]
    if (clean) {
      churns.clean++
      c.provider.disconnect()
      timers.push(setTimeout(() => c.provider.connect(), offMin + Math.random() * (offMax - offMin)))
    } else {
      churns.drop++
      c.provider.ws._socket.destroy() // no close frame: the peer sees the TCP connection end
    }
    clean = !clean
  }, cfg.churn_interval_ms)
  await sleep(activeMs)
  clearInterval(churnTimer)
  const tEnd = now()
  await barrier('active_end', { churns })

  // Final resync: every client connected and synced, then holding every key of its room.
  const deadline = tEnd + cfg.final_timeout_s * 1000
  let allSyncedMs = null
  let convergedMs = null
  while (now() < deadline) {
    if (allSyncedMs == null && clients.every(ready)) allSyncedMs = now() - tEnd
    if (allSyncedMs != null && clients.every(converged)) { convergedMs = now() - tEnd; break }
    await sleep(50)
  }
  const syncedAtEnd = clients.filter(ready).length
  const convergedAtEnd = clients.filter(converged).length
  const peerKeysMissing = clients.reduce((a, c) => a + written(byRoom[roomOf.get(c)]) - holds(c), 0)
  log(`final: ${syncedAtEnd}/${clients.length} synced after ${allSyncedMs} ms, ${convergedAtEnd} converged after ${convergedMs} ms`)
  await barrier('resynced', { synced: syncedAtEnd })

  // A fresh client per room: what the server holds.
  const fresh = cfg.rooms.map((room, i) => new Client(room, `fresh-${i}`))
  const freshConn = await connectAll(fresh, cfg.connect_concurrency)
  const missingOf = (f, rc) => rc.reduce((a, o) => {
    for (let i = 0; i < o.sent; i++) {
      const v = f.map.get(churnKey(o, i))
      if (typeof v !== 'string' || !v.startsWith(`s${i};`)) a++
    }
    return a
  }, 0)
  const missing = () => fresh.reduce((a, f, i) => a + missingOf(f, byRoom[i]), 0)
  const missingAtSync = missing()
  const graceEnd = now() + cfg.verify_grace_s * 1000
  let lost = missingAtSync
  while (lost > 0 && now() < graceEnd) { await sleep(100); lost = missing() }
  const lostByRoom = fresh.map((f, i) => missingOf(f, byRoom[i]))
  const total = clients.reduce((a, c) => a + c.sent, 0)
  log(`written ${total}, missing on the server at sync ${missingAtSync}, lost ${lost}`)
  for (const t of timers) clearTimeout(t)
  await destroyAll([...clients, ...fresh])
  return {
    ...baseResult(),
    clients: clients.length,
    connect: conn,
    written: total,
    offline_writes: clients.reduce((a, c) => a + c.offlineWrites, 0),
    churns,
    resyncs: clients.reduce((a, c) => a + c.resyncs, 0),
    active_seconds: round((tEnd - t0) / 1000),
    clients_synced: syncedAtEnd,
    clients_converged: convergedAtEnd,
    peer_keys_missing: peerKeysMissing,
    final_resync_ms: round(allSyncedMs),
    final_converge_ms: round(convergedMs),
    fresh_synced: freshConn.synced,
    missing_at_sync: missingAtSync,
    lost,
    lost_by_room: lostByRoom
  }
}

// ---------------------------------------------------------------- main
const main = async () => {
  let result
  if (cfg.mode === 'idle') result = await runIdle()
  else if (cfg.mode === 'cold') result = await runCold()
  else if (cfg.mode === 'churn') result = await runChurn()
  else result = await runUpdates()
  emit(result)
  process.exit(0)
}

main().catch(err => {
  emit({ type: 'fatal', error: String(err && err.stack ? err.stack : err) })
  process.exit(2)
})
