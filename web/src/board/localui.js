// @ts-check
// What the header says about the local copy and the connection: « N modifications en
// attente » until the server has durably acknowledged them, « Reconnexion dans 8 s… » with a
// "Réessayer maintenant" button while waiting to reconnect, and the download of the board's
// text when it cannot be sent.

import { h, byId } from '../lib/dom.js'
import { t, levelLabel, tierLabel } from '../lib/page.js'
import { readBoard, roots } from './model.js'

/** @typedef {import('./connection.js').Connection} Connection */
/** @typedef {import('./connection.js').Retry} Retry */

export class ConnectionNotes {
  /** @param {Connection} connection */
  constructor (connection) {
    this.connection = connection
    this.pending = h('p', { id: 'pending-count', class: 'pending-count', hidden: true })
    this.countdown = h('span', { id: 'reconnect-text' })
    this.button = h('button', {
      type: 'button',
      id: 'reconnect-now',
      class: 'button button--small button--quiet',
      onclick: () => connection.retryNow()
    }, t('reconnect.now'))
    this.reconnect = h('p', { id: 'reconnect', class: 'reconnect', hidden: true }, this.countdown, ' ', this.button)
    byId('save-status').after(this.pending, this.reconnect)
    /** @type {number | undefined} */
    this.tick = undefined
    connection.local.onChange(() => this.showPending())
    connection.on('retry', (retry) => this.showRetry(retry))
    this.showPending()
  }

  showPending () {
    const count = this.connection.local.pending
    this.pending.hidden = count === 0
    this.pending.textContent = count ? t('pending.count', { count }) : ''
  }

  /** @param {Retry | null} retry */
  showRetry (retry) {
    clearInterval(this.tick)
    this.reconnect.hidden = !retry
    if (!retry) return
    const show = () => {
      const seconds = Math.max(0, Math.ceil((retry.at - Date.now()) / 1000))
      this.countdown.textContent = t('reconnect.in', { seconds })
    }
    show()
    this.tick = setInterval(show, 1000)
  }

  stop () {
    clearInterval(this.tick)
    this.reconnect.hidden = true
  }
}

/**
 * The board's text as this browser holds it (the local copy, sent or not), for a person who
 * cannot send it any more: plain UTF-8, one part after the other.
 * @param {import('yjs').Doc} doc
 */
export function boardText (doc) {
  const board = readBoard(doc, Array.from(roots(doc).agreement.keys()).sort())
  const lines = [board.meta.title, '']
  if (board.notes.length) {
    lines.push(`# ${t('download.notes')}`)
    for (const note of board.notes) lines.push(`- [${levelLabel(note.level || '')}] ${note.text}`)
    lines.push('')
  }
  if (board.chain.vision || board.chain.items.length) {
    lines.push(`# ${t('download.chain')}`, board.chain.vision)
    for (const item of board.chain.items) lines.push(`- [${tierLabel(item.tier || '')}] ${item.text}`)
    lines.push('')
  }
  for (const section of board.agreement.sections) {
    if (section.text) lines.push(`# ${section.id}`, section.text, '')
  }
  return lines.join('\n')
}

/**
 * A button that saves the board's text to a file.
 * @param {import('yjs').Doc} doc
 * @param {string} boardId
 */
export function downloadButton (doc, boardId) {
  return h('button', {
    type: 'button',
    id: 'download-copy',
    class: 'button button--small',
    onclick: () => {
      const url = URL.createObjectURL(new Blob([boardText(doc)], { type: 'text/plain;charset=utf-8' }))
      const link = h('a', { href: url, download: `${boardId}.txt` })
      document.body.append(link)
      link.click()
      link.remove()
      setTimeout(() => URL.revokeObjectURL(url), 10_000)
    }
  }, t('download.copy'))
}
