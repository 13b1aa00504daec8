// @ts-check
// The live board page: connection, header (saved indicator, presence, timer, follow), tabs for
// the template's parts, the list view and the facilitator's panel.

import * as Y from 'yjs'
import { h, byId, clear, append, debounce, toDate } from '../lib/dom.js'
import { pageData, t, pick, catalog, partyLabel, roleLabel } from '../lib/page.js'
import { api, ApiError } from '../lib/api.js'
import { boardAccess, clientId, flash } from '../lib/store.js'
import { CloseCode } from '../lib/closecodes.js'
import { Connection } from '../board/connection.js'
import { LocalCopy } from '../board/offline.js'
import { closeClass } from '../board/reconnect.js'
import { ConnectionNotes, downloadButton } from '../board/localui.js'
import { Presence } from '../board/presence.js'
import { roots, readLocks, readTimer } from '../board/model.js'
import { ContinuumView } from '../board/continuum.js'
import { ChainView } from '../board/chain.js'
import { AgreementView } from '../board/agreement.js'
import { ConditionsView } from '../board/conditions.js'
import { SupportView } from '../board/support.js'
import { ListView } from '../board/listview.js'
import { FacilitatorPanel } from '../board/facilitator.js'
import { RoundsBar, roundNotice } from '../board/rounds.js'
import { RoundsView } from '../board/roundsview.js'
import { Comments } from '../board/comments.js'
import { SinceLastVisitPanel } from '../board/sincevisit.js'
import { showLockMarks } from '../board/lockmarks.js'
import { timerReachedZero } from '../board/timerextras.js'
import { Activity, SummonWatch } from '../board/summon.js'

/** @typedef {import('../lib/types.js').BoardAccess} BoardAccess */
/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').Me} Me */
/** @typedef {import('../lib/types.js').Problem} Problem */
/** @typedef {import('../lib/types.js').Roots} Roots */
/** @typedef {import('../lib/types.js').View} View */
/** @typedef {import('../board/connection.js').Closed} Closed */
/** @typedef {import('../board/connection.js').Notice} Notice */
/** @typedef {import('../board/connection.js').Status} Status */

/**
 * @typedef {object} Tab
 * A view with its tab, its panel and the zone whose lock it shows.
 * @property {string} id
 * @property {HTMLButtonElement} tab
 * @property {HTMLElement} panel
 * @property {View} view
 * @property {string | null} zone
 * @property {HTMLParagraphElement} lockNote
 */

const LOCAL = Symbol('local-edit')
/** How long « Temps écoulé » stays in the header once the timer has run out. */
const TIMER_SHOWN_AFTER_END_MS = 60_000
/** How long the message saying a refused change was undone stays, unless dismissed sooner. */
const REFUSAL_NOTE_MS = 20_000

/** @type {Record<number, string>} */
const CLOSE_MESSAGES = {
  [CloseCode.TOO_BIG]: 'closed.tooBig',
  [CloseCode.MALFORMED]: 'closed.malformed',
  [CloseCode.UNAUTHENTICATED]: 'closed.unauthenticated',
  [CloseCode.FORBIDDEN]: 'closed.forbidden',
  [CloseCode.NO_SUCH_BOARD]: 'closed.noBoard'
}

/**
 * The sentence for a close: a revoked link or a link given a party say so in the page's
 * language; other refusals get their code's sentence.
 * @param {number} code
 * @param {string} reason the server's close reason (English)
 */
function closeMessage (code, reason) {
  if (code === CloseCode.FORBIDDEN && /revoked/.test(reason)) return 'closed.revoked'
  if (code === CloseCode.FORBIDDEN && /speaks for a party/.test(reason)) return 'closed.partyChanged'
  return CLOSE_MESSAGES[code] || 'closed.other'
}

function wsUrl () {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${location.host}/ws/boards`
}

/** @returns {BoardContext['announce']} */
function announcer () {
  const live = byId('live')
  return (message) => {
    live.textContent = ''
    setTimeout(() => { live.textContent = message }, 30)
  }
}

/** @returns {BoardContext['toast']} */
function toaster () {
  const region = byId('toasts')
  return (message, actionLabel, action, ms = 9000) => {
    const toast = h('div', { class: 'toast' }, h('span', {}, message))
    if (actionLabel) {
      toast.append(h('button', {
        type: 'button',
        class: 'button button--small',
        onclick: () => { action?.(); toast.remove() }
      }, actionLabel))
    }
    region.append(toast)
    setTimeout(() => toast.remove(), ms)
  }
}

/**
 * @param {string} title
 * @param {string} message
 * @param {Array<[string, string]>} [links] href and label of each way out
 */
function showGate (title, message, links = []) {
  const main = byId('main')
  clear(main)
  main.append(h('section', { class: 'gate' },
    h('h2', {}, title), h('p', {}, message),
    links.length ? h('ul', { class: 'link-list' }, links.map(([href, label]) => h('li', {}, h('a', { href }, label)))) : null))
}

/**
 * The parts of the board's template, or the ones its document has when the template is unknown.
 * @param {unknown} template
 * @param {Roots} rootsOf
 * @returns {string[]}
 */
function templateParts (template, rootsOf) {
  const known = catalog().templates.find((entry) => entry.id === template)
  if (known) return known.parts
  const parts = []
  if (rootsOf.notes.size) parts.push('continuum')
  if (rootsOf.chain.has('vision')) parts.push('chain')
  if (rootsOf.agreement.size) parts.push('agreement')
  return parts
}

class BoardPage {
  /**
   * @param {string} boardId
   * @param {BoardAccess} access the invite this browser joined with
   */
  constructor (boardId, access) {
    this.boardId = boardId
    this.access = access
    this.announce = announcer()
    this.toast = toaster()
    /** @type {Closed | null} */
    this.terminal = null
    /** @type {Problem[]} */
    this.problems = []
    /** @type {Set<(problems: Problem[]) => void>} */
    this.problemListeners = new Set()
    /** @type {Map<string, Tab>} */
    this.views = new Map()
    /** @type {Me} */
    this.me = { id: clientId(), name: access.name, party: access.party || '', role: access.role, token: access.token, invite: access.inviteId || '' }
    this.doc = new Y.Doc()
    this.roots = roots(this.doc)
    this.local = new LocalCopy(boardId, this.doc)
    this.connection = new Connection({
      wsUrl: wsUrl(),
      boardId: this.boardId,
      doc: this.doc,
      // No party: the server takes it from the invite, the only word on who one speaks for.
      params: Object.fromEntries(Object.entries({ token: access.token, name: access.name }).filter(([, v]) => v)),
      local: this.local,
      beforeConnect: () => this.checkBoard()
    })
    this.presence = new Presence(this.connection.awareness, this.me)
    this.built = false
    this.reloading = false
    /** @type {string[]} */
    this.parts = []
    /** @type {string | undefined} the selected tab */
    this.current = undefined
    this.following = false
    /** @type {string | undefined} */
    this.followedView = undefined
    /** @type {string | undefined} */
    this.followedTarget = undefined
    /** @type {string | undefined} */
    this.lastLocks = undefined
    /** @type {number | undefined} */
    this.timerTick = undefined
    /** @type {string | undefined} */
    this.announcedTimer = undefined
    /** @type {number | undefined} */
    this.timerHide = undefined
    /** @type {number | undefined} */
    this.bannerTimer = undefined
    /** whether the banner only reports a refused change (and may go away) */
    this.bannerPassing = false
    this.refreshProblemsSoon = debounce(() => this.fetchProblems(), 1200)
    /** @type {Comments | null} comments on notes, chain items and sections (server-held) */
    this.comments = null
  }

  start () {
    const debugging = /** @type {Window & {atelier?: object}} */ (window)
    debugging.atelier = { doc: this.doc, connection: this.connection, provider: this.connection.provider, local: this.local }
    this.renderMe()
    this.connection.on('status', (status, extra) => this.showStatus(status, extra))
    this.connection.on('closed', (event) => this.closed(event))
    this.connection.on('notice', (notice) => this.notice(notice))
    this.connection.on('synced', () => this.ready())
    this.connection.on('reset', () => this.serverReset())
    this.notes = new ConnectionNotes(this.connection)
    this.showStatus(this.connection.status, { storageOk: true })
    const kept = flash()
    if (kept) this.passingBanner(kept)
    window.addEventListener('beforeunload', (event) => {
      // with a local copy, unsent edits survive the closed tab: no need to hold the person back
      const unsafe = !this.local.persistence && (this.connection.status === 'saving' || this.connection.status === 'offline')
      if (!this.reloading && unsafe) {
        event.preventDefault()
        event.returnValue = ''
      }
    })
    this.localOpened = this.openLocal()
    this.checkGrant()
  }

  /** Open from the local copy at once when this browser has one, then connect. */
  async openLocal () {
    await this.local.open()
    if (this.roots.meta.get('template') !== undefined) this.ready()
    this.connection.start()
  }

  /**
   * Before each connection: is this still the board the local copy belongs to? Its server
   * created_at tells a board deleted and created again under the same id, whose old content
   * must not merge into the new one. Throws when the server cannot be reached (retry later).
   * @returns {Promise<boolean>} whether to connect
   */
  async checkBoard () {
    let board
    try {
      board = await api('GET', `/api/boards/${this.boardId}`, { token: this.me.token })
    } catch (error) {
      if (!(error instanceof ApiError) || error.status === 0 || error.status >= 500 || error.status === 429) throw error
      const code = error.status === 404 ? CloseCode.NO_SUCH_BOARD : error.status === 401 ? CloseCode.UNAUTHENTICATED : CloseCode.FORBIDDEN
      this.connection.stop({ code, reason: error.detail || '' })
      return false
    }
    const epoch = board && typeof board.created_at === 'number' ? board.created_at : null
    if (epoch === null) return true
    if (this.local.epoch !== null && this.local.epoch !== epoch) {
      await this.local.clear()
      flash(t('local.recreated'))
      this.reloading = true
      location.reload()
      return false
    }
    if (this.local.epoch === null) this.local.setEpoch(epoch)
    return true
  }

  /** The server's word on this invite: its role, the party it speaks for, its id. */
  async checkGrant () {
    try {
      const me = await api('GET', '/api/me', { token: this.me.token })
      if (!me || !me.role) return
      const party = me.party || ''
      const invite = me.invite_id || ''
      if (me.role !== this.me.role || party !== this.me.party || invite !== this.me.invite) {
        Object.assign(this.me, { role: me.role, party, invite })
        this.renderMe()
        this.refreshPermissions()
      }
    } catch (error) {
      if (!(error instanceof ApiError)) return
      if (error.status !== 401 && error.status !== 403) return
      await this.localOpened // the refusal says how many unsent edits the local copy keeps
      this.closed({ code: error.status === 401 ? CloseCode.UNAUTHENTICATED : CloseCode.FORBIDDEN, reason: error.detail || '' })
    }
  }

  renderMe () {
    const me = this.me
    byId('me').textContent = `${me.name} · ${partyLabel(me.party)}${me.role === 'participant' ? '' : ` · ${roleLabel(me.role)}`}`
  }

  /** @returns {BoardContext} */
  ctx () {
    const self = this
    return {
      doc: this.doc,
      roots: this.roots,
      me: this.me,
      boardId: this.boardId,
      origin: LOCAL,
      presence: this.presence,
      announce: this.announce,
      toast: this.toast,
      canEdit: (zone) => this.canEdit(zone),
      api: (method, path, body) => api(method, path, { token: this.me.token, body }),
      onProblems: (fn) => this.problemListeners.add(fn),
      refreshProblemsSoon: () => this.refreshProblemsSoon(),
      select: (view) => this.select(view),
      hasView: (view) => this.views.has(view),
      currentView: () => this.current,
      get problems () { return self.problems }
    }
  }

  /** @param {string} zone */
  canEdit (zone) {
    if (this.terminal || this.me.role === 'observer' || this.me.role === 'coordinator') return false
    if (this.me.role === 'facilitator') return true
    const locks = readLocks(this.roots.meta)
    return !locks.includes('board') && !locks.includes(zone)
  }

  ready () {
    if (this.built) return
    this.built = true
    const meta = this.roots.meta
    this.parts = templateParts(meta.get('template'), this.roots)
    const ctx = this.ctx()
    const main = byId('main')
    clear(main)
    const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': t('board.views') })
    const panels = h('div', { class: 'panels' })
    /** @type {Array<[string, string, View, string | null]>} */
    const defs = []
    const continuum = this.parts.includes('continuum') ? new ContinuumView(ctx) : null
    if (continuum) defs.push(['continuum', pick(catalog().continuum.label), continuum, 'continuum'])
    if (this.parts.includes('chain')) defs.push(['chain', pick(catalog().chain.label), new ChainView(ctx), 'chain'])
    if (this.parts.includes('agreement')) defs.push(['agreement', pick(catalog().agreement.label), new AgreementView(ctx), null])
    const method = catalog().method
    if (this.parts.includes('conditions')) defs.push(['conditions', pick(method.conditions.label), new ConditionsView(ctx), 'conditions'])
    if (this.parts.includes('support')) defs.push(['support', pick(method.support.label), new SupportView(ctx), 'support'])
    // the list view moves notes the way the continuum does (same height, first free spot)
    if (this.parts.includes('continuum') || this.parts.includes('conditions')) defs.push(['rounds', t('rounds.tab'), new RoundsView(ctx), null])
    defs.push(['list', t('board.listView'), new ListView(ctx, this.parts, continuum && ((id, level) => continuum.moveToLevel(id, level))), null])
    if (this.me.role === 'facilitator') defs.push(['facilitator', t('board.facilitatorPanel'), new FacilitatorPanel(ctx, this.parts), null])
    for (const [id, label, view, zone] of defs) {
      const tab = h('button', {
        type: 'button',
        role: 'tab',
        id: `tab-${id}`,
        class: 'tab',
        'aria-controls': `panel-${id}`,
        'aria-selected': 'false',
        tabIndex: -1,
        onclick: () => this.select(id, { user: true }),
        onkeydown: (/** @type {KeyboardEvent} */ event) => this.tabKey(event, id)
      }, label)
      const lockNote = h('p', { class: 'lock-banner', hidden: true })
      const panel = h('section', { id: `panel-${id}`, role: 'tabpanel', 'aria-labelledby': `tab-${id}`, class: `panel panel--${id}`, hidden: true, tabIndex: -1 }, lockNote)
      tabs.append(tab)
      panels.append(panel)
      this.views.set(id, { id, tab, panel, view, zone, lockNote })
      view.mount(panel)
    }
    this.comments = new Comments(ctx)
    this.comments.attach(panels)
    const since = new SinceLastVisitPanel(ctx, (target) => this.openThread(target))
    main.append(since.element, new RoundsBar(ctx).element, tabs, panels)
    this.comments.refresh()
    since.start()
    panels.addEventListener('focusin', (event) => {
      const target = /** @type {HTMLElement | null} */ (/** @type {Element} */ (event.target).closest('[data-focus-id]'))
      this.presence.set('focus', { view: this.current, target: target ? target.dataset.focusId : null })
    })
    const wanted = location.hash.slice(1)
    this.select(this.views.has(wanted) ? wanted : defs[0][0], { initial: true })
    meta.observeDeep(() => this.metaChanged())
    this.metaChanged()
    this.setupFollow()
    new Activity(ctx)
    if (this.me.role !== 'facilitator') new SummonWatch(ctx)
    this.doc.on('update', () => this.refreshProblemsSoon())
    this.fetchProblems()
  }

  /**
   * Show the tab a commented thing is on, then its threads.
   * @param {{kind: string, id: string}} target
   */
  openThread (target) {
    const tab = { note: 'continuum', chain_item: 'chain', section: 'agreement' }[target.kind]
    if (tab && this.views.has(tab)) this.select(tab, { user: true })
    const button = document.querySelector(`[data-comment-target="${CSS.escape(`${target.kind}:${target.id}`)}"]`)
    this.comments?.dialog.show(target, button instanceof HTMLElement ? button : null)
  }

  /**
   * Arrows, Home and End move between the tabs.
   * @param {KeyboardEvent} event
   * @param {string} id
   */
  tabKey (event, id) {
    const ids = Array.from(this.views.keys())
    const index = ids.indexOf(id)
    let next = null
    if (event.key === 'ArrowRight') next = ids[(index + 1) % ids.length]
    else if (event.key === 'ArrowLeft') next = ids[(index - 1 + ids.length) % ids.length]
    else if (event.key === 'Home') next = ids[0]
    else if (event.key === 'End') next = ids[ids.length - 1]
    if (!next) return
    event.preventDefault()
    this.select(next, { user: true })
    this.views.get(next)?.tab.focus()
  }

  /**
   * @param {string} id
   * @param {{user?: boolean, initial?: boolean}} [how] `user`: picked by the person (stops following)
   */
  select (id, { user = false, initial = false } = {}) {
    if (!this.views.has(id)) return
    if (user && this.following && id !== this.followedView) this.setFollowing(false, true)
    const previous = this.current
    this.current = id
    for (const entry of this.views.values()) {
      const on = entry.id === id
      entry.tab.setAttribute('aria-selected', String(on))
      entry.tab.tabIndex = on ? 0 : -1
      entry.panel.hidden = !on
      if (!on && entry.view.hide) entry.view.hide()
    }
    const entry = /** @type {Tab} */ (this.views.get(id))
    scrollTabIntoView(entry.tab)
    if (entry.view.show) entry.view.show()
    if (entry.view.sync && id !== 'list' && id !== 'facilitator') entry.view.sync()
    if (entry.view.drawLater) entry.view.drawLater()
    if (previous !== id && (id === 'chain' || id === 'list')) this.fetchProblems()
    if (!initial) history.replaceState(null, '', `#${id}`)
    if (previous !== id) this.presence.set('focus', { view: id, target: null })
  }

  refreshPermissions () {
    for (const entry of this.views.values()) {
      if (entry.view.refreshPermissions) entry.view.refreshPermissions()
      this.showLock(entry)
    }
    showLockMarks(this.views, readLocks(this.roots.meta))
  }

  /** @param {Tab} entry */
  showLock (entry) {
    const locks = readLocks(this.roots.meta)
    let message = null
    if (this.me.role === 'observer') message = t('lock.observer')
    else if (this.me.role === 'coordinator') message = t('lock.coordinator')
    else if (locks.includes('board')) message = this.me.role === 'facilitator' ? t('lock.boardFacilitator') : t('lock.board')
    else if (entry.zone && locks.includes(entry.zone)) message = this.me.role === 'facilitator' ? t('lock.zoneFacilitator') : t('lock.zone')
    else if (entry.id === 'chain' && locks.includes('vision') && this.me.role !== 'facilitator') message = t('lock.vision')
    else if (entry.id === 'agreement') {
      const sections = locks.filter((zone) => zone.startsWith('agreement.'))
      if (sections.length && this.me.role !== 'facilitator') {
        message = t('lock.sections', { sections: sections.map((zone) => pick(catalog().zones.find((z) => z.id === zone)?.label)).join(', ') })
      }
    }
    entry.lockNote.hidden = !message
    entry.lockNote.textContent = message || ''
  }

  metaChanged () {
    const title = this.roots.meta.get('title')
    if (typeof title === 'string' && title) {
      byId('board-title').textContent = title
      document.title = `${title} — Atelier`
    }
    const locks = readLocks(this.roots.meta).join(',')
    if (locks !== this.lastLocks) {
      // a refusal reported before no longer says how things are once the locks change
      if (this.lastLocks !== undefined) this.hidePassingBanner()
      this.lastLocks = locks
      this.refreshPermissions()
    }
    this.showTimer()
  }

  // -- timer ----------------------------------------------------------------------------

  showTimer () {
    const timer = readTimer(this.roots.meta)
    const el = byId('timer')
    clearInterval(this.timerTick)
    clearTimeout(this.timerHide)
    const ends = timer && toDate(timer.endsAt)
    const hideAt = ends ? ends.getTime() + TIMER_SHOWN_AFTER_END_MS : 0
    if (!timer || !ends || Date.now() >= hideAt) {
      el.hidden = true
      return
    }
    el.hidden = false
    el.dataset.endsAt = ends.toISOString() // what « +1 min » moves, readable by tests and tools
    const tick = () => {
      const left = Math.max(0, Math.round((ends.getTime() - Date.now()) / 1000))
      const mm = String(Math.floor(left / 60)).padStart(2, '0')
      const ss = String(left % 60).padStart(2, '0')
      el.textContent = left > 0 ? `${mm}:${ss}` : t('timer.over')
      el.setAttribute('aria-label', left > 0 ? t('timer.left', { minutes: Math.ceil(left / 60) }) : t('timer.over'))
      el.classList.toggle('timer--over', left === 0)
      if (left === 0) {
        clearInterval(this.timerTick)
        clearTimeout(this.timerHide)
        this.timerHide = setTimeout(() => { el.hidden = true }, Math.max(0, hideAt - Date.now()))
        if (this.announcedTimer !== String(timer.endsAt)) {
          this.announcedTimer = String(timer.endsAt)
          this.announce(t('timer.over'))
          timerReachedZero(ends)
        }
      }
    }
    tick()
    this.timerTick = setInterval(tick, 1000)
  }

  // -- follow the facilitator -----------------------------------------------------------

  /** Everyone sees who is here; the follow box is for those the facilitator may lead. */
  setupFollow () {
    const leads = this.me.role === 'facilitator'
    byId('follow-wrapper').hidden = leads
    if (!leads) {
      const box = followBox()
      box.addEventListener('change', () => this.setFollowing(box.checked, false))
    }
    this.presence.onChange(() => {
      this.renderPresence()
      if (this.following) this.follow()
    })
    this.renderPresence()
  }

  /**
   * @param {boolean} on
   * @param {boolean} announce whether to say so (when it changed without the person asking)
   */
  setFollowing (on, announce) {
    this.following = on
    followBox().checked = on
    if (on) this.follow()
    if (announce) this.announce(t(on ? 'follow.on' : 'follow.off'))
  }

  follow () {
    const leader = this.presence.facilitator()
    if (!leader || !leader.focus) return
    const { view, target } = leader.focus
    if (view && view !== this.current && this.views.has(view)) {
      this.followedView = view
      this.select(view)
    }
    if (target && target !== this.followedTarget) {
      this.followedTarget = target
      const el = document.querySelector(`[data-focus-id="${CSS.escape(target)}"]`)
      if (el) {
        el.scrollIntoView({ block: 'nearest', inline: 'nearest', behavior: 'smooth' })
        el.classList.add('followed')
        setTimeout(() => el.classList.remove('followed'), 1500)
      }
    }
  }

  renderPresence () {
    this.presence.renderList(byId('presence-list'))
    if (this.me.role === 'facilitator') return
    const leader = this.presence.facilitator()
    followBox().disabled = !leader
    byId('follow-hint').textContent = leader ? '' : t('follow.nobody')
  }

  // -- problems from the server ---------------------------------------------------------

  async fetchProblems () {
    if (!['chain', 'list'].includes(/** @type {string} */ (this.current))) return
    if (this.connection.status !== 'saved') {
      this.refreshProblemsSoon()
      return
    }
    try {
      const content = await api('GET', `/api/boards/${this.boardId}/content`, { token: this.me.token })
      this.problems = (content && content.problems) || []
    } catch {
      return
    }
    for (const fn of this.problemListeners) fn(this.problems)
  }

  // -- connection feedback --------------------------------------------------------------

  /**
   * @param {Status} status
   * @param {{storageOk: boolean}} extra
   */
  showStatus (status, { storageOk }) {
    const el = byId('save-status')
    el.dataset.status = status
    let text = t(`status.${status}`)
    if (status === 'saving' && !storageOk) text = t('status.storageTrouble')
    el.textContent = text
    if (!this.built && status === 'offline') {
      showGate(t('board.offlineTitle'), t('board.offline'))
    }
  }

  /**
   * @param {string} message
   * @param {'error' | 'warning'} [kind]
   * @param {import('../lib/dom.js').Child[]} [actions]
   */
  banner (message, kind = 'error', actions = []) {
    const el = byId('banner')
    clearTimeout(this.bannerTimer)
    this.bannerPassing = false
    clear(el)
    el.hidden = false
    el.dataset.kind = kind
    append(el, [h('p', {}, message), actions.length ? h('p', { class: 'row' }, actions) : null])
  }

  /**
   * Say that a change was refused and undone: until dismissed, until the locks change, or for
   * REFUSAL_NOTE_MS, whichever comes first.
   * @param {string} message
   */
  passingBanner (message) {
    const dismiss = h('button', { type: 'button', class: 'button button--small button--quiet', onclick: () => this.hidePassingBanner(true) }, t('action.dismiss'))
    this.banner(message, 'warning', [dismiss])
    this.bannerPassing = true
    this.bannerTimer = setTimeout(() => this.hidePassingBanner(), REFUSAL_NOTE_MS)
  }

  /** @param {boolean} [dismissed] by the person (focus goes back to the board) */
  hidePassingBanner (dismissed = false) {
    if (!this.bannerPassing) return
    this.bannerPassing = false
    clearTimeout(this.bannerTimer)
    const el = byId('banner')
    el.hidden = true
    clear(el)
    if (dismissed) byId('main').focus({ preventScroll: true })
  }

  /** @param {Closed} closed why the server ended the connection */
  closed ({ code, reason }) {
    if (this.terminal) return
    this.terminal = { code, reason }
    if (!this.connection.terminal) this.connection.stop({ code, reason })
    this.notes?.stop()
    const key = closeMessage(code, reason)
    const kind = closeClass(code)
    const pending = this.local.pending
    // refused: the local copy stays (a new link may send it); gone: the board is no more
    const words = [t(key)]
    if (kind === 'refused' && pending) words.push(t('local.keptUnsent', { count: pending }))
    if (kind === 'gone') words.push(t(pending ? 'local.clearedUnsent' : 'local.cleared', { count: pending }))
    if (kind === 'gone') this.local.clear()
    this.banner(words.join(' '), 'error', [
      h('a', { href: '/', class: 'button button--small' }, t('nav.home')),
      pending && (kind === 'refused' || kind === 'gone') ? downloadButton(this.doc, this.boardId) : null,
      // the server's reason is English: shown only when no sentence of ours says why
      reason && key === 'closed.other' ? h('span', { class: 'muted' }, ` (${reason})`) : null
    ])
    if (!this.built) showGate(t('closed.title'), words.join(' '), [['/', t('nav.home')]])
    this.refreshPermissions()
    this.showStatus('closed', { storageOk: true })
  }

  /**
   * The server lacks content this browser saw saved (it was restored from an older backup):
   * nothing was sent; the person chooses to send this copy, or to start from the server's.
   */
  serverReset () {
    this.notes?.stop()
    this.banner(t('local.serverBehind'), 'error', [
      h('button', {
        type: 'button',
        class: 'button button--small',
        onclick: () => {
          byId('banner').hidden = true
          this.connection.sendToBehindServer()
        }
      }, t('local.sendAnyway')),
      h('button', {
        type: 'button',
        class: 'button button--small button--quiet',
        onclick: async () => {
          await this.local.clear()
          this.reloading = true
          location.reload()
        }
      }, t('local.useServer')),
      downloadButton(this.doc, this.boardId)
    ])
    this.showStatus('closed', { storageOk: true })
  }

  /** @param {Notice} notice */
  notice (notice) {
    if (notice.kind === 'write_refused') {
      flash(t('notice.refusedReloaded'))
      this.banner(t('notice.refused'), 'warning')
      this.reloading = true
      // the refused change is in the local copy too: start again from the server's state
      this.local.clear().finally(() => setTimeout(() => location.reload(), 1500))
    } else if (notice.kind === 'round') {
      roundNotice(this.boardId) // carries the round's id only: the API says what one may see
    } else if (notice.kind === 'comment') {
      this.comments?.refreshSoon() // a thread's id only: the API has the comments
    } else if (notice.kind === 'storage') {
      if (!notice.ok) this.banner(t('notice.storage'), 'warning')
      else byId('banner').hidden = true
    }
  }
}

/**
 * Scroll a row of tabs (one scrolling line on phones) so the selected one shows; the page
 * itself does not move.
 * @param {HTMLElement} tab
 */
function scrollTabIntoView (tab) {
  const row = tab.parentElement
  if (!row || row.scrollWidth <= row.clientWidth) return
  const box = row.getBoundingClientRect()
  const rect = tab.getBoundingClientRect()
  if (rect.left < box.left) row.scrollLeft -= box.left - rect.left
  else if (rect.right > box.right) row.scrollLeft += rect.right - box.right
}

/** @returns {HTMLInputElement} */
function followBox () {
  return byId('follow')
}

const boardId = /** @type {string} */ (pageData().boardId)
const access = boardAccess(boardId)
if (!access || !access.token) showGate(t('board.noAccessTitle'), t('board.noAccess'), [['/', t('nav.home')]])
else new BoardPage(boardId, access).start()
