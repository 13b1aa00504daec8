// @ts-check
// Read-only renderings of a board in the projection's shape: the structured list view of the
// live board, the replay and the archive use them.

import { h, formatDate } from './dom.js'
import { t, pick, catalog, lang, partyLabel, levelLabel, labelOf } from './page.js'

/** @typedef {import('./types.js').BoardModel} BoardModel */
/** @typedef {import('./types.js').Note} Note */
/** @typedef {import('./types.js').Author} Author */
/** @typedef {import('./types.js').Problem} Problem */
/** @typedef {import('./dom.js').Child} Child */

/** @type {Record<string, string>} */
export const PARTY_COLORS = {
  etat: '#000091',
  collectivite: '#a94400',
  societe_civile: '#18753c',
  facilitation: '#6e1f8a',
  '': '#3a3a3a'
}

/** @param {string | null | undefined} party */
export function partyColor (party) {
  return PARTY_COLORS[party || ''] || PARTY_COLORS['']
}

/** @param {string | null | undefined} party */
export function partyDot (party) {
  return h('span', { class: 'party-dot', style: { background: partyColor(party) }, 'aria-hidden': 'true' })
}

/**
 * @param {Author | null | undefined} author
 * @returns {Child[]}
 */
export function byline (author) {
  const name = (author && author.name) || t('presence.anonymous')
  return [partyDot(author && author.party), `${name} · ${partyLabel(author && author.party)}`]
}

/**
 * Plain text with blank-line paragraphs and "- " / "1. " lists, as the agreement editor writes it.
 * @param {string} text
 * @returns {HTMLElement[]}
 */
export function renderText (text) {
  /** @type {HTMLElement[]} */
  const blocks = []
  /** @type {HTMLElement | null} */
  let list = null
  /** @type {string[]} */
  let paragraph = []
  const flush = () => {
    if (paragraph.length) blocks.push(h('p', {}, paragraph.join('\n')))
    paragraph = []
  }
  for (const line of text.split('\n')) {
    const bullet = /^\s*(?:- |• |\* )(.*)$/.exec(line)
    const number = /^\s*\d+\. (.*)$/.exec(line)
    if (bullet || number) {
      flush()
      const tag = bullet ? 'ul' : 'ol'
      if (!list || list.tagName.toLowerCase() !== tag) {
        list = h(tag, {})
        blocks.push(list)
      }
      list.append(h('li', {}, /** @type {RegExpExecArray} */ (bullet || number)[1]))
    } else if (line.trim() === '') {
      flush()
      list = null
    } else {
      list = null
      paragraph.push(line)
    }
  }
  flush()
  return blocks.length ? blocks : [h('p', { class: 'muted' }, t('common.empty'))]
}

/** @param {Note[]} notes */
export function notesByLevel (notes) {
  const levels = catalog().continuum.levels
  const groups = new Map(levels.map((level) => [level.id, /** @type {Note[]} */ ([])]))
  /** @type {Note[]} */
  const others = []
  for (const note of notes) (groups.get(/** @type {string} */ (note.level)) || others).push(note)
  for (const list of groups.values()) list.sort((a, b) => (a.y ?? 0) - (b.y ?? 0) || (a.id < b.id ? -1 : 1))
  return { levels, groups, others }
}

/**
 * The continuum as a heading per level and a list of its notes.
 * @param {BoardModel} model
 * @param {{noteControls?: (note: Note) => Child}} [options] controls shown beside each note
 */
export function continuumList (model, { noteControls } = {}) {
  const { levels, groups, others } = notesByLevel(model.notes)
  /** @type {HTMLElement[]} */
  const out = []
  for (const level of levels) {
    const notes = /** @type {Note[]} */ (groups.get(level.id))
    out.push(h('h4', { id: `list-level-${level.id}` }, `${pick(level.label)} (${notes.length})`))
    if (!notes.length) {
      out.push(h('p', { class: 'muted' }, t('list.noNotes')))
      continue
    }
    out.push(h('ul', { class: 'plain-list', 'aria-labelledby': `list-level-${level.id}` }, notes.map((note) =>
      h('li', { class: 'list-note' },
        h('span', { class: `swatch swatch--${note.color || 'yellow'}`, 'aria-hidden': 'true' }),
        h('span', { class: 'list-note__text' }, note.text.trim() || t('continuum.emptyNote')),
        h('span', { class: 'list-note__meta' }, byline(note.author), ` · ${t('list.votes', { count: note.votes.count })}`),
        noteControls ? noteControls(note) : null))))
  }
  if (others.length) {
    out.push(h('h4', {}, t('continuum.orphans')))
    out.push(h('ul', { class: 'plain-list' }, others.map((note) => h('li', {}, note.text))))
  }
  return out
}

/**
 * @param {BoardModel} model
 * @param {string} id
 */
export function itemName (model, id) {
  if (id === 'vision') return pick(catalog().chain.tiers[0].label)
  const item = model.chain.items.find((entry) => entry.id === id)
  const text = item ? item.text.trim() : ''
  if (!item) return id
  return text ? `« ${text.length > 40 ? text.slice(0, 39) + '…' : text} »` : t('chain.untitled')
}

/**
 * The chain as the vision, then each tier's changes with where each leads.
 * @param {BoardModel} model
 */
export function chainList (model) {
  const c = catalog().chain
  /** @type {HTMLElement[]} */
  const out = [
    h('h4', {}, pick(c.tiers[0].label)),
    model.chain.vision.trim() ? h('p', { class: 'list-vision' }, model.chain.vision) : h('p', { class: 'muted' }, t('common.empty'))
  ]
  for (const tierId of ['ultimate', 'intermediate', 'direct']) {
    const tier = /** @type {(typeof c.tiers)[number]} */ (c.tiers.find((entry) => entry.id === tierId))
    const items = model.chain.items.filter((item) => item.tier === tierId)
    out.push(h('h4', {}, `${pick(tier.label)} (${items.length})`))
    if (!items.length) {
      out.push(h('p', { class: 'muted' }, t('list.noItems')))
      continue
    }
    out.push(h('ul', { class: 'plain-list' }, items.map((item) => {
      const targets = model.chain.links.filter((link) => link.from === item.id)
      return h('li', {},
        h('span', {}, item.text.trim() || t('chain.untitled')),
        h('span', { class: 'list-note__meta' }, byline(item.author)),
        targets.length ? h('ul', {}, targets.map((link) => h('li', {}, `${t('chain.leadsTo')} ${itemName(model, link.to)}`))) : null)
    })))
  }
  return out
}

/** @param {string} status */
export function statusBadge (status) {
  return h('span', { class: `badge badge--${status}` }, labelOf(catalog().agreement.statuses, status))
}

/**
 * The agreement as its sections, each with status, text and approvals.
 * @param {BoardModel} model
 */
export function agreementList (model) {
  /** @type {HTMLElement[]} */
  const out = []
  for (const section of model.agreement.sections) {
    const info = catalog().agreement.sections.find((entry) => entry.id === section.id)
    out.push(h('h4', {}, info ? pick(info.label) : section.id, ' ', statusBadge(section.status)))
    out.push(h('div', { class: 'list-text' }, renderText(section.text)))
    const approvals = section.approvals.map((a) => `${partyLabel(a.party)} : ${a.current ? t('agreement.approvedBy', { name: a.by || '?', date: formatDate(a.at, lang()) }) : t('agreement.outdated', { name: a.by || '?' })}`)
    if (approvals.length) out.push(h('ul', { class: 'plain-list muted' }, approvals.map((line) => h('li', {}, line))))
  }
  return out
}

/**
 * The continuum as lanes (for replay): the notes of each level in their vertical order.
 * @param {BoardModel} model
 */
export function continuumLanes (model) {
  const { levels, groups } = notesByLevel(model.notes)
  return h('div', { class: 'lanes lanes--static' }, levels.map((level) =>
    h('section', { class: 'lane', 'aria-label': pick(level.label) },
      h('header', { class: 'lane__head' }, h('h4', { class: 'lane__title' }, pick(level.label))),
      h('ul', { class: 'lane__static' }, /** @type {Note[]} */ (groups.get(level.id)).map((note) =>
        h('li', { class: `note note--static note--${note.color || 'yellow'}` },
          h('p', { class: 'note__author' }, byline(note.author)),
          h('p', {}, note.text.trim() || t('continuum.emptyNote')),
          note.votes.count ? h('p', { class: 'muted' }, t('list.votes', { count: note.votes.count })) : null))))))
}

/** @param {Problem[] | null | undefined} problems */
export function problemsList (problems) {
  if (!problems || !problems.length) return null
  return h('ul', { class: 'problem-list' }, problems.map((p) => h('li', {}, pick(p.message))))
}

/** @param {string | null | undefined} id */
export function levelName (id) {
  return levelLabel(id)
}
