// @ts-check
// The programme dashboard, for the national team: one row per site (where it stands on the
// continuum and how far it moved, sessions, coaching hours, agreement, conditions, roles nobody
// carries, evidence), sortable and filterable, a chart of every site's agreed levels over
// time, and the same rows as a spreadsheet.

import { h, byId, clear, formatDate } from '../lib/dom.js'
import { t, pick, catalog, lang, levelLabel } from '../lib/page.js'
import { api, download, errorDetail } from '../lib/api.js'
import { operatorToken, programmeToken, saveOperatorToken } from '../lib/store.js'

/**
 * @typedef {object} Row
 * @property {string} site
 * @property {string} title
 * @property {string | null} level
 * @property {string | null} first_level
 * @property {number | null} level_change
 * @property {Array<{at: string, level: string}>} levels
 * @property {number} sessions
 * @property {{used_s: number, budget_s: number}} coaching
 * @property {number} agreement_agreed
 * @property {Record<string, number> | null} conditions
 * @property {string[] | null} roles_uncovered
 * @property {string | null} last_session
 * @property {boolean | null} evidence_ok
 */

/** @typedef {import('../lib/types.js').Labelled} Labelled */
/** @typedef {{key: string, label: string, value: (row: Row) => string | number, cell: (row: Row) => import('../lib/dom.js').Child}} Column */

const SVG = 'http://www.w3.org/2000/svg'
const CHART = { width: 760, height: 300, left: 120, right: 20, top: 16, bottom: 36 }
const COLOURS = ['#000091', '#ce0500', '#18753c', '#b34000', '#6e445a', '#0063cb', '#7f5700', '#3a3a3a']

/**
 * The method's criteria and roles (GET /api/templates `method`).
 * @returns {{criteria: Labelled[], roles: Labelled[]} | undefined}
 */
function method () {
  return /** @type {any} */ (catalog()).method
}

/** @param {string} id */
function levelRank (id) {
  return catalog().continuum.levels.findIndex((level) => level.id === id)
}

/** @param {number} seconds */
function hours (seconds) {
  return (seconds / 3600).toLocaleString(lang() === 'en' ? 'en-GB' : 'fr-FR', { maximumFractionDigits: 1 })
}

/** @returns {Column[]} */
function columns () {
  return [
    { key: 'title', label: t('programme.site'), value: (r) => r.title.toLocaleLowerCase(), cell: (r) => r.title },
    { key: 'level', label: t('programme.level'), value: (r) => (r.level ? levelRank(r.level) : -1), cell: (r) => (r.level ? levelLabel(r.level) : t('programme.none')) },
    {
      key: 'change',
      label: t('programme.change'),
      value: (r) => r.level_change ?? -99,
      cell: (r) => (r.level_change === null ? '—' : r.level_change === 0 ? t('programme.steady') : t('programme.changeSteps', { steps: (r.level_change > 0 ? '+' : '') + r.level_change, n: Math.abs(r.level_change) }))
    },
    { key: 'sessions', label: t('programme.sessions'), value: (r) => r.sessions, cell: (r) => String(r.sessions) },
    {
      key: 'hours',
      label: t('programme.hours'),
      value: (r) => r.coaching.used_s / (r.coaching.budget_s || 1),
      cell: (r) => h('span', { class: r.coaching.used_s > r.coaching.budget_s ? 'over' : null }, t('programme.hoursOf', { used: hours(r.coaching.used_s), budget: hours(r.coaching.budget_s) }))
    },
    { key: 'agreement', label: t('programme.agreement'), value: (r) => r.agreement_agreed, cell: (r) => `${r.agreement_agreed}/5` },
    { key: 'conditions', label: t('programme.conditions'), value: (r) => conditionsMean(r), cell: (r) => conditionsCell(r) },
    { key: 'roles', label: t('programme.roles'), value: (r) => (r.roles_uncovered ? r.roles_uncovered.length : -1), cell: (r) => rolesCell(r) },
    { key: 'last', label: t('programme.last'), value: (r) => r.last_session || '', cell: (r) => (r.last_session ? formatDate(r.last_session, lang()) : '—') },
    { key: 'evidence', label: t('programme.evidence'), value: (r) => (r.evidence_ok === null ? 0 : r.evidence_ok ? 2 : 1), cell: (r) => evidenceCell(r) }
  ]
}

/** @param {Row} row */
function conditionsMean (row) {
  const scores = Object.values(row.conditions || {})
  return scores.length ? scores.reduce((a, b) => a + b, 0) / scores.length : 0
}

/** @param {Row} row */
function conditionsCell (row) {
  const scores = row.conditions
  if (!scores) return t('programme.none')
  const criteria = method()?.criteria || []
  return h('ul', { class: 'compact' }, Object.entries(scores).map(([id, score]) => {
    const item = criteria.find((c) => c.id === id)
    return h('li', {}, `${item ? pick(item.label) : id} : ${score}/4`)
  }))
}

/** @param {Row} row */
function rolesCell (row) {
  const uncovered = row.roles_uncovered
  if (uncovered === null) return '—'
  if (!uncovered.length) return t('programme.allRoles')
  const roles = method()?.roles || []
  return h('details', {},
    h('summary', {}, t('programme.rolesCount', { n: uncovered.length, total: roles.length || 7 })),
    h('ul', { class: 'compact' }, uncovered.map((id) => {
      const role = roles.find((r) => r.id === id)
      return h('li', {}, role ? pick(role.label) : id)
    })))
}

/** @param {Row} row */
function evidenceCell (row) {
  if (row.evidence_ok === null) return t('programme.evidenceNone')
  return h('span', { class: row.evidence_ok ? 'ok' : 'over' }, row.evidence_ok ? t('programme.evidenceOk') : t('programme.evidenceBad'))
}

class Dashboard {
  constructor () {
    this.token = programmeToken() || operatorToken()
    /** @type {Row[]} */
    this.rows = []
    this.sort = { key: 'title', ascending: true }
    this.filter = { text: '', attention: false }
    this.status = h('p', { class: 'panel-status', role: 'status' })
    this.tableBox = h('div', { class: 'table-scroll' })
    this.chartBox = h('div', {})
    this.count = h('p', { class: 'hint', 'aria-live': 'polite' })
  }

  start () {
    const root = byId('programme-root')
    if (!this.token) return root.append(this.tokenForm())
    root.append(this.status, this.controls(), this.count, this.tableBox,
      h('section', { class: 'card', 'aria-labelledby': 'programme-chart' }, h('h2', { id: 'programme-chart' }, t('programme.chartTitle')), this.chartBox))
    return this.load()
  }

  tokenForm () {
    const input = h('input', { id: 'programme-token', type: 'password', autocomplete: 'off', required: true })
    return h('form', {
      class: 'card stack',
      onsubmit: (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        saveOperatorToken(input.value.trim())
        location.reload()
      }
    }, h('p', {}, t('programme.needToken')), h('label', { for: 'programme-token' }, t('programme.operatorToken')), input,
    h('button', { type: 'submit', class: 'button' }, t('programme.open')))
  }

  controls () {
    const search = h('input', { id: 'programme-search', type: 'search', autocomplete: 'off' })
    search.addEventListener('input', () => { this.filter.text = search.value.trim().toLocaleLowerCase(); this.render() })
    const attention = h('input', { id: 'programme-attention', type: 'checkbox' })
    attention.addEventListener('change', () => { this.filter.attention = attention.checked; this.render() })
    return h('div', { class: 'row programme-controls' },
      h('div', { class: 'field' }, h('label', { for: 'programme-search' }, t('programme.search')), search),
      h('div', { class: 'check' }, attention, h('label', { for: 'programme-attention' }, t('programme.attention'))),
      h('button', { type: 'button', class: 'button button--quiet', onclick: () => this.csv() }, t('programme.csv')))
  }

  async load () {
    this.status.textContent = t('programme.loading')
    try {
      const table = await api('GET', '/api/programme', { token: this.token })
      this.rows = table.sites
      this.status.textContent = t('programme.generated', { at: formatDate(table.generated_at, lang()) })
    } catch (error) {
      this.status.textContent = t('programme.failed', { detail: errorDetail(error) })
      return
    }
    this.render()
    this.renderChart()
  }

  async csv () {
    try {
      const name = await download(`/api/programme?format=csv&lang=${lang()}`, this.token, 'atelier-programme.csv')
      this.status.textContent = t('programme.csvDone', { name })
    } catch (error) {
      this.status.textContent = t('programme.failed', { detail: errorDetail(error) })
    }
  }

  /**
   * The site's dossier: its report as PDF, or the zip of all its evidence.
   * @param {Row} row
   */
  dossierLinks (row) {
    /** @param {string} format */
    const get = async (format) => {
      this.status.textContent = t('programme.dossierPreparing', { site: row.title })
      try {
        const name = await download(`/api/sites/${encodeURIComponent(row.site)}/dossier?format=${format}&lang=${lang()}`, this.token, `atelier-site-${row.site}.${format}`)
        this.status.textContent = t('programme.csvDone', { name })
      } catch (error) {
        this.status.textContent = t('programme.failed', { detail: errorDetail(error) })
      }
    }
    return h('div', { class: 'row dossier-links' },
      h('button', { type: 'button', class: 'button button--small button--quiet', 'aria-label': t('programme.dossierPdfFor', { site: row.title }), onclick: () => get('pdf') }, t('programme.dossierPdf')),
      h('button', { type: 'button', class: 'button button--small button--quiet', 'aria-label': t('programme.dossierZipFor', { site: row.title }), onclick: () => get('zip') }, t('programme.dossierZip')))
  }

  /** @returns {Row[]} */
  visibleRows () {
    const cols = columns()
    const column = cols.find((c) => c.key === this.sort.key) || cols[0]
    const { text, attention } = this.filter
    const rows = this.rows.filter((row) => (!text || row.title.toLocaleLowerCase().includes(text) || row.site.includes(text)) &&
      (!attention || (row.roles_uncovered?.length ?? 0) > 0 || row.evidence_ok === false || row.coaching.used_s > row.coaching.budget_s))
    const direction = this.sort.ascending ? 1 : -1
    return rows.sort((a, b) => {
      const x = column.value(a)
      const y = column.value(b)
      return (x < y ? -1 : x > y ? 1 : 0) * direction
    })
  }

  render () {
    const cols = columns()
    const rows = this.visibleRows()
    this.count.textContent = t('programme.count', { shown: rows.length, total: this.rows.length })
    const head = h('tr', {}, cols.map((column) => {
      const active = this.sort.key === column.key
      return h('th', { scope: 'col', 'aria-sort': active ? (this.sort.ascending ? 'ascending' : 'descending') : 'none' },
        h('button', {
          type: 'button',
          class: 'sort',
          onclick: () => {
            this.sort = { key: column.key, ascending: active ? !this.sort.ascending : true }
            this.render()
          }
        }, column.label, active ? (this.sort.ascending ? ' ▲' : ' ▼') : ''))
    }))
    const body = rows.map((row) => h('tr', { dataset: { site: row.site } }, cols.map((column, index) =>
      index === 0 ? h('th', { scope: 'row' }, column.cell(row), this.dossierLinks(row)) : h('td', {}, column.cell(row)))))
    clear(this.tableBox)
    this.tableBox.append(h('table', { class: 'table programme-table' },
      h('caption', {}, t('programme.caption')), h('thead', {}, head), h('tbody', {}, body)))
  }

  renderChart () {
    clear(this.chartBox)
    const series = this.rows.filter((row) => row.levels.length)
    if (!series.length) return this.chartBox.append(h('p', { class: 'muted' }, t('programme.chartEmpty')))
    const levels = catalog().continuum.levels
    const times = series.flatMap((row) => row.levels.map((p) => Date.parse(p.at)))
    const [first, last] = [Math.min(...times), Math.max(...times)]
    const { width, height, left, right, top, bottom } = CHART
    const x = (/** @type {number} */ time) => left + (last === first ? 0.5 : (time - first) / (last - first)) * (width - left - right)
    const y = (/** @type {number} */ rank) => top + (1 - rank / (levels.length - 1)) * (height - top - bottom)
    const svg = svgEl('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'programme-chart' })
    svg.append(svgEl('title', { id: 'chart-title' }, t('programme.chartTitle')), svgEl('desc', { id: 'chart-desc' }, t('programme.chartDesc')))
    levels.forEach((level, rank) => {
      svg.append(svgEl('line', { x1: left, x2: width - right, y1: y(rank), y2: y(rank), class: 'grid' }),
        svgEl('text', { x: left - 8, y: y(rank) + 4, 'text-anchor': 'end' }, pick(level.label)))
    })
    svg.append(svgEl('text', { x: left, y: height - 10 }, formatDate(new Date(first).toISOString(), lang())),
      svgEl('text', { x: width - right, y: height - 10, 'text-anchor': 'end' }, formatDate(new Date(last).toISOString(), lang())))
    const legend = h('ul', { class: 'chart-legend' })
    series.forEach((row, index) => {
      const colour = COLOURS[index % COLOURS.length]
      const points = row.levels.map((p) => `${x(Date.parse(p.at)).toFixed(1)},${y(levelRank(p.level)).toFixed(1)}`)
      svg.append(svgEl('polyline', { points: points.join(' '), fill: 'none', stroke: colour, 'stroke-width': 2 }))
      for (const point of points) {
        const [cx, cy] = point.split(',')
        svg.append(svgEl('circle', { cx, cy, r: 4, fill: colour }))
      }
      legend.append(h('li', {}, h('span', { class: 'swatch', style: { background: colour }, 'aria-hidden': 'true' }), row.title))
    })
    this.chartBox.append(svg, legend)
  }
}

/**
 * @param {string} tag
 * @param {Record<string, string | number>} attributes
 * @param {string} [text]
 */
function svgEl (tag, attributes, text) {
  const el = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value))
  if (text !== undefined) el.textContent = text
  return el
}

new Dashboard().start()
