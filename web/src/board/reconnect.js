// @ts-check
// What the page does after each close code: retry after a delay (exponential backoff with
// jitter, capped), or stop and say why. The README's "Reconnection" table is this file.

import { CloseCode } from '../lib/closecodes.js'

/** The longest wait between two attempts. */
export const MAX_DELAY_MS = 30_000
/** First wait after an ordinary loss (restart, network). */
const BASE_DELAY_MS = 1_000
/** First wait when the server asked to slow down (full, or this connection sent too much). */
const BUSY_DELAY_MS = 5_000

/**
 * @typedef {'retry' | 'busy' | 'refused' | 'gone' | 'broken'} CloseClass
 * retry: reconnect soon; busy: reconnect later; refused: the link no longer opens the board
 * (keep the local copy, send nothing); gone: the board does not exist (forget the local
 * copy); broken: this client sent something the server cannot take (reload).
 */

/** @type {ReadonlyMap<number, CloseClass>} */
const CLASSES = new Map([
  [CloseCode.OVERLOADED, 'busy'],
  [CloseCode.RATE_LIMITED, 'busy'],
  [CloseCode.UNAUTHENTICATED, 'refused'],
  [CloseCode.FORBIDDEN, 'refused'],
  [CloseCode.NO_SUCH_BOARD, 'gone'],
  [CloseCode.MALFORMED, 'broken'],
  [CloseCode.TOO_BIG, 'broken']
])

/**
 * Every code not listed (1000, 1001, 1006 network loss, 1011, 1012…) is retried.
 * @param {number} code
 * @returns {CloseClass}
 */
export function closeClass (code) {
  return CLASSES.get(code) || 'retry'
}

/** @param {CloseClass} kind */
export function isTerminal (kind) {
  return kind === 'refused' || kind === 'gone' || kind === 'broken'
}

/**
 * The wait before attempt `attempt` (0 for the first retry): doubling from the class's base,
 * capped at MAX_DELAY_MS, then between half and all of that ("equal jitter"), so the
 * participants of a room a restart dropped do not all come back in the same instant.
 * @param {number} attempt
 * @param {CloseClass} kind
 * @param {() => number} [random]
 */
export function retryDelay (attempt, kind, random = Math.random) {
  const base = kind === 'busy' ? BUSY_DELAY_MS : BASE_DELAY_MS
  const ceiling = Math.min(MAX_DELAY_MS, base * 2 ** Math.min(attempt, 10))
  return Math.round(ceiling / 2 + random() * ceiling / 2)
}
