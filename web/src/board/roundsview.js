// @ts-check
// Revealed rounds side by side (the tab "Tours privés"), and the facilitator's card to open a
// round, follow who answered (never what), reveal it and record what the group agreed.

import { h, clear, formatDate } from '../lib/dom.js'
import { t, pick, catalog, lang, levelLabel } from '../lib/page.js'
import { errorDetail } from '../lib/api.js'
import { feedFor, personLabel, roundTitle } from './rounds.js'
import { voteFields, voteBody, voteResults, retainForm } from './votecontrol.js'

/** @typedef {import('./rounds.js').Round} Round */

/** @param {string} id @param {string} text @param {HTMLElement} control */
const field = (id, text, control) => {
  control.id = id
  return h('div', { class: 'field' }, h('label', { for: id }, text), control)
}

/** @param {string} value @param {string} label */
const option = (value, label) => h('option', { value }, label)

const levelIds = () => catalog().continuum.levels.map((l) => l.id)

/** @param {number} value */
function scoreLabel (value) {
  const found = catalog().method.scores.find((s) => s.value === value)
  return found ? `${value} — ${pick(found.label)}` : String(value)
}

/** The tab of revealed rounds. */
export class RoundsView {
  /** @param {import('../lib/types.js').BoardContext} ctx */
  constructor (ctx) {
    this.ctx = ctx
    this.list = h('div', { class: 'rounds-list', 'aria-live': 'polite' })
  }

  /** @param {HTMLElement} panel */
  mount (panel) {
    panel.append(h('h2', {}, t('rounds.tab')), h('p', { class: 'hint' }, t('rounds.intro')), this.list)
    feedFor(this.ctx).on((rounds) => this.render(rounds))
  }

  /** @param {Round[]} rounds */
  render (rounds) {
    clear(this.list)
    const shown = rounds.filter((r) => r.state === 'revealed').reverse()
    if (!shown.length) this.list.append(h('p', {}, t('rounds.none')))
    for (const round of shown) this.list.append(revealed(round))
  }
}

/** @param {Round} round */
function revealed (round) {
  const heading = `round-${round.id}`
  const body = round.kind === 'position' ? positions(round) : round.kind === 'assessment' ? scores(round) : round.kind === 'vote' ? voteResults(round) : notes(round)
  return h('section', { class: 'card round', 'aria-labelledby': heading, dataset: { round: round.id, kind: round.kind } },
    h('h3', { id: heading }, roundTitle(round)), body, agreedLine(round))
}

/** The positions side by side on the seven levels, with their spread. @param {Round} round */
function positions (round) {
  const ids = levelIds()
  const answers = round.answers || []
  const columns = catalog().continuum.levels.map((level) => {
    const here = answers.filter((a) => a.content.level === level.id)
    const agreed = round.agreed && round.agreed.level === level.id
    return h('li', { class: agreed ? 'round-level round-level--agreed' : 'round-level', dataset: { level: level.id } },
      h('span', { class: 'round-level__name' }, pick(level.label)),
      h('ul', { class: 'round-level__answers' }, here.map((a) => h('li', { class: 'round-answer', dataset: { party: a.party || '' } },
        personLabel(a), a.content.target ? ` → ${levelLabel(a.content.target)}` : '',
        a.content.comment ? h('span', { class: 'round-answer__comment' }, ` « ${a.content.comment} »`) : ''))))
  })
  const placed = answers.map((a) => ids.indexOf(a.content.level)).filter((i) => i >= 0)
  const spread = placed.length > 1
    ? t('rounds.spread', { count: Math.max(...placed) - Math.min(...placed), from: levelLabel(ids[Math.min(...placed)]), to: levelLabel(ids[Math.max(...placed)]) })
    : ''
  return [h('ol', { class: 'round-scale', 'aria-label': pick(catalog().continuum.label) }, columns), spread ? h('p', { class: 'round-spread' }, spread) : null]
}

/** Each person's score per criterion, and the gap between them. @param {Round} round */
function scores (round) {
  const answers = round.answers || []
  const rows = catalog().method.criteria.map((c) => {
    const given = answers.map((a) => a.content.scores?.[c.id])
    const numbers = given.filter((v) => typeof v === 'number')
    const gap = numbers.length > 1 ? Math.max(...numbers) - Math.min(...numbers) : null
    const agreed = round.agreed?.scores?.[c.id]
    return h('tr', { dataset: { criterion: c.id } }, h('th', { scope: 'row' }, pick(c.label)),
      given.map((v) => h('td', {}, typeof v === 'number' ? scoreLabel(v) : '—')),
      h('td', { class: gap && gap >= 2 ? 'round-gap round-gap--wide' : 'round-gap' }, gap === null ? '—' : String(gap)),
      h('td', {}, typeof agreed === 'number' ? scoreLabel(agreed) : '—'))
  })
  return h('div', { class: 'table-scroll' }, h('table', { class: 'round-scores' },
    h('caption', {}, t('rounds.scoresCaption')),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rounds.criterion')),
      answers.map((a) => h('th', { scope: 'col' }, personLabel(a))),
      h('th', { scope: 'col' }, t('rounds.gap')), h('th', { scope: 'col' }, t('rounds.agreed')))),
    h('tbody', {}, rows)))
}

/** @param {Round} round */
function notes (round) {
  return h('ul', { class: 'round-notes' }, (round.answers || []).map((a) => h('li', {}, personLabel(a), ' : ',
    (a.content.notes || []).map((/** @type {{text: string, level: string}} */ n) => `« ${n.text} » (${levelLabel(n.level)})`).join(', '))))
}

/** @param {Round} round */
function agreedLine (round) {
  const agreed = round.agreed
  if (!agreed) return round.kind === 'notes' ? null : h('p', { class: 'hint' }, t('rounds.notAgreed'))
  if (round.kind === 'vote') return voteResults(round, true)
  const by = agreed.by && agreed.by.name ? agreed.by.name : ''
  const when = agreed.at ? formatDate(agreed.at, lang()) : ''
  const what = round.kind === 'position'
    ? levelLabel(agreed.level) + (agreed.target ? ` → ${levelLabel(agreed.target)}` : '')
    : t('rounds.scoresAgreed', { count: Object.keys(agreed.scores || {}).length })
  const line = t('rounds.agreedLine', { what }) + (by ? ` — ${t('rounds.agreedBy', { by, when })}` : '')
  return h('p', { class: 'round-agreed' }, line)
}

/** The facilitator's card: open, follow, reveal, agree. */
export class RoundsControl {
  /**
   * @param {import('../lib/types.js').BoardContext} ctx
   * @param {string[]} parts the board's parts: positions and notes need the continuum
   */
  constructor (ctx, parts) {
    this.ctx = ctx
    this.kinds = parts.includes('continuum') ? ['position', 'assessment', 'notes', 'vote'] : ['assessment']
    this.feed = feedFor(ctx)
    this.body = h('div', { class: 'stack' })
    this.status = h('p', { class: 'round-status', role: 'status' })
  }

  card () {
    this.feed.on((rounds) => this.render(rounds))
    return h('section', { class: 'card', 'aria-labelledby': 'fac-rounds' },
      h('h3', { id: 'fac-rounds' }, t('rounds.panel')), h('p', { class: 'hint' }, t('rounds.panelHint')), this.status, this.body)
  }

  /** @param {string} method @param {string} path @param {unknown} [body] */
  async act (method, path, body) {
    try {
      await this.ctx.api(method, path, body)
      this.status.textContent = ''
    } catch (error) {
      this.status.dataset.kind = 'error'
      this.status.textContent = t('facilitator.failed', { detail: errorDetail(error) })
    }
    await this.feed.refresh()
  }

  named () {
    const name = (this.ctx.me.name || '').trim().slice(0, 80)
    return name ? { name } : {}
  }

  /** @param {Round[]} rounds */
  render (rounds) {
    clear(this.body)
    const open = rounds.find((r) => r.state === 'open')
    if (open) this.body.append(this.following(open))
    else this.body.append(this.opening())
    const last = rounds.filter((r) => r.state === 'revealed' && r.kind !== 'notes').pop()
    if (last && !open) this.body.append(this.agreeing(last))
  }

  opening () {
    const kind = h('select', {}, this.kinds.map((k) => option(k, t(`rounds.kind.${k}`))))
    const title = h('input', { type: 'text', maxlength: 200, autocomplete: 'off' })
    const zone = h('select', {}, catalog().continuum.levels.map((l) => option(l.id, pick(l.label))))
    const zoneField = field('round-zone', t('rounds.zone'), zone)
    zoneField.hidden = true
    const vote = voteFields()
    vote.element.hidden = true
    kind.addEventListener('change', () => {
      zoneField.hidden = kind.value !== 'notes'
      vote.element.hidden = kind.value !== 'vote'
    })
    return h('form', {
      class: 'stack',
      onsubmit: (/** @type {SubmitEvent} */ e) => {
        e.preventDefault()
        const body = { kind: kind.value, title: title.value.trim(), ...(kind.value === 'notes' ? { zone: zone.value } : {}), ...(kind.value === 'vote' ? voteBody(vote) : {}), ...this.named() }
        this.act('POST', `/api/boards/${encodeURIComponent(this.ctx.boardId)}/rounds`, body)
      }
    }, field('round-kind', t('rounds.kindLabel'), kind), field('round-title', t('rounds.titleLabel'), title), zoneField, vote.element,
    h('button', { type: 'submit', class: 'button', id: 'round-open' }, t('rounds.open')))
  }

  /** @param {Round} round */
  following (round) {
    return h('div', { class: 'stack' },
      h('p', {}, h('strong', {}, roundTitle(round)), ' — ', t(round.kind === 'vote' ? 'votes.kind' : `rounds.kind.${round.kind}`)),
      h('p', { id: 'round-answered', 'aria-live': 'polite' }, t('rounds.answeredCount', { count: round.answered.length }),
        round.answered.length ? ` : ${round.answered.map(personLabel).join(', ')}` : ''),
      h('button', { type: 'button', class: 'button', id: 'round-reveal', onclick: () => this.act('POST', `/api/rounds/${round.id}/reveal`) }, t('rounds.reveal')))
  }

  /** @param {Round} round */
  agreeing (round) {
    if (round.kind === 'vote') return retainForm(round, (body) => this.act('POST', `/api/rounds/${round.id}/agree`, { ...body, ...this.named() }))
    const controls = round.kind === 'position'
      ? [field('round-agree-level', t('rounds.agreeLevel'), h('select', {}, catalog().continuum.levels.map((l) => option(l.id, pick(l.label))))),
          field('round-agree-target', t('rounds.target'), h('select', {}, option('', t('rounds.noTarget')), catalog().continuum.levels.map((l) => option(l.id, pick(l.label)))))]
      : catalog().method.criteria.map((c) => field(`round-agree-${c.id}`, pick(c.label),
        h('select', {}, option('', t('rounds.noScore')), catalog().method.scores.map((s) => option(String(s.value), scoreLabel(s.value))))))
    const agreed = round.agreed || {}
    const preset = (/** @type {HTMLElement} */ wrapper, /** @type {unknown} */ value) => {
      const select = wrapper.querySelector('select')
      if (select && value !== undefined && value !== null) select.value = String(value)
    }
    if (round.kind === 'position') {
      preset(controls[0], agreed.level)
      preset(controls[1], agreed.target)
    } else {
      catalog().method.criteria.forEach((c, i) => preset(controls[i], agreed.scores?.[c.id]))
    }
    return h('form', {
      class: 'stack',
      onsubmit: (/** @type {SubmitEvent} */ e) => {
        e.preventDefault()
        const form = /** @type {HTMLFormElement} */ (e.target)
        const value = (/** @type {string} */ id) => /** @type {HTMLSelectElement} */ (form.querySelector(`#${id}`)).value
        /** @type {Record<string, unknown>} */
        let body
        if (round.kind === 'position') body = { level: value('round-agree-level'), target: value('round-agree-target') || null }
        else body = { scores: Object.fromEntries(catalog().method.criteria.filter((c) => value(`round-agree-${c.id}`)).map((c) => [c.id, Number(value(`round-agree-${c.id}`))])) }
        this.act('POST', `/api/rounds/${round.id}/agree`, { ...body, ...this.named() })
      }
    }, h('p', {}, t('rounds.agreeFor', { title: roundTitle(round) })), ...controls,
    h('button', { type: 'submit', class: 'button', id: 'round-agree' }, t('rounds.agree')))
  }
}
