#!/usr/bin/env node
// Send one binary message with the `ws` package (the WebSocket transport of the official
// client under Node), whole or as fragments, and print how the server closed the connection.
//
// Usage: node send_frames.mjs URL TOTAL_BYTES [FRAGMENT_BYTES]
// Prints one JSON line: {"code", "reason", "sent"} (sent: bytes handed to the socket).

import WebSocket from 'ws'

const [url, totalArg, fragmentArg] = process.argv.slice(2)
const total = Number(totalArg)
const fragment = fragmentArg === undefined ? total : Number(fragmentArg)
if (!url || !(total > 0) || !(fragment > 0)) {
  process.stderr.write('usage: node send_frames.mjs URL TOTAL_BYTES [FRAGMENT_BYTES]\n')
  process.exit(2)
}

const ws = new WebSocket(url, { perMessageDeflate: false })
let sent = 0
ws.on('open', () => {
  // An Update message (type 0, sync type 2) whose payload is never completed before the limit.
  const body = Buffer.alloc(fragment)
  body[0] = 0
  body[1] = 2
  for (let offset = 0; offset < total && ws.readyState === WebSocket.OPEN; offset += fragment) {
    const size = Math.min(fragment, total - offset)
    ws.send(body.subarray(0, size), { binary: true, fin: offset + size >= total })
    sent += size
  }
})
ws.on('message', () => {})
ws.on('error', (err) => process.stderr.write(`[send_frames] ${err.message}\n`))
ws.on('close', (code, reason) => {
  process.stdout.write(JSON.stringify({ code, reason: reason.toString(), sent }) + '\n')
  process.exit(0)
})
