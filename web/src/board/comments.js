// @ts-check
// Comments on notes, chain items and agreement sections. They are held by the server, not in
// the board's document: each thing gets a « Commentaires (n) » button that opens its threads
// (author, party, time, reply, mention a party, resolve / reopen; resolved threads folded).
// The buttons are added to the views' elements by their `data-focus-id`, so the views know
// nothing of comments.

import { h, append, clear, formatDate, debounce } from '../lib/dom.js'
import { t, pick, catalog, partyLabel, lang } from '../lib/page.js'
import { errorDetail } from '../lib/api.js'

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */

/**
 * @typedef {object} Comment
 * @property {string} id
 * @property {string} thread
 * @property {string | null} parent
 * @property {{kind: string, id: string}} target
 * @property {{invite: string, name: string, party: string | null}} author
 * @property {string} text
 * @property {string[]} mentions
 * @property {string} created_at
 * @property {boolean} [mentions_me]
 */

/**
 * @typedef {object} Thread
 * @property {string} id
 * @property {{kind: string, id: string}} target
 * @property {boolean} resolved
 * @property {{invite: string | null, name: string | null} | null} resolved_by
 * @property {Comment[]} comments
 */

/** The focus-id prefix of each kind of thing one may comment on. */
const PREFIXES = /** @type {const} */ ([['note-', 'note'], ['item-', 'chain_item'], ['section-', 'section']])
/** Where the button goes in each kind of element (else at its end). */
const SLOTS = { note: '.note__tools', chain_item: '.item__head', section: '.section__head' }
const MAX_TEXT = 2000

/**
 * The target an element of a view stands for, from its `data-focus-id`.
 * @param {string | undefined} focusId
 * @returns {{kind: 'note' | 'chain_item' | 'section', id: string} | null}
 */
export function targetOf (focusId) {
  for (const [prefix, kind] of PREFIXES) {
    if (focusId && focusId.startsWith(prefix) && focusId.length > prefix.length) return { kind, id: focusId.slice(prefix.length) }
  }
  return null
}

/** @param {{kind: string, id: string}} target */
const keyOf = (target) => `${target.kind}:${target.id}`

/** "Marie · État · 2 déc., 10:05". @param {Comment} comment */
export function byline (comment) {
  return `${comment.author.name} · ${partyLabel(comment.author.party)} · ${formatDate(comment.created_at, lang())}`
}

export class Comments {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    /** @type {Map<string, Thread[]>} threads by target */
    this.byTarget = new Map()
    /** @type {Map<string, HTMLButtonElement>} buttons by target */
    this.buttons = new Map()
    this.dialog = new ThreadDialog(this)
    this.refreshSoon = debounce(() => this.refresh(), 300)
  }

  /** Whether this person may write (participants and facilitators; the server decides too). */
  get writes () {
    return this.ctx.me.role === 'participant' || this.ctx.me.role === 'facilitator'
  }

  /**
   * Add a button to every commentable element inside `root`, now and as views add them.
   * @param {HTMLElement} root
   */
  attach (root) {
    const scan = (/** @type {Element} */ node) => {
      if (node instanceof HTMLElement && node.dataset.focusId) this.decorate(node)
      for (const el of node.querySelectorAll('[data-focus-id]')) this.decorate(/** @type {HTMLElement} */ (el))
    }
    scan(root)
    new MutationObserver((records) => {
      for (const record of records) for (const node of record.addedNodes) if (node instanceof Element) scan(node)
    }).observe(root, { childList: true, subtree: true })
  }

  /** @param {HTMLElement} el */
  decorate (el) {
    const target = targetOf(el.dataset.focusId)
    if (!target || el.querySelector(':scope .comment-button')) return
    const button = h('button', {
      type: 'button',
      class: 'comment-button',
      dataset: { commentTarget: keyOf(target) },
      onclick: () => this.dialog.show(target, button)
    })
    const slot = el.querySelector(SLOTS[target.kind]) || el
    slot.append(button)
    this.buttons.set(keyOf(target), button)
    this.paint(target, button)
  }

  /**
   * @param {{kind: string, id: string}} target
   * @param {HTMLButtonElement} button
   */
  paint (target, button) {
    const threads = this.byTarget.get(keyOf(target)) || []
    const count = threads.reduce((sum, thread) => sum + thread.comments.length, 0)
    const open = threads.filter((thread) => !thread.resolved).length
    // the name is the content (« Commentaires (2) »); what shows is the icon and the count
    clear(button)
    button.title = t('comments.button', { count })
    append(button, [
      h('span', { class: 'visually-hidden' }, t('comments.button', { count })),
      count ? h('span', { class: 'comment-button__count', 'aria-hidden': 'true' }, String(count)) : null])
    button.classList.toggle('comment-button--open', open > 0)
  }

  async refresh () {
    let listed
    try {
      listed = await this.ctx.api('GET', `/api/boards/${this.ctx.boardId}/comments`)
    } catch {
      return // shown again on the next notice or opening
    }
    this.byTarget.clear()
    for (const thread of /** @type {Thread[]} */ (listed.threads)) {
      const key = keyOf(thread.target)
      this.byTarget.set(key, [...(this.byTarget.get(key) || []), thread])
    }
    for (const [key, button] of this.buttons) {
      if (!button.isConnected) this.buttons.delete(key)
      else this.paint(threadTarget(key), button)
    }
    this.dialog.rerender()
  }

  /**
   * Post a comment or a reply; true once the server took it (the caller refreshes).
   * @param {Record<string, unknown>} body
   * @param {HTMLElement} status where a refusal is said
   */
  async post (body, status) {
    try {
      await this.ctx.api('POST', `/api/boards/${this.ctx.boardId}/comments`, { name: this.ctx.me.name, ...body })
    } catch (error) {
      status.textContent = t('comments.failed', { detail: errorDetail(error) })
      return false
    }
    this.ctx.announce(t('comments.posted'))
    return true
  }

  /**
   * @param {Thread} thread
   * @param {boolean} resolved
   */
  async setResolved (thread, resolved) {
    const name = encodeURIComponent(this.ctx.me.name)
    try {
      await this.ctx.api('POST', `/api/comments/${thread.id}/${resolved ? 'resolve' : 'reopen'}?name=${name}`)
    } catch (error) {
      this.ctx.toast(t('comments.failed', { detail: errorDetail(error) }))
      return
    }
    this.ctx.announce(t(resolved ? 'comments.resolvedNow' : 'comments.reopenedNow'))
    await this.refresh()
  }

  /** @param {Thread} thread */
  mayResolve (thread) {
    const me = this.ctx.me
    return me.role === 'facilitator' || (this.writes && Boolean(me.invite) && thread.comments[0].author.invite === me.invite)
  }

  /**
   * What a target is called in the dialog's title: the note's or item's text, the section's name.
   * @param {{kind: string, id: string}} target
   */
  nameOf (target) {
    if (target.kind === 'section') return pick(catalog().agreement.sections.find((s) => s.id === target.id)?.label) || target.id
    const map = target.kind === 'note' ? this.ctx.roots.notes.get(target.id) : this.ctx.roots.chain.get('items')?.get(target.id)
    const text = String(map?.get?.('text') ?? '').trim()
    const what = t(target.kind === 'note' ? 'comments.ofNote' : 'comments.ofItem')
    return text ? `${what} « ${text.length > 40 ? text.slice(0, 39) + '…' : text} »` : what
  }
}

/** @param {string} key "kind:id" @returns {{kind: string, id: string}} */
function threadTarget (key) {
  const at = key.indexOf(':')
  return { kind: key.slice(0, at), id: key.slice(at + 1) }
}

/**
 * Checkboxes for the parties a comment mentions.
 * @param {string} prefix unique id prefix
 */
function mentionBoxes (prefix) {
  return h('fieldset', { class: 'comment-mentions' },
    h('legend', {}, t('comments.mention')),
    catalog().parties.map((party) => h('label', { class: 'comment-mention' },
      h('input', { type: 'checkbox', name: `${prefix}-mention`, value: party.id }), ' ', pick(party.label))))
}

/** A form control's identity across a re-render. @param {HTMLInputElement} input */
function draftKey (input) {
  return input.type === 'checkbox' ? `${input.name}:${input.value}` : input.id
}

/** @param {HTMLFormElement} form */
function checkedMentions (form) {
  return Array.from(form.querySelectorAll('input[type=checkbox]:checked'), (box) => /** @type {HTMLInputElement} */ (box).value)
}

/** The thread panel of one thing: a modal dialog. */
class ThreadDialog {
  /** @param {Comments} comments */
  constructor (comments) {
    this.comments = comments
    this.element = h('dialog', { class: 'comment-dialog', id: 'comment-dialog', 'aria-labelledby': 'comment-dialog-title' })
    this.element.addEventListener('close', () => { this.opener?.focus(); this.target = null })
    document.body.append(this.element)
    /** @type {{kind: string, id: string} | null} */
    this.target = null
    /** @type {HTMLElement | null} */
    this.opener = null
  }

  /**
   * @param {{kind: string, id: string}} target
   * @param {HTMLElement | null} opener focused again on close
   */
  show (target, opener) {
    this.target = target
    this.opener = opener
    this.render()
    if (!this.element.open) this.element.showModal()
    this.comments.refresh()
  }

  rerender () {
    if (this.target && this.element.open) this.render(true)
  }

  /** @param {boolean} [keepFocus] whether to put the focus back where it was (a refresh) */
  render (keepFocus = false) {
    const target = /** @type {{kind: string, id: string}} */ (this.target)
    const focused = keepFocus && document.activeElement instanceof HTMLElement && this.element.contains(document.activeElement) ? document.activeElement.id : ''
    const threads = this.comments.byTarget.get(keyOf(target)) || []
    // drafts survive a refresh (someone else commented meanwhile)
    const drafts = new Map(Array.from(this.element.querySelectorAll('textarea, input[type=checkbox]'), (el) => {
      const input = /** @type {HTMLInputElement} */ (el)
      return [draftKey(input), input.type === 'checkbox' ? input.checked : input.value]
    }))
    clear(this.element)
    append(this.element, [
      h('h2', { id: 'comment-dialog-title' }, t('comments.title', { name: this.comments.nameOf(target) })),
      threads.length ? h('ul', { class: 'comment-threads' }, threads.map((thread) => h('li', {}, this.thread(thread)))) : h('p', { class: 'muted' }, t('comments.none')),
      this.comments.writes ? this.form('new', (body, status) => this.comments.post({ target, ...body }, status), t('comments.new')) : h('p', { class: 'muted' }, t('comments.readOnly')),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.element.close() }, t('comments.close')))])
    for (const el of this.element.querySelectorAll('textarea, input[type=checkbox]')) {
      const input = /** @type {HTMLInputElement} */ (el)
      const kept = drafts.get(draftKey(input))
      if (typeof kept === 'boolean') input.checked = kept
      else if (typeof kept === 'string') input.value = kept
    }
    const again = focused ? document.getElementById(focused) : null
    if (again) again.focus()
  }

  /** @param {Thread} thread */
  thread (thread) {
    const list = h('ol', { class: 'comment-list' }, thread.comments.map((comment) => h('li', { class: 'comment' },
      h('p', { class: 'comment__by' }, byline(comment)),
      h('p', { class: 'comment__text' }, comment.text),
      comment.mentions.length ? h('p', { class: 'comment__mentions' }, t('comments.mentions', { parties: comment.mentions.map(partyLabel).join(', ') })) : null)))
    const tools = h('div', { class: 'row' },
      this.comments.mayResolve(thread)
        ? h('button', { type: 'button', class: 'button button--small', id: `comment-${thread.resolved ? 'reopen' : 'resolve'}-${thread.id}`, onclick: () => this.comments.setResolved(thread, !thread.resolved) }, t(thread.resolved ? 'comments.reopen' : 'comments.resolve'))
        : null)
    const reply = this.comments.writes && !thread.resolved ? this.form(`reply-${thread.id}`, (body, status) => this.comments.post({ parent: thread.id, ...body }, status), t('comments.reply')) : null
    if (!thread.resolved) return h('article', { class: 'comment-thread', 'aria-label': t('comments.threadOf', { name: thread.comments[0].author.name }) }, list, tools, reply)
    const by = thread.resolved_by?.name ? t('comments.resolvedBy', { name: thread.resolved_by.name }) : t('comments.resolved')
    return h('details', { class: 'comment-thread comment-thread--resolved' },
      h('summary', {}, `${by} — ${t('comments.count', { count: thread.comments.length })}`), list, tools)
  }

  /**
   * A text box, the mention checkboxes and a send button.
   * @param {string} prefix unique id prefix
   * @param {(body: {text: string, mentions: string[]}, status: HTMLElement) => Promise<boolean>} send
   * @param {string} label
   */
  form (prefix, send, label) {
    const status = h('p', { class: 'comment-status', role: 'status' })
    const textId = `comment-${prefix}-text`
    const form = h('form', {
      class: 'comment-form stack',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        const area = /** @type {HTMLTextAreaElement} */ (form.querySelector('textarea'))
        if (!area.value.trim()) { status.textContent = t('comments.empty'); area.focus(); return }
        if (!await send({ text: area.value.trim(), mentions: checkedMentions(form) }, status)) return
        form.reset() // before the refresh, which keeps drafts
        await this.comments.refresh()
      }
    },
    h('label', { for: textId }, label),
    h('textarea', { id: textId, rows: 3, maxlength: MAX_TEXT }),
    mentionBoxes(prefix),
    h('button', { type: 'submit', class: 'button button--small', id: `comment-${prefix}-send` }, t(prefix === 'new' ? 'comments.send' : 'comments.sendReply')),
    status)
    return form
  }
}
