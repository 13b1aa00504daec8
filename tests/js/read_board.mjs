// Reads board states with the browser's own reader (web/src/board/model.js) and prints what
// it sees, so that a test can hold it against the server's projection of the same bytes.
// Input: one JSON line {"state": base64, "sections": [ids]} per board; output: one JSON line each.
import { createInterface } from 'node:readline'
import * as Y from '../../web/node_modules/yjs/dist/yjs.mjs'
import { readBoard } from '../../web/src/board/model.js'

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  if (!line.trim()) continue
  const { state, sections } = JSON.parse(line)
  const doc = new Y.Doc()
  Y.applyUpdate(doc, Buffer.from(state, 'base64'))
  process.stdout.write(JSON.stringify(readBoard(doc, sections)) + '\n')
}
