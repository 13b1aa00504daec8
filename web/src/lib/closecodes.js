// @ts-check
// WebSocket close codes, named once for the whole client.

/**
 * The close codes the server sends. They mirror the server's `CloseCode` enum
 * (`server/core/errors.py`): same names, same values; the README documents each one.
 */
export const CloseCode = Object.freeze({
  /** The server is shutting down or the board was unloaded; reconnect later. */
  NORMAL: 1000,
  /** The server is restarting; the client reconnects and resyncs. */
  GOING_AWAY: 1001,
  /** A message exceeded the frame size limit. */
  TOO_BIG: 1009,
  /** An unexpected server error while handling this connection. */
  INTERNAL: 1011,
  /** The board or the server is at capacity, or this client read too slowly; retry later. */
  OVERLOADED: 1013,
  /** A frame that is not a valid y-websocket message or carries an invalid CRDT update. */
  MALFORMED: 4400,
  /** No token, or a token that is unknown or expired. */
  UNAUTHENTICATED: 4401,
  /** The token was revoked, belongs to another board, or its role may not write here. */
  FORBIDDEN: 4403,
  /** The board does not exist (or its id is not a valid slug). */
  NO_SUCH_BOARD: 4404,
  /** The connection sent more messages or bytes than its rate allows. */
  RATE_LIMITED: 4429
})
