// @ts-check
// « Depuis votre dernière visite »: on opening the board, what changed and what was said
// since this invite's previous visit, mentions of one's party first. The visit is recorded
// once per tab (a reload shows the same panel, unless it was dismissed).

import { h, append, clear, formatDate } from '../lib/dom.js'
import { t, pick, partyLabel, lang } from '../lib/page.js'
import { byline } from './comments.js'

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('./comments.js').Comment} Comment */

/**
 * @typedef {object} SinceLastVisit
 * @property {string | null} since
 * @property {string | null} until
 * @property {Comment[]} comments
 * @property {number} comments_total
 * @property {Array<{kind: string, caption: {fr: string, en: string}}>} changes
 * @property {number} changes_total
 * @property {Array<{name: string | null, party: string | null}>} authors
 */

const VISITED = 'atelier.visited.'
const DISMISSED = 'atelier.sinceDismissed.'

/** sessionStorage, or nothing where the browser keeps none. @param {string} key */
function kept (key) {
  try { return sessionStorage.getItem(key) } catch { return null }
}

/** @param {string} key @param {string} value */
function keep (key, value) {
  try { sessionStorage.setItem(key, value) } catch { /* nothing kept: the panel shows again */ }
}

export class SinceLastVisitPanel {
  /**
   * @param {BoardContext} ctx
   * @param {(target: {kind: string, id: string}) => void} openThread
   */
  constructor (ctx, openThread) {
    this.ctx = ctx
    this.openThread = openThread
    this.element = h('section', { class: 'since', id: 'since-last-visit', 'aria-labelledby': 'since-title', hidden: true })
  }

  /** Record this visit (once per tab), then show what is new since the previous one. */
  async start () {
    const board = this.ctx.boardId
    try {
      if (!kept(VISITED + board)) {
        await this.ctx.api('POST', `/api/boards/${board}/visits`)
        keep(VISITED + board, '1')
      }
      /** @type {SinceLastVisit} */
      const since = await this.ctx.api('GET', `/api/boards/${board}/since-last-visit`)
      if (kept(DISMISSED + board) === String(since.until)) return
      this.render(since)
    } catch {
      // the board works without it; nothing to say
    }
  }

  /** @param {SinceLastVisit} since */
  render (since) {
    const mentioned = since.comments.filter((c) => c.mentions_me)
    const others = since.comments.filter((c) => !c.mentions_me)
    if (!since.comments.length && !since.changes.length) return
    clear(this.element)
    const heading = since.since
      ? t('since.title', { date: formatDate(since.since, lang()) })
      : t('since.firstTitle')
    const dismiss = h('button', {
      type: 'button',
      class: 'button button--small button--quiet',
      onclick: () => {
        keep(DISMISSED + this.ctx.boardId, String(since.until))
        this.element.hidden = true
        document.getElementById('main')?.focus({ preventScroll: true })
      }
    }, t('since.dismiss'))
    append(this.element, [
      h('div', { class: 'since__head' }, h('h2', { id: 'since-title' }, heading), dismiss),
      mentioned.length ? this.comments('since-mentioned', t('since.mentioned'), mentioned) : null,
      others.length ? this.comments('since-comments', t('since.comments'), others) : null,
      since.comments_total > since.comments.length ? h('p', { class: 'muted' }, t('since.moreComments', { count: since.comments_total - since.comments.length })) : null,
      since.changes.length ? this.changes(since) : null])
    this.element.hidden = false
  }

  /**
   * @param {string} id
   * @param {string} title
   * @param {Comment[]} comments
   */
  comments (id, title, comments) {
    return h('div', { class: 'since__part' },
      h('h3', { id }, title),
      h('ul', { class: 'since__list', 'aria-labelledby': id }, comments.map((comment) => h('li', { class: 'since__comment' },
        h('p', { class: 'comment__by' }, byline(comment)),
        h('p', { class: 'comment__text' }, comment.text),
        h('button', {
          type: 'button',
          class: 'button button--small',
          onclick: () => this.openThread(comment.target)
        }, t('since.open'))))))
  }

  /** @param {SinceLastVisit} since */
  changes (since) {
    const more = since.changes_total - since.changes.length
    const people = since.authors.map((a) => `${a.name || '?'} (${partyLabel(a.party)})`).join(', ')
    return h('div', { class: 'since__part' },
      h('h3', { id: 'since-changes' }, t('since.changes')),
      people ? h('p', { class: 'muted' }, t('since.by', { people })) : null,
      h('ul', { class: 'since__list', 'aria-labelledby': 'since-changes' }, since.changes.map((change) => h('li', {}, pick(change.caption)))),
      more > 0 ? h('p', { class: 'muted' }, t('since.moreChanges', { count: more })) : null)
  }
}
