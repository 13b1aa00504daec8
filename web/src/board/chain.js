// @ts-check
// The change chain: the shared vision on top, then ultimate, intermediate and direct changes;
// "mène à" links between them drawn as arrows; the server's problems (backward links, loops)
// shown beside the chain.

import * as Y from 'yjs'
import { h, append, coalesce, randomId, clear } from '../lib/dom.js'
import { t, pick, catalog, partyLabel, tierLabel } from '../lib/page.js'
import { TextBinding, autosize } from '../lib/textbinding.js'
import { readItem, byReadingOrder, ITEM_TIERS } from './model.js'
import { partyColor } from './presence.js'
import { ChainOverview } from './chainoverview.js'

const SVG = 'http://www.w3.org/2000/svg'
const ROWS = ['ultimate', 'intermediate', 'direct']

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {import('../lib/types.js').ChainItem} ChainItem */
/** @typedef {import('../lib/types.js').Problem} Problem */
/** @typedef {import('../lib/types.js').Catalog['chain']['tiers'][number]} Tier */

/**
 * @typedef {object} ItemEntry
 * A chain item's element and its controls.
 * @property {string} id
 * @property {HTMLLIElement} el
 * @property {HTMLTextAreaElement} field
 * @property {HTMLLabelElement} label
 * @property {HTMLSpanElement} author
 * @property {HTMLUListElement} linksList
 * @property {HTMLSelectElement} target
 * @property {HTMLButtonElement} linkButton
 * @property {HTMLSelectElement} tierSelect
 * @property {HTMLButtonElement} remove
 * @property {HTMLParagraphElement} warning
 * @property {HTMLParagraphElement} editors
 * @property {TextBinding | null} binding
 * @property {boolean} bound whether the text is a Y.Text the field edits
 * @property {ChainItem} item
 */

/**
 * @template {keyof SVGElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, string | number>} [attrs]
 * @returns {SVGElementTagNameMap[K]}
 */
function svg (tag, attrs) {
  const el = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attrs || {})) el.setAttribute(key, String(value))
  return el
}

/** @param {string} id */
const tierOf = (id) => /** @type {Tier} */ (catalog().chain.tiers.find((tier) => tier.id === id))

export class ChainView {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.chain = ctx.roots.chain
    /** @type {Map<string, ItemEntry>} */
    this.entries = new Map()
    /** @type {Map<string, {row: HTMLElement, list: HTMLUListElement, add: HTMLButtonElement}>} */
    this.rows = new Map()
    /** @type {Set<string>} */
    this.problemLinks = new Set()
    /** @type {Map<string, string[]>} */
    this.problemItems = new Map()
    this.render = coalesce(() => this.sync())
    this.drawQueued = false
    /** @type {TextBinding | null} */
    this.visionBinding = null
    const visionTier = tierOf('vision')
    this.visionField = h('textarea', { id: 'vision-text', class: 'vision__text', rows: 2, dataset: { key: 'vision' }, 'aria-describedby': 'vision-question' })
    this.visionEditors = h('p', { class: 'editors' })
    this.visionBlock = h('section', { class: 'vision', 'aria-labelledby': 'vision-title', dataset: { focusId: 'vision', itemId: 'vision' } },
      h('h3', { id: 'vision-title' }, pick(visionTier.label)),
      h('p', { id: 'vision-question', class: 'question' }, pick(visionTier.question)),
      h('label', { for: 'vision-text', class: 'visually-hidden' }, pick(visionTier.label)),
      this.visionField, this.visionEditors)
    this.svg = svg('svg', { class: 'links', 'aria-hidden': 'true', focusable: 'false' })
    // links the server reports are drawn above the cards, so none hides behind one
    this.overSvg = svg('svg', { class: 'links links--over', 'aria-hidden': 'true', focusable: 'false' })
    this.problemsEl = h('ul', { class: 'problem-list' })
    this.problemsBox = h('section', { class: 'problems', 'aria-labelledby': 'chain-problems-title', hidden: true },
      h('h3', { id: 'chain-problems-title' }, t('problems.title')), this.problemsEl)
    this.board = h('div', { class: 'chain' })
  }

  get items () {
    const items = this.chain.get('items')
    return items instanceof Y.Map ? items : null
  }

  get links () {
    const links = this.chain.get('links')
    return links instanceof Y.Map ? links : null
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    const c = catalog().chain
    const vision = this.chain.get('vision')
    const visionField = this.visionField
    if (vision instanceof Y.Text) {
      this.visionBinding = new TextBinding(visionField, vision, { origin: this.ctx.origin, onChange: () => { autosize(visionField, 2); this.drawLater() } })
    }
    visionField.addEventListener('focus', () => this.ctx.presence.set('editing', 'vision'))
    visionField.addEventListener('blur', () => this.ctx.presence.set('editing', null))
    const rows = []
    for (const tierId of ROWS) {
      const tier = tierOf(tierId)
      const headingId = `tier-${tierId}`
      const list = h('ul', { class: 'tier__items', 'aria-labelledby': headingId })
      const add = h('button', { type: 'button', class: 'button button--small', dataset: { key: `add-${tierId}` }, onclick: () => this.add(tierId) },
        h('span', { 'aria-hidden': 'true' }, '+ '), t('chain.add', { tier: pick(tier.itemLabel) }))
      const row = h('section', { class: `tier tier--${tierId}`, 'aria-labelledby': headingId },
        h('header', { class: 'tier__head' },
          h('h3', { id: headingId }, pick(tier.label)),
          h('p', { class: 'question' }, pick(tier.question)),
          add),
        list)
      this.rows.set(tierId, { row, list, add })
      rows.push(row)
    }
    for (const [kind, layer] of /** @type {const} */ ([['ok', this.svg], ['problem', this.overSvg]])) {
      const marker = svg('marker', { id: `arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' })
      marker.append(svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `arrowhead arrowhead--${kind}` }))
      const defs = svg('defs')
      defs.append(marker)
      layer.append(defs)
    }
    append(this.board, [this.svg, this.visionBlock, rows, this.overSvg])
    panel.append(
      h('div', { class: 'view-intro' }, h('ul', { class: 'questions' }, c.questions.map((q) => h('li', {}, pick(q)))),
        new ChainOverview(this.ctx).button()),
      this.problemsBox,
      this.board)
    this.chain.observeDeep(this.render)
    this.ctx.presence.onChange(() => this.renderEditors())
    this.ctx.onProblems((problems) => this.showProblems(problems))
    new ResizeObserver(() => this.drawLater()).observe(this.board)
    this.sync()
  }

  refreshPermissions () {
    const chainEditable = this.ctx.canEdit('chain')
    this.visionField.readOnly = !this.ctx.canEdit('vision') || !this.visionBinding
    for (const { add } of this.rows.values()) add.disabled = !chainEditable
    for (const entry of this.entries.values()) this.applyPermissions(entry, chainEditable)
  }

  /**
   * @param {ItemEntry} entry
   * @param {boolean} editable
   */
  applyPermissions (entry, editable) {
    entry.field.readOnly = !editable || !entry.bound
    const controls = /** @type {NodeListOf<HTMLSelectElement | HTMLButtonElement>} */ (entry.el.querySelectorAll('.item__tools select, .item__tools button, .link-chip button'))
    for (const control of controls) control.disabled = !editable
  }

  sync () {
    const items = this.items
    /** @type {Array<{item: ChainItem, value: Y.Map<any>}>} */
    const list = []
    if (items) {
      for (const [id, value] of items.entries()) {
        const item = readItem(id, value)
        if (item) list.push({ item, value })
      }
    }
    list.sort((a, b) => byReadingOrder(a.item, b.item))
    const seen = new Set()
    const wanted = new Map(ROWS.map((tier) => [tier, /** @type {ItemEntry[]} */ ([])]))
    for (const { item, value } of list) {
      seen.add(item.id)
      let entry = this.entries.get(item.id)
      if (!entry) {
        entry = this.create(item.id, value, item)
        this.entries.set(item.id, entry)
      }
      entry.item = item
      const row = /** @type {ItemEntry[]} */ (wanted.get(item.tier !== null && wanted.has(item.tier) ? item.tier : 'direct'))
      row.push(entry)
    }
    for (const [tier, entries] of wanted) {
      const list = /** @type {HTMLUListElement} */ (this.rows.get(tier)?.list)
      let next = list.firstElementChild
      for (const entry of entries) {
        if (entry.el === next) next = /** @type {Element} */ (next).nextElementSibling
        else this.place(entry, list, next)
      }
    }
    for (const [id, entry] of this.entries) {
      if (seen.has(id)) continue
      if (entry.binding) entry.binding.destroy()
      entry.el.remove()
      this.entries.delete(id)
    }
    for (const entry of this.entries.values()) this.update(entry)
    this.refreshPermissions()
    this.renderEditors()
    this.drawLater()
  }

  /**
   * Append in reading order, keeping focus and selection if the user is inside the item.
   * @param {ItemEntry} entry
   * @param {HTMLUListElement} list
   * @param {Element | null} before
   */
  place (entry, list, before) {
    const active = /** @type {HTMLTextAreaElement | null} */ (document.activeElement)
    const inside = active && entry.el.contains(active)
    const selection = inside && active.tagName === 'TEXTAREA' ? [active.selectionStart, active.selectionEnd] : null
    list.insertBefore(entry.el, before)
    if (inside) {
      active.focus({ preventScroll: true })
      if (selection) active.setSelectionRange(selection[0], selection[1])
    }
  }

  /**
   * @param {string} id
   * @param {Y.Map<any>} value the item's map
   * @param {ChainItem} item what it holds now (`update` shows it)
   * @returns {ItemEntry}
   */
  create (id, value, item) {
    const textId = `item-text-${id}`
    const field = h('textarea', { id: textId, class: 'item__text', rows: 2, dataset: { key: `text-${id}` } })
    const label = h('label', { for: textId, class: 'visually-hidden' })
    const author = h('span', { class: 'item__author' })
    const linksList = h('ul', { class: 'item__links' })
    const targetId = `item-target-${id}`
    const target = h('select', { id: targetId, dataset: { key: `target-${id}` } })
    const linkButton = h('button', { type: 'button', class: 'button button--small', dataset: { key: `link-${id}` } }, t('chain.link'))
    const tierSelect = h('select', { id: `item-tier-${id}`, dataset: { key: `tier-${id}` } },
      ITEM_TIERS.slice().reverse().map((tier) => h('option', { value: tier }, tierLabel(tier))))
    const remove = h('button', { type: 'button', class: 'button button--small button--quiet', dataset: { key: `delete-${id}` } }, t('action.delete'))
    const warning = h('p', { class: 'item__warning', hidden: true })
    const editors = h('p', { class: 'editors' })
    const el = h('li', { class: 'item', dataset: { itemId: id, focusId: `item-${id}` } },
      h('div', { class: 'item__head' }, author),
      label, field, editors, warning, linksList,
      h('div', { class: 'item__tools' },
        h('div', { class: 'item__row' },
          h('label', { for: targetId, class: 'item__tool-label' }, t('chain.leadsTo')),
          target, linkButton),
        h('div', { class: 'item__row' },
          h('label', { for: `item-tier-${id}`, class: 'item__tool-label' }, t('chain.tier')),
          tierSelect, remove)))
    /** @type {ItemEntry} */
    const entry = { id, el, field, label, author, linksList, target, linkButton, tierSelect, remove, warning, editors, binding: null, bound: false, item }
    const text = value.get('text')
    if (text instanceof Y.Text) {
      entry.binding = new TextBinding(field, text, { origin: this.ctx.origin, onChange: () => { autosize(field, 2); this.drawLater() } })
      entry.bound = true
    }
    field.addEventListener('focus', () => this.ctx.presence.set('editing', `item-${id}`))
    field.addEventListener('blur', () => this.ctx.presence.set('editing', null))
    linkButton.addEventListener('click', () => this.link(id, target.value))
    tierSelect.addEventListener('change', () => this.moveTier(id, tierSelect.value))
    remove.addEventListener('click', () => this.remove(id))
    return entry
  }

  /** @param {string} id */
  itemName (id) {
    if (id === 'vision') return pick(catalog().chain.tiers[0].label)
    const entry = this.entries.get(id)
    const text = entry ? entry.item.text.trim() : ''
    return text ? `« ${text.length > 40 ? text.slice(0, 39) + '…' : text} »` : t('chain.untitled')
  }

  /** @param {ItemEntry} entry */
  update (entry) {
    const item = entry.item
    const who = item.author.name || t('presence.anonymous')
    entry.author.textContent = ''
    entry.author.append(
      h('span', { class: 'party-dot', style: { background: partyColor(item.author.party) }, 'aria-hidden': 'true' }),
      `${who} · ${partyLabel(item.author.party)}`)
    entry.label.textContent = t('chain.itemText', { tier: tierLabel(item.tier), name: who })
    if (!entry.bound) entry.field.value = item.text
    if (entry.tierSelect.value !== item.tier) entry.tierSelect.value = /** @type {string} */ (item.tier)
    autosize(entry.field, 2)
    // targets: every other item and the vision, the ones up the chain first
    const current = entry.target.value
    clear(entry.target)
    entry.target.append(h('option', { value: '' }, t('chain.chooseTarget')))
    /** @type {Array<[string, Array<{id: string}>]>} */
    const groups = [['vision', [{ id: 'vision' }]], ...['ultimate', 'intermediate', 'direct'].map((tier) =>
      /** @type {[string, ChainItem[]]} */ ([tier, Array.from(this.entries.values()).filter((other) => other.item.tier === tier && other.id !== entry.id).map((other) => other.item)]))]
    for (const [tier, members] of groups) {
      if (!members.length) continue
      const label = tier === 'vision' ? pick(catalog().chain.tiers[0].label) : pick(tierOf(tier).label)
      entry.target.append(h('optgroup', { label }, members.map((member) => h('option', { value: member.id }, this.itemName(member.id)))))
    }
    entry.target.value = current
    entry.target.setAttribute('aria-label', t('chain.leadsToOf', { name: this.itemName(entry.id) }))
    entry.tierSelect.setAttribute('aria-label', t('chain.tierOf', { name: this.itemName(entry.id) }))
    entry.linkButton.setAttribute('aria-label', t('chain.linkOf', { name: this.itemName(entry.id) }))
    entry.remove.setAttribute('aria-label', t('chain.deleteOf', { name: this.itemName(entry.id) }))
    // outgoing links
    const active = /** @type {HTMLElement | null} */ (document.activeElement)
    const focusKey = active && entry.linksList.contains(active) ? active.dataset.key : null
    clear(entry.linksList)
    const links = this.links
    if (links) {
      for (const [linkId, value] of links.entries()) {
        if (!value || value.from !== entry.id) continue
        const problem = this.problemLinks.has(linkId)
        entry.linksList.append(h('li', { class: `link-chip${problem ? ' link-chip--problem' : ''}` },
          h('span', {}, `${t('chain.leadsTo')} ${this.itemName(value.to)}`),
          h('button', {
            type: 'button',
            class: 'link-chip__remove',
            dataset: { key: `unlink-${linkId}` },
            'aria-label': t('chain.unlink', { from: this.itemName(entry.id), to: this.itemName(value.to) }),
            onclick: () => this.unlink(linkId)
          }, h('span', { 'aria-hidden': 'true' }, '✕'))))
      }
    }
    if (focusKey) /** @type {HTMLElement | null} */ (entry.linksList.querySelector(`[data-key="${focusKey}"]`))?.focus({ preventScroll: true })
    const messages = this.problemItems.get(entry.id) || []
    entry.warning.hidden = messages.length === 0
    entry.warning.textContent = messages.length ? `⚠ ${t('chain.itemProblems', { count: messages.length })}` : ''
    entry.warning.title = messages.join('\n')
    entry.el.classList.toggle('item--problem', messages.length > 0)
  }

  renderEditors () {
    /** @type {(el: HTMLElement, key: string) => void} */
    const show = (el, key) => {
      const editors = this.ctx.presence.editorsOf(key)
      el.textContent = editors.length ? t('presence.writing', { names: editors.map((u) => u.name).join(', ') }) : ''
      el.hidden = editors.length === 0
    }
    show(this.visionEditors, 'vision')
    for (const entry of this.entries.values()) show(entry.editors, `item-${entry.id}`)
  }

  // -- writing --------------------------------------------------------------------------

  /** @param {string} tier */
  add (tier) {
    const items = this.items
    if (!items || !this.ctx.canEdit('chain')) return
    const id = randomId('c-')
    const me = this.ctx.me
    const orders = Array.from(this.entries.values()).filter((e) => e.item.tier === tier).map((e) => e.item.order ?? 0)
    this.ctx.doc.transact(() => {
      items.set(id, new Y.Map([
        ['tier', tier],
        ['text', new Y.Text()],
        ['authorId', me.id],
        ['authorName', me.name],
        ['party', me.party],
        ['createdAt', new Date().toISOString()],
        ['order', orders.length ? Math.max(...orders) + 1 : 1]
      ]))
    }, this.ctx.origin)
    this.sync()
    this.entries.get(id)?.field.focus()
    this.ctx.announce(t('chain.added', { tier: tierLabel(tier) }))
  }

  /**
   * @param {string} from
   * @param {string} to
   */
  link (from, to) {
    const links = this.links
    if (!links || !to || !this.ctx.canEdit('chain')) return
    for (const value of links.values()) {
      if (value && value.from === from && value.to === to) return
    }
    this.ctx.doc.transact(() => links.set(randomId('l-'), { from, to }), this.ctx.origin)
    this.ctx.announce(t('chain.linked', { from: this.itemName(from), to: this.itemName(to) }))
    this.ctx.refreshProblemsSoon()
  }

  /** @param {string} linkId */
  unlink (linkId) {
    const links = this.links
    if (!links || !this.ctx.canEdit('chain')) return
    this.ctx.doc.transact(() => links.delete(linkId), this.ctx.origin)
    this.ctx.refreshProblemsSoon()
  }

  /**
   * @param {string} id
   * @param {string} tier
   */
  moveTier (id, tier) {
    const item = this.items?.get(id)
    if (!(item instanceof Y.Map) || !this.ctx.canEdit('chain') || item.get('tier') === tier) return
    this.ctx.doc.transact(() => item.set('tier', tier), this.ctx.origin)
    this.ctx.announce(t('chain.movedTier', { tier: tierLabel(tier) }))
    this.ctx.refreshProblemsSoon()
  }

  /** @param {string} id */
  remove (id) {
    const items = this.items
    const links = this.links
    if (!items || !this.ctx.canEdit('chain')) return
    this.ctx.doc.transact(() => {
      items.delete(id)
      if (links) {
        for (const [linkId, value] of Array.from(links.entries())) {
          if (value && (value.from === id || value.to === id)) links.delete(linkId)
        }
      }
    }, this.ctx.origin)
    this.ctx.announce(t('chain.deleted'))
    this.ctx.refreshProblemsSoon()
  }

  // -- problems and arrows --------------------------------------------------------------

  /** @param {Problem[]} problems */
  showProblems (problems) {
    const mine = problems.filter((p) => p.path.startsWith('/chain'))
    this.problemLinks = new Set()
    this.problemItems = new Map()
    clear(this.problemsEl)
    for (const problem of mine) {
      const parts = problem.path.split('/')
      const message = pick(problem.message)
      if (parts[2] === 'links' && parts[3]) {
        this.problemLinks.add(parts[3])
        const link = this.links?.get(parts[3])
        if (link && link.from) this.problemItems.set(link.from, [...(this.problemItems.get(link.from) || []), message])
      } else if (parts[2] === 'items' && parts[3]) {
        this.problemItems.set(parts[3], [...(this.problemItems.get(parts[3]) || []), message])
      }
      this.problemsEl.append(h('li', {}, message))
    }
    this.problemsBox.hidden = mine.length === 0
    for (const entry of this.entries.values()) this.update(entry)
    this.drawLater()
  }

  drawLater () {
    if (this.drawQueued) return
    this.drawQueued = true
    requestAnimationFrame(() => {
      this.drawQueued = false
      this.draw()
    })
  }

  draw () {
    for (const old of Array.from(this.board.querySelectorAll('svg.links path.link, svg.links path.link-halo'))) old.remove()
    const links = this.links
    if (!links || !this.board.offsetParent) return
    const box = this.board.getBoundingClientRect()
    for (const layer of [this.svg, this.overSvg]) {
      layer.setAttribute('width', String(box.width))
      layer.setAttribute('height', String(box.height))
    }
    /** @type {(id: string) => HTMLElement | undefined} */
    const element = (id) => (id === 'vision' ? this.visionBlock : this.entries.get(id)?.el)
    const pairs = new Set(Array.from(links.values()).filter(Boolean).map((v) => `${v.from}>${v.to}`))
    const cards = Array.from(this.entries.values(), (entry) => entry.el.getBoundingClientRect())
    for (const [linkId, value] of links.entries()) {
      const from = value && element(value.from)
      const to = value && element(value.to)
      if (!from || !to) continue
      const a = from.getBoundingClientRect()
      const b = to.getBoundingClientRect()
      const up = b.bottom <= a.top + 1
      const down = b.top >= a.bottom - 1
      const problem = this.problemLinks.has(linkId)
      // two links between the same items, one each way, are drawn side by side
      const shift = pairs.has(`${value.to}>${value.from}`) ? (value.from < value.to ? -10 : 10) : 0
      let d
      if (problem && (up || down)) {
        d = aroundCards(a, b, box, cards)
      } else if (up || down) {
        const x1 = a.left + a.width / 2 - box.left + shift
        const y1 = (up ? a.top : a.bottom) - box.top
        const x2 = b.left + b.width / 2 - box.left + shift
        const y2 = (up ? b.bottom : b.top) - box.top
        const bend = Math.max(30, Math.abs(y2 - y1) / 2)
        d = `M ${x1} ${y1} C ${x1} ${y1 + (up ? -bend : bend)}, ${x2} ${y2 + (up ? bend : -bend)}, ${x2} ${y2}`
      } else {
        const x1 = (b.left > a.left ? a.right : a.left) - box.left
        const y1 = a.top + a.height / 2 - box.top
        const x2 = (b.left > a.left ? b.left : b.right) - box.left
        const y2 = b.top + b.height / 2 - box.top
        d = `M ${x1} ${y1} C ${(x1 + x2) / 2} ${y1 - 60}, ${(x1 + x2) / 2} ${y2 - 60}, ${x2} ${y2}`
      }
      if (problem) {
        this.overSvg.append(svg('path', { d, class: 'link-halo' }),
          svg('path', { d, class: 'link link--problem', 'marker-end': 'url(#arrow-problem)', 'data-link': linkId }))
      } else {
        this.svg.append(svg('path', { d, class: 'link', 'marker-end': 'url(#arrow-ok)' }))
      }
    }
  }
}

/**
 * A link the server reports, routed around the cards: out of the source's side, along a
 * lane beside every card between the two rows, into the target's side; on the side where
 * it crosses fewer cards of those two rows.
 * @param {DOMRect} a the source's box
 * @param {DOMRect} b the target's box
 * @param {DOMRect} box the chain's box
 * @param {DOMRect[]} cards every item's box
 */
function aroundCards (a, b, box, cards) {
  const top = Math.min(a.top, b.top)
  const bottom = Math.max(a.bottom, b.bottom)
  const between = cards.filter((r) => r.bottom > top && r.top < bottom)
  /** @param {DOMRect} end */
  const row = (end) => cards.filter((r) => r.top < end.bottom && r.bottom > end.top)
  /** @param {boolean} right */
  const crossed = (right) => [a, b].reduce((sum, end) => sum + row(end).filter((r) => right ? r.left >= end.right : r.right <= end.left).length, 0)
  const right = crossed(true) <= crossed(false)
  const lane = right
    ? Math.min(box.right - 6, Math.max(a.right, b.right, ...between.map((r) => r.right)) + 14) - box.left
    : Math.max(box.left + 6, Math.min(a.left, b.left, ...between.map((r) => r.left)) - 14) - box.left
  const x1 = (right ? a.right : a.left) - box.left
  const x2 = (right ? b.right : b.left) - box.left
  const y1 = a.top + Math.min(a.height / 2, 28) - box.top
  const y2 = b.top + Math.min(b.height / 2, 28) - box.top
  const out = right ? -8 : 8
  const turn = y2 > y1 ? 8 : -8
  return `M ${x1} ${y1} H ${lane + out} Q ${lane} ${y1} ${lane} ${y1 + turn} V ${y2 - turn} Q ${lane} ${y2} ${lane + out} ${y2} H ${x2}`
}
