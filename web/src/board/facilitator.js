// @ts-check
// The facilitator's panel: invite links by role and party (create, copy, revoke), locks for the board
// and each zone, the shared timer, workshop sessions and snapshots.

import { h, clear, formatDate } from '../lib/dom.js'
import { t, pick, catalog, lang, roleLabel, partyLabel } from '../lib/page.js'
import { errorDetail } from '../lib/api.js'
import { readLocks, readTimer, TRINOME } from './model.js'
import { coachingLine } from './coaching.js'
import { RoundsControl } from './roundsview.js'
import { timerExtras } from './timerextras.js'
import { RoomCard } from './room.js'

/**
 * @typedef {object} Invite
 * An invite as the API lists it (the url only when just created).
 * @property {string} id
 * @property {string} role
 * @property {string | null} [party]
 * @property {string | null} [label]
 * @property {string} [url]
 * @property {number | null} [expires_at]
 * @property {number | null} [revoked_at]
 */

/** @typedef {{id: string, title?: string, [field: string]: unknown}} Session */

const EXPIRIES = [
  ['1', 86400],
  ['7', 7 * 86400],
  ['30', 30 * 86400],
  ['90', 90 * 86400]
]

/**
 * A labelled form control.
 * @param {string} id
 * @param {string} labelText
 * @param {HTMLElement} control
 * @param {string} [hint]
 */
function field (id, labelText, control, hint) {
  control.id = id
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hint ? h('p', { class: 'hint' }, hint) : null)
}

/** @type {(object: Record<string, unknown> | null | undefined, ...names: string[]) => any} */
const pickField = (object, ...names) => {
  for (const name of names) if (object && object[name] !== undefined && object[name] !== null) return object[name]
  return null
}

export class FacilitatorPanel {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {string[]} parts the template's parts shown on this board
   */
  constructor (ctx, parts) {
    this.ctx = ctx
    this.parts = parts
    this.status = h('p', { class: 'panel-status', role: 'status' })
    this.inviteResult = h('div', { class: 'invite-result', hidden: true })
    this.inviteList = h('div', { class: 'invite-list' })
    /** @type {Map<string, {state: HTMLElement, button: HTMLButtonElement, label: string}>} */
    this.lockRows = new Map()
    this.timerStop = h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.setTimer(0) }, t('facilitator.timerStop'))
    this.timerExtras = timerExtras(ctx, (message, kind) => this.say(message, kind), (error) => this.failed(error))
    this.sessionBox = h('div', { class: 'stack' })
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    panel.append(
      this.status,
      h('div', { class: 'panel-grid' },
        new RoomCard(this.ctx).card(),
        this.invitesCard(),
        this.locksCard(),
        this.timerCard(),
        this.sessionCard(),
        this.snapshotCard(),
        this.historyCard(),
        new RoundsControl(this.ctx, this.parts).card()))
    this.ctx.roots.meta.observeDeep(() => this.refreshMeta())
    this.refreshMeta()
  }

  show () {
    this.loadInvites()
    this.loadSessions()
  }

  /**
   * @param {string} message
   * @param {'info' | 'error'} [kind]
   */
  say (message, kind = 'info') {
    this.status.textContent = message
    this.status.dataset.kind = kind
  }

  /** @param {unknown} error */
  failed (error) {
    this.say(t('facilitator.failed', { detail: errorDetail(error) }), 'error')
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {unknown} [body]
   */
  async call (method, path, body) {
    return this.ctx.api(method, path, body)
  }

  // -- invites --------------------------------------------------------------------------

  invitesCard () {
    // A participant's link speaks for one party of the trinôme: the party is the invite's,
    // never the participant's choice, so each party gets its own link.
    const role = h('select', {}, [
      ...TRINOME.map((party) => h('option', { value: `participant:${party}` }, `${roleLabel('participant')} — ${partyLabel(party)}`)),
      ...['observer', 'facilitator'].map((r) => h('option', { value: r }, roleLabel(r)))
    ])
    const label = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
    const expiry = h('select', {}, EXPIRIES.map(([days, seconds]) => h('option', { value: seconds, selected: days === '7' }, t('facilitator.days', { count: days }))))
    const form = h('form', {
      class: 'stack',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        try {
          const [who, party] = role.value.split(':')
          const invite = await this.createInvite(who, party, label.value.trim(), Number(expiry.value))
          this.showInvites([invite])
          label.value = ''
          this.loadInvites()
        } catch (error) {
          this.failed(error)
        }
      }
    },
    field('invite-role', t('facilitator.role'), role),
    field('invite-label', t('facilitator.label'), label, t('facilitator.labelHint')),
    field('invite-expiry', t('facilitator.expiry'), expiry),
    h('div', { class: 'row' },
      h('button', { type: 'submit', class: 'button' }, t('facilitator.createInvite')),
      h('button', {
        type: 'button',
        class: 'button',
        dataset: { key: 'invite-trinome' },
        onclick: async () => {
          try {
            const made = []
            for (const party of TRINOME) made.push(await this.createInvite('participant', party, label.value.trim(), Number(expiry.value)))
            this.showInvites(made)
            label.value = ''
            this.loadInvites()
          } catch (error) {
            this.failed(error)
          }
        }
      }, t('facilitator.createTrinome'))))
    return h('section', { class: 'card', 'aria-labelledby': 'fac-invites' },
      h('h3', { id: 'fac-invites' }, t('facilitator.invites')), form, this.inviteResult,
      h('h4', {}, t('facilitator.inviteList')), this.inviteList)
  }

  /**
   * @param {string} role
   * @param {string | undefined} party
   * @param {string} label
   * @param {number} expiresIn
   * @returns {Promise<Invite & {url: string}>}
   */
  createInvite (role, party, label, expiresIn) {
    /** @type {{role: string, expires_in: number, party?: string, label?: string}} */
    const body = { role, expires_in: expiresIn }
    if (party) body.party = party
    if (label) body.label = label
    return this.call('POST', `/api/boards/${this.ctx.boardId}/invites`, body)
  }

  /** The facilitator's display name, for the requests that record who acted. */
  named () {
    const name = (this.ctx.me.name || '').trim().slice(0, 80)
    return name ? { name } : {}
  }

  /** @param {Invite} invite */
  whoFor (invite) {
    return invite.party && invite.role === 'participant' ? `${roleLabel(invite.role)} — ${partyLabel(invite.party)}` : roleLabel(invite.role)
  }

  /** @param {Array<Invite & {url: string}>} invites */
  showInvites (invites) {
    clear(this.inviteResult)
    this.inviteResult.hidden = false
    invites.forEach((invite, index) => {
      const id = index === 0 ? 'invite-url' : `invite-url-${index + 1}`
      const url = h('input', { type: 'text', readOnly: true, value: invite.url, id, class: 'invite-url', dataset: { party: invite.party || '' } })
      const copy = h('button', {
        type: 'button',
        class: 'button',
        'aria-label': `${t('facilitator.copy')} — ${this.whoFor(invite)}`,
        onclick: async () => {
          const copied = await copyText(invite.url, url)
          this.say(copied ? t('facilitator.copied') : t('facilitator.copyManually'))
        }
      }, t('facilitator.copy'))
      this.inviteResult.append(
        h('label', { for: id }, t('facilitator.newLink', { role: this.whoFor(invite) })),
        h('div', { class: 'row' }, url, copy))
    })
    this.inviteResult.append(h('p', { class: 'hint' }, t('facilitator.linkOnce')))
    this.say(t('facilitator.inviteCreated', { role: invites.map((invite) => this.whoFor(invite)).join(', ') }))
  }

  async loadInvites () {
    /** @type {Invite[]} */
    let invites
    try {
      const found = await this.call('GET', `/api/boards/${this.ctx.boardId}/invites`)
      invites = Array.isArray(found) ? found : found.invites || []
    } catch (error) {
      return this.failed(error)
    }
    clear(this.inviteList)
    if (!invites.length) {
      this.inviteList.append(h('p', { class: 'muted' }, t('facilitator.noInvites')))
      return
    }
    const now = Date.now() / 1000
    this.inviteList.append(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('facilitator.link'), t('facilitator.expires'), t('facilitator.state'), h('span', { class: 'visually-hidden' }, t('facilitator.actions'))].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, invites.map((invite) => {
        const revoked = Boolean(invite.revoked_at)
        const expired = invite.expires_at && invite.expires_at < now
        const state = revoked ? t('facilitator.revoked') : expired ? t('facilitator.expired') : t('facilitator.active')
        const mine = invite.id === this.ctx.me.invite
        return h('tr', {},
          h('td', {}, this.whoFor(invite), invite.label ? h('span', { class: 'muted' }, ` (${invite.label})`) : null,
            mine ? h('strong', { class: 'invite-mine' }, ` — ${t('facilitator.yourLink')}`) : null),
          h('td', {}, invite.expires_at ? formatDate(invite.expires_at, lang()) : t('facilitator.never')),
          h('td', {}, state),
          h('td', {}, revoked || expired ? '' : this.revokeControl(invite, mine)))
      }))))
  }

  /**
   * « Révoquer » asks once more before acting, and says plainly when the link is the one
   * this facilitator is using: revoking it closes their own board at once.
   * @param {Invite} invite
   * @param {boolean} mine
   * @returns {HTMLElement}
   */
  revokeControl (invite, mine) {
    const cell = h('div', { class: 'row' })
    const ask = () => {
      clear(cell)
      const cancel = h('button', { type: 'button', class: 'button button--small', onclick: () => { clear(cell); cell.append(first); first.focus() } }, t('facilitator.keep'))
      cell.append(
        h('span', { class: mine ? 'error' : 'muted', role: 'status' }, t(mine ? 'facilitator.revokeMineWarning' : 'facilitator.revokeConfirmQuestion')),
        h('button', {
          type: 'button',
          class: 'button button--small button--danger',
          dataset: { key: `confirm-revoke-${invite.id}` },
          onclick: () => this.revoke(invite)
        }, t('facilitator.revokeConfirm')),
        cancel)
      cancel.focus()
    }
    const first = h('button', {
      type: 'button',
      class: 'button button--small button--danger',
      'aria-label': t('facilitator.revokeOf', { role: this.whoFor(invite), label: invite.label || '' }),
      onclick: ask
    }, t('facilitator.revoke'))
    cell.append(first)
    return cell
  }

  /** @param {Invite} invite */
  async revoke (invite) {
    try {
      await this.call('DELETE', `/api/invites/${invite.id}`)
      invite.revoked_at = Date.now() / 1000
      this.say(t('facilitator.revokedNow'))
      this.loadInvites()
    } catch (error) {
      this.failed(error)
    }
  }

  // -- locks ----------------------------------------------------------------------------

  zones () {
    return catalog().zones.filter((zone) => {
      if (zone.id === 'board') return true
      if (zone.id === 'continuum') return this.parts.includes('continuum')
      if (zone.id === 'chain' || zone.id === 'vision') return this.parts.includes('chain')
      if (zone.id === 'conditions' || zone.id === 'support') return this.parts.includes(zone.id)
      return zone.id.startsWith('agreement.') && this.parts.includes('agreement')
    })
  }

  locksCard () {
    const list = h('ul', { class: 'lock-list' })
    for (const zone of this.zones()) {
      const state = h('span', { class: 'lock-state' })
      const button = h('button', { type: 'button', class: 'button button--small', onclick: () => this.toggleLock(zone.id) })
      list.append(h('li', {}, h('span', { class: 'lock-name' }, pick(zone.label)), state, button))
      this.lockRows.set(zone.id, { state, button, label: pick(zone.label) })
    }
    return h('section', { class: 'card', 'aria-labelledby': 'fac-locks' },
      h('h3', { id: 'fac-locks' }, t('facilitator.locks')),
      h('p', { class: 'hint' }, t('facilitator.locksHint')), list)
  }

  /** @param {string} zone */
  async toggleLock (zone) {
    const locked = readLocks(this.ctx.roots.meta).includes(zone)
    const path = `/api/boards/${this.ctx.boardId}/${locked ? 'unlock' : 'lock'}`
    try {
      // The name travels with the request: captions and reports say who locked.
      await this.call('POST', path, { ...(zone === 'board' ? {} : { zone }), ...this.named() })
      this.say(t(locked ? 'facilitator.unlocked' : 'facilitator.lockedNow', { zone: this.lockRows.get(zone)?.label }))
    } catch (error) {
      this.failed(error)
    }
  }

  refreshMeta () {
    const locks = readLocks(this.ctx.roots.meta)
    for (const [zone, row] of this.lockRows) {
      const locked = locks.includes(zone)
      row.state.textContent = locked ? t('facilitator.isLocked') : t('facilitator.isOpen')
      row.state.dataset.locked = String(locked)
      row.button.textContent = locked ? t('facilitator.unlock') : t('facilitator.lock')
      row.button.setAttribute('aria-label', `${locked ? t('facilitator.unlock') : t('facilitator.lock')} — ${row.label}`)
    }
    const timer = readTimer(this.ctx.roots.meta)
    this.timerStop.disabled = !timer
    this.timerExtras.refresh(timer)
  }

  // -- timer ----------------------------------------------------------------------------

  timerCard () {
    const minutes = h('input', { type: 'number', min: 1, max: 180, step: 1, value: '10', inputmode: 'numeric' })
    return h('section', { class: 'card', 'aria-labelledby': 'fac-timer' },
      h('h3', { id: 'fac-timer' }, t('facilitator.timer')),
      h('form', {
        class: 'stack',
        onsubmit: (/** @type {SubmitEvent} */ event) => {
          event.preventDefault()
          this.setTimer(Math.round(Number(minutes.value) * 60))
        }
      },
      field('timer-minutes', t('facilitator.minutes'), minutes),
      h('div', { class: 'row' }, h('button', { type: 'submit', class: 'button' }, t('facilitator.timerStart')), this.timerStop, this.timerExtras.add),
      this.timerExtras.sound))
  }

  /** @param {number} seconds 0 stops the timer */
  async setTimer (seconds) {
    if (!(seconds >= 0)) return
    try {
      await this.call('POST', `/api/boards/${this.ctx.boardId}/timer`, { seconds })
      this.say(seconds ? t('facilitator.timerStarted', { minutes: Math.round(seconds / 60) }) : t('facilitator.timerStopped'))
    } catch (error) {
      this.failed(error)
    }
  }

  // -- sessions and snapshots -----------------------------------------------------------

  sessionCard () {
    return h('section', { class: 'card', 'aria-labelledby': 'fac-session' },
      h('h3', { id: 'fac-session' }, t('facilitator.session')), this.sessionBox)
  }

  async loadSessions () {
    /** @type {Session[]} */
    let sessions
    try {
      sessions = await this.call('GET', `/api/boards/${this.ctx.boardId}/sessions`)
      if (!Array.isArray(sessions)) sessions = /** @type {{sessions?: Session[]}} */ (sessions).sessions || []
    } catch (error) {
      return this.failed(error)
    }
    const open = sessions.find((s) => !pickField(s, 'ended_at', 'endedAt', 'end'))
    const coaching = await this.call('GET', `/api/boards/${this.ctx.boardId}/coaching`).catch(() => null)
    clear(this.sessionBox)
    if (coaching) this.sessionBox.append(coachingLine(coaching, Boolean(open)))
    if (open) {
      this.sessionBox.append(
        h('p', {}, t('facilitator.sessionOpen', { title: open.title || '', since: formatDate(pickField(open, 'started_at', 'startedAt', 'start'), lang()) })),
        h('button', { type: 'button', class: 'button', onclick: () => this.endSession(open) }, t('facilitator.endSession')))
    } else {
      const title = h('input', { type: 'text', maxlength: 200, value: t('facilitator.sessionDefault', { date: new Date().toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR') }) })
      this.sessionBox.append(h('form', {
        class: 'stack',
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault()
          try {
            await this.call('POST', `/api/boards/${this.ctx.boardId}/sessions`, { title: title.value.trim() || t('facilitator.sessionUntitled'), ...this.named() })
            this.say(t('facilitator.sessionStarted'))
            this.loadSessions()
          } catch (error) {
            this.failed(error)
          }
        }
      }, field('session-title', t('facilitator.sessionTitle'), title), h('button', { type: 'submit', class: 'button' }, t('facilitator.startSession'))))
    }
  }

  /** @param {Session} session */
  async endSession (session) {
    try {
      await this.call('POST', `/api/sessions/${session.id}/end`)
      this.say(t('facilitator.sessionEnded'))
      this.loadSessions()
    } catch (error) {
      this.failed(error)
    }
  }

  snapshotCard () {
    const label = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
    return h('section', { class: 'card', 'aria-labelledby': 'fac-snapshot' },
      h('h3', { id: 'fac-snapshot' }, t('facilitator.snapshot')),
      h('form', {
        class: 'stack',
        onsubmit: async (/** @type {SubmitEvent} */ event) => {
          event.preventDefault()
          try {
            const body = { ...(label.value.trim() ? { label: label.value.trim() } : {}), ...this.named() }
            await this.call('POST', `/api/boards/${this.ctx.boardId}/snapshots`, body)
            label.value = ''
            this.say(t('facilitator.snapshotTaken'))
          } catch (error) {
            this.failed(error)
          }
        }
      }, field('snapshot-label', t('facilitator.snapshotLabel'), label), h('button', { type: 'submit', class: 'button' }, t('facilitator.takeSnapshot'))))
  }

  historyCard () {
    const base = `/boards/${encodeURIComponent(this.ctx.boardId)}`
    return h('section', { class: 'card', 'aria-labelledby': 'fac-history' },
      h('h3', { id: 'fac-history' }, t('facilitator.history')),
      h('ul', { class: 'link-list' },
        h('li', {}, h('a', { href: `${base}/replay` }, t('nav.replay'))),
        h('li', {}, h('a', { href: `${base}/archive` }, t('nav.archive')))))
  }
}

/**
 * Copy to the clipboard, or select the text in `fallbackField` and copy the old way.
 * @param {string} text
 * @param {HTMLInputElement} [fallbackField]
 * @returns {Promise<boolean>} whether the text was copied
 */
export async function copyText (text, fallbackField) {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    if (!fallbackField) return false
    fallbackField.focus()
    fallbackField.select()
    try {
      return document.execCommand('copy')
    } catch {
      return false
    }
  }
}
