// @ts-check
// The change chain on one page: a drawing of the whole chain (vision, ultimate, intermediate
// and direct changes, "mène à" arrows) fitted to the screen, and printed on one A4 page in
// landscape (the print stylesheet in atelier.css). The drawing is an SVG with its own
// layout, not the editing view scaled down, so it fits any screen or page exactly; links
// the server reports as problems are drawn dashed and red, and listed in words beneath.

import * as Y from 'yjs'
import { h, clear } from '../lib/dom.js'
import { t, pick, catalog, partyLabel, lang } from '../lib/page.js'
import { readItem, byReadingOrder, TIER_RANK } from './model.js'
import { partyColor } from './presence.js'

const SVG = 'http://www.w3.org/2000/svg'
const XHTML = 'http://www.w3.org/1999/xhtml'
const ROWS = ['vision', 'ultimate', 'intermediate', 'direct']
const BOX = { w: 250, h: 104 }
const GAP_X = 36
const GAP_Y = 74
const PAD = 16
const LABEL_W = 160
const LANE = 40

/** @typedef {import('../lib/types.js').BoardContext} BoardContext */
/** @typedef {{id: string, tier: string, text: string, author: string, party: string}} Card */
/** @typedef {{x: number, y: number}} Spot */

/**
 * @param {string} tag
 * @param {Record<string, string | number>} [attrs]
 * @param {...(Node | string)} children
 * @returns {SVGElement}
 */
function svg (tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag)
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value))
  el.append(...children)
  return /** @type {SVGElement} */ (el)
}

/** @param {string} id */
const tierName = (id) => pick(catalog().chain.tiers.find((tier) => tier.id === id)?.label) || id

/**
 * The chain as cards by row, read from the document.
 * @param {Y.Map<any>} chain
 * @returns {Map<string, Card[]>}
 */
function readCards (chain) {
  /** @type {Map<string, Card[]>} */
  const rows = new Map(ROWS.map((row) => [row, []]))
  const vision = chain.get('vision')
  rows.get('vision')?.push({ id: 'vision', tier: 'vision', text: vision instanceof Y.Text ? vision.toString() : '', author: '', party: '' })
  const items = chain.get('items')
  if (!(items instanceof Y.Map)) return rows
  const read = Array.from(items.entries(), ([id, value]) => readItem(id, value)).filter((item) => item !== null)
  for (const item of read.sort(byReadingOrder)) {
    rows.get(item.tier || '')?.push({ id: item.id, tier: item.tier || '', text: item.text, author: item.author.name || '', party: item.author.party || '' })
  }
  return rows
}

/**
 * One card: its box and its text (HTML inside the SVG, so long texts wrap).
 * @param {Card} card
 * @param {Spot} at
 * @param {boolean} flagged whether the server reports a problem on it
 */
function cardShape (card, at, flagged) {
  const group = svg('g', { class: `overview-card overview-card--${card.tier}${flagged ? ' overview-card--problem' : ''}` })
  group.append(svg('rect', { x: at.x, y: at.y, width: BOX.w, height: BOX.h, rx: 8 }))
  if (card.party) group.append(svg('rect', { x: at.x, y: at.y, width: 6, height: BOX.h, rx: 3, fill: partyColor(card.party), class: 'overview-card__party' }))
  const body = document.createElementNS(XHTML, 'div')
  body.className = 'overview-card__text'
  body.textContent = card.text.trim() || t('chain.untitled')
  if (card.author) {
    const who = document.createElementNS(XHTML, 'div')
    who.className = 'overview-card__author'
    who.textContent = `${card.author} · ${partyLabel(card.party)}`
    body.append(who)
  }
  const box = svg('foreignObject', { x: at.x + 12, y: at.y + 6, width: BOX.w - 18, height: BOX.h - 10 })
  box.append(body)
  group.append(box)
  if (flagged) group.append(svg('text', { x: at.x + BOX.w - 20, y: at.y + 20, class: 'overview-card__flag', 'aria-hidden': 'true' }, '⚠'))
  return group
}

/**
 * A link's path. Up from the top of its source into the bottom of its target; a link going
 * down or sideways (a problem) runs square through the gaps between the rows, off-centre,
 * and by the lane on the right when rows lie between, so it never hides behind a card.
 * @param {Spot} a
 * @param {Spot} b
 * @param {boolean} forward
 * @param {number} lane x of the right lane
 */
function linkPath (a, b, forward, lane) {
  if (forward) {
    const [x1, y1, x2, y2] = [a.x + BOX.w / 2, a.y, b.x + BOX.w / 2, b.y + BOX.h]
    const bend = Math.max(24, (y1 - y2) / 2)
    return `M ${x1} ${y1} C ${x1} ${y1 - bend}, ${x2} ${y2 + bend}, ${x2} ${y2 + 2}`
  }
  const [x1, x2] = [a.x + BOX.w / 2 + 28, b.x + BOX.w / 2 + 28]
  const gap = GAP_Y * 0.4
  if (b.y === a.y) return `M ${x1} ${a.y} V ${a.y - gap} H ${x2} V ${b.y - 2}`
  const below = a.y + BOX.h + gap
  const above = b.y - gap
  if (b.y < a.y) return `M ${x1} ${a.y + BOX.h} V ${below} H ${lane} V ${b.y + BOX.h + gap} H ${x2} V ${b.y + BOX.h + 2}`
  if (Math.abs(b.y - a.y - (BOX.h + GAP_Y)) < 1) return `M ${x1} ${a.y + BOX.h} V ${below} H ${x2} V ${b.y - 2}`
  return `M ${x1} ${a.y + BOX.h} V ${below} H ${lane} V ${above} H ${x2} V ${b.y - 2}`
}

/**
 * Draw the chain: an SVG sized by its own viewBox, so CSS fits it to the screen or page.
 * @param {Y.Map<any>} chain
 * @param {Set<string>} problemLinks ids of the links the server reports
 * @param {Set<string>} problemItems ids of the items the server reports
 */
export function drawChain (chain, problemLinks, problemItems) {
  const rows = readCards(chain)
  const most = Math.max(1, ...Array.from(rows.values(), (cards) => cards.length))
  const inner = most * BOX.w + (most - 1) * GAP_X
  const width = PAD + LABEL_W + inner + LANE + PAD
  const height = PAD + ROWS.length * BOX.h + (ROWS.length - 1) * GAP_Y + PAD
  /** @type {Map<string, Spot>} */
  const spots = new Map()
  const drawing = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'overview-chain', role: 'img', 'aria-labelledby': 'overview-svg-title', preserveAspectRatio: 'xMidYMid meet' },
    svg('title', { id: 'overview-svg-title' }, t('overview.drawing', { count: Array.from(rows.values()).flat().length - 1 })))
  const defs = svg('defs')
  for (const kind of ['ok', 'problem']) {
    defs.append(svg('marker', { id: `overview-arrow-${kind}`, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, orient: 'auto-start-reverse' },
      svg('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: `overview-arrowhead overview-arrowhead--${kind}` })))
  }
  drawing.append(defs)
  const cards = svg('g')
  ROWS.forEach((row, index) => {
    const y = PAD + index * (BOX.h + GAP_Y)
    const words = tierName(row).split(' ')
    drawing.append(svg('text', { x: PAD, y: y + BOX.h / 2 - (words.length - 1) * 9, class: 'overview-row-label', 'dominant-baseline': 'middle' },
      ...words.map((word, i) => svg('tspan', { x: PAD, dy: i ? 18 : 0 }, word))))
    const list = rows.get(row) || []
    const start = PAD + LABEL_W + (inner - (list.length * BOX.w + (list.length - 1) * GAP_X)) / 2
    list.forEach((card, i) => {
      const at = { x: start + i * (BOX.w + GAP_X), y }
      spots.set(card.id, at)
      cards.append(cardShape(card, at, problemItems.has(card.id)))
    })
  })
  const lines = svg('g', { class: 'overview-links' })
  const links = chain.get('links')
  const tiers = new Map(Array.from(rows.values()).flat().map((card) => [card.id, card.tier]))
  if (links instanceof Y.Map) {
    for (const [id, value] of links.entries()) {
      const a = value && spots.get(value.from)
      const b = value && spots.get(value.to)
      if (!a || !b) continue
      const rank = /** @type {Record<string, number>} */ (TIER_RANK)
      const forward = (rank[tiers.get(value.to) || ''] ?? 0) > (rank[tiers.get(value.from) || ''] ?? 0)
      const problem = problemLinks.has(id) || !forward
      lines.append(svg('path', { d: linkPath(a, b, forward, width - PAD - LANE / 2), class: `overview-link${problem ? ' overview-link--problem' : ''}`, 'marker-end': `url(#overview-arrow-${problem ? 'problem' : 'ok'})`, 'data-link': id }))
    }
  }
  drawing.append(lines, cards)
  return drawing
}

/** The overview: a full-screen dialog with the drawing, the problems, and print. */
export class ChainOverview {
  /** @param {BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.figure = h('div', { class: 'overview-figure' })
    this.problems = h('ul', { class: 'overview-problems' })
    this.boardLine = h('p', { class: 'overview-board' })
    this.dialog = h('dialog', { class: 'chain-overview', id: 'chain-overview', 'aria-labelledby': 'overview-title' },
      h('header', { class: 'overview-head' },
        h('h2', { id: 'overview-title' }, t('overview.title')),
        this.boardLine,
        h('p', { class: 'overview-legend' }, t('overview.legend')),
        h('div', { class: 'row overview-actions' },
          h('button', { type: 'button', class: 'button', id: 'overview-print', onclick: () => window.print() }, t('overview.print')),
          h('button', { type: 'button', class: 'button button--quiet', id: 'overview-close', onclick: () => this.dialog.close() }, t('overview.close')))),
      this.figure, this.problems)
    this.dialog.addEventListener('close', () => document.body.classList.remove('printing-overview'))
    this.redraw = () => { if (this.dialog.open) this.draw() }
    ctx.roots.chain.observeDeep(this.redraw)
    ctx.onProblems(this.redraw)
  }

  /** The button that opens it, for the chain's tab. */
  button () {
    return h('button', { type: 'button', class: 'button button--small', id: 'chain-overview-open', onclick: () => this.open() }, t('overview.open'))
  }

  open () {
    if (!this.dialog.isConnected) document.body.append(this.dialog)
    this.draw()
    document.body.classList.add('printing-overview')
    if (!this.dialog.open) this.dialog.showModal()
  }

  draw () {
    const problems = this.ctx.problems.filter((p) => p.path.startsWith('/chain'))
    const ids = (/** @type {string} */ prefix) => new Set(problems.filter((p) => p.path.startsWith(prefix)).map((p) => p.path.slice(prefix.length).split('/')[0]))
    const title = this.ctx.roots.meta.get('title')
    this.boardLine.textContent = `${typeof title === 'string' ? title : ''} — ${new Date().toLocaleDateString(lang() === 'en' ? 'en-GB' : 'fr-FR')}`
    clear(this.figure)
    this.figure.append(drawChain(this.ctx.roots.chain, ids('/chain/links/'), ids('/chain/items/')))
    clear(this.problems)
    this.problems.hidden = problems.length === 0
    if (problems.length) this.problems.append(h('li', { class: 'overview-problems__title' }, t('problems.title')), ...problems.map((p) => h('li', {}, pick(p.message))))
  }
}
