// @ts-check
// Archive: the board's sessions and snapshots, what changed between two snapshots, the balance
// of voice between parties, exports and the evidence bundle's verification.

import { h, byId, clear, formatDate } from '../lib/dom.js'
import { pageData, t, pick, lang, partyLabel, roleLabel } from '../lib/page.js'
import { api, download, errorDetail, showBoardTitle } from '../lib/api.js'
import { boardAccess } from '../lib/store.js'
import { partyDot } from '../lib/render.js'

/** @typedef {{id: string, title?: string, [field: string]: unknown}} Session */
/** @typedef {{id: string, label?: string, kind?: string, number?: number, sha256?: string, hash?: string, [field: string]: unknown}} Snapshot */
/** @typedef {Record<string, number>} Counts contributions by kind */

/**
 * The list in an answer that is one, or that holds it under `key`.
 * @type {(value: any, key: string) => any[]}
 */
const list = (value, key) => (Array.isArray(value) ? value : (value && value[key]) || [])
/** @type {(object: Record<string, unknown> | null | undefined, ...names: string[]) => any} */
const pickField = (object, ...names) => {
  for (const name of names) if (object && object[name] !== undefined && object[name] !== null) return object[name]
  return null
}

class Archive {
  constructor () {
    this.boardId = /** @type {string} */ (pageData().boardId)
    this.access = boardAccess(this.boardId)
    this.token = this.access ? this.access.token : ''
    this.exporter = this.access ? this.access.role === 'facilitator' : false
    this.status = h('p', { class: 'panel-status', role: 'status' })
    this.sessionsBox = h('div', {})
    this.snapshotsBox = h('div', {})
    this.diffBox = h('div', {})
    this.voiceBox = h('div', {})
    this.verifyBox = h('div', { 'aria-live': 'polite' })
  }

  async start () {
    const root = byId('archive-root')
    if (!this.access) {
      root.append(h('p', { class: 'gate', role: 'alert' }, t('board.noAccess')))
      return
    }
    showBoardTitle(this.boardId, this.token, t('archive.title'))
    root.append(this.status,
      h('section', { class: 'card', 'aria-labelledby': 'archive-sessions' }, h('h2', { id: 'archive-sessions' }, t('archive.sessions')), this.sessionsBox, this.verifyBox),
      h('section', { class: 'card', 'aria-labelledby': 'archive-snapshots' }, h('h2', { id: 'archive-snapshots' }, t('archive.snapshots')), this.snapshotsBox),
      h('section', { class: 'card', 'aria-labelledby': 'archive-diff' }, h('h2', { id: 'archive-diff' }, t('archive.diff')), this.diffBox),
      h('section', { class: 'card', 'aria-labelledby': 'archive-voice' }, h('h2', { id: 'archive-voice' }, t('archive.voice')), this.voiceBox))
    await Promise.all([this.loadSessions(), this.loadSnapshots(), this.loadVoice()])
  }

  /** @param {string} path */
  get (path) {
    return api('GET', path, { token: this.token })
  }

  /**
   * Say in `box` why its part of the archive could not be shown.
   * @param {HTMLElement} box
   * @param {unknown} error
   */
  failed (box, error) {
    clear(box)
    box.append(h('p', { class: 'error' }, t('archive.failed', { detail: errorDetail(error) })))
  }

  async loadSessions () {
    /** @type {Session[]} */
    let sessions
    try {
      sessions = list(await this.get(`/api/boards/${this.boardId}/sessions`), 'sessions')
    } catch (error) {
      return this.failed(this.sessionsBox, error)
    }
    clear(this.sessionsBox)
    if (!sessions.length) return this.sessionsBox.append(h('p', { class: 'muted' }, t('archive.noSessions')))
    this.sessionsBox.append(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('archive.sessionTitle'), t('archive.start'), t('archive.end'), t('archive.evidence')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, sessions.map((s) => h('tr', {},
        h('td', {}, s.title || '—'),
        h('td', {}, formatDate(pickField(s, 'started_at', 'start'), lang())),
        h('td', {}, formatDate(pickField(s, 'ended_at', 'end'), lang()) || t('archive.ongoing')),
        h('td', { class: 'row' },
          this.exporter ? h('button', { type: 'button', class: 'button button--small', 'aria-label': t('archive.bundleOf', { title: s.title || '' }), onclick: () => this.fetchFile(`/api/sessions/${s.id}/evidence`, `evidence-${s.id}.zip`) }, t('archive.bundle')) : null,
          this.exporter ? ['html', 'pdf'].map((format) => h('button', {
            type: 'button',
            class: 'button button--small button--quiet',
            'aria-label': t('archive.reportOf', { format: format.toUpperCase(), title: s.title || '' }),
            onclick: () => this.fetchFile(`/api/sessions/${s.id}/export?format=${format}&lang=${lang()}`, `session-${s.id}.${format}`)
          }, t('archive.report', { format: format.toUpperCase() }))) : null,
          h('button', { type: 'button', class: 'button button--small button--quiet', 'aria-label': t('archive.verifyOf', { title: s.title || '' }), onclick: () => this.verify(s) }, t('archive.verify'))))))))
  }

  async loadSnapshots () {
    /** @type {Snapshot[]} */
    let snapshots
    try {
      snapshots = list(await this.get(`/api/boards/${this.boardId}/snapshots`), 'snapshots')
    } catch (error) {
      this.failed(this.diffBox, error)
      return this.failed(this.snapshotsBox, error)
    }
    clear(this.snapshotsBox)
    if (!snapshots.length) {
      this.snapshotsBox.append(h('p', { class: 'muted' }, t('archive.noSnapshots')))
      clear(this.diffBox)
      this.diffBox.append(h('p', { class: 'muted' }, t('archive.needTwo')))
      return
    }
    /** @param {Snapshot} s */
    const name = (s) => `${s.label || kindLabel(s)} — ${formatDate(pickField(s, 'taken_at', 'created_at', 'at'), lang())}`
    this.snapshotsBox.append(h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, [t('archive.snapshot'), t('archive.takenBy'), t('archive.hash'), t('archive.exports')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, snapshots.map((s) => h('tr', {},
        h('td', {}, name(s)),
        h('td', {}, takerName(pickField(s, 'author', 'taken_by', 'by'))),
        h('td', {}, h('code', { title: s.sha256 || s.hash || '' }, String(s.sha256 || s.hash || '').slice(0, 12) || '—')),
        h('td', { class: 'row' }, !this.exporter ? t('archive.facilitatorsOnly') : ['json', 'html', 'pdf'].map((format) => h('button', {
          type: 'button',
          class: 'button button--small button--quiet',
          'aria-label': t('archive.exportOf', { format: format.toUpperCase(), name: name(s) }),
          onclick: () => this.fetchFile(`/api/snapshots/${s.id}/export?format=${format}&lang=${lang()}`, `snapshot-${s.id}.${format}`)
        }, format.toUpperCase()))))))))
    this.buildDiff(snapshots, name)
  }

  /**
   * @param {Snapshot[]} snapshots
   * @param {(snapshot: Snapshot) => string} name
   */
  buildDiff (snapshots, name) {
    clear(this.diffBox)
    if (snapshots.length < 2) return this.diffBox.append(h('p', { class: 'muted' }, t('archive.needTwo')))
    /** @param {number} selected */
    const options = (selected) => snapshots.map((s, i) => h('option', { value: s.id, selected: i === selected }, name(s)))
    const from = h('select', { id: 'diff-from' }, options(snapshots.length - 2))
    const to = h('select', { id: 'diff-to' }, options(snapshots.length - 1))
    const out = h('div', { class: 'diff-result', 'aria-live': 'polite' })
    this.diffBox.append(h('form', {
      class: 'row',
      onsubmit: async (/** @type {SubmitEvent} */ event) => {
        event.preventDefault()
        clear(out)
        try {
          const result = await this.get(`/api/snapshots/${from.value}/diff/${to.value}`)
          const changes = list(result, 'changes')
          if (!changes.length) return out.append(h('p', {}, t('archive.noChanges')))
          out.append(h('p', {}, t('archive.changes', { count: changes.length })),
            h('ul', { class: 'plain-list' }, changes.map((c) => h('li', { class: `change change--${c.kind || ''}` }, pick(c.caption) || c.kind))))
        } catch (error) {
          this.failed(out, error)
        }
      }
    }, h('label', { for: 'diff-from' }, t('archive.from')), from, h('label', { for: 'diff-to' }, t('archive.to')), to,
    h('button', { type: 'submit', class: 'button' }, t('archive.compare'))), out)
  }

  async loadVoice () {
    let data
    try {
      data = await this.get(`/api/boards/${this.boardId}/contributions`)
    } catch (error) {
      return this.failed(this.voiceBox, error)
    }
    const rows = normaliseParties(data)
    clear(this.voiceBox)
    const total = rows.reduce((sum, row) => sum + row.count, 0)
    const facilitated = data.facilitation ? countOf(data.facilitation.counts) : 0
    if (!total && !facilitated) return this.voiceBox.append(h('p', { class: 'muted' }, t('archive.noContributions')))
    /** @param {PartyRow} row */
    const percent = (row) => `${Math.round(100 * (row.share ?? (total ? row.count / total : 0)))} %`
    this.voiceBox.append(
      h('ul', { class: 'voice', 'aria-hidden': 'true' }, rows.map((row) => h('li', {},
        h('span', { class: 'voice__label' }, partyDot(row.party), partyLabel(row.party)),
        h('span', { class: 'voice__track' }, h('span', { class: `voice__bar voice__bar--${row.party}`, style: { width: `${100 * (row.share ?? (total ? row.count / total : 0))}%` } })),
        h('span', { class: 'voice__value' }, percent(row))))),
      h('table', { class: 'table' },
        h('caption', {}, t('archive.voiceCaption')),
        h('thead', {}, h('tr', {}, [t('archive.party'), ...COLUMNS.map((kind) => t(`archive.kind.${kind}`)), t('archive.share')].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, rows.map((row) => h('tr', {},
          h('th', { scope: 'row' }, partyLabel(row.party)),
          COLUMNS.map((kind) => h('td', {}, String((row.counts && row.counts[kind]) ?? 0))),
          h('td', {}, percent(row))))),
        data.facilitation ? h('tbody', {}, h('tr', {},
          h('th', { scope: 'row' }, partyLabel(data.facilitation.party)),
          COLUMNS.map((kind) => h('td', {}, String((data.facilitation.counts && data.facilitation.counts[kind]) ?? 0))),
          h('td', {}, t('archive.apart')))) : null),
      h('p', { class: 'muted' }, pick(data.method)))
    /** @type {Array<{name?: string, party?: string, counts?: Counts | number}>} */
    const people = Array.isArray(data.participants) ? data.participants : []
    if (people.length) {
      this.voiceBox.append(h('h3', {}, t('archive.participants')), h('ul', { class: 'plain-list' }, people.map((p) =>
        h('li', {}, partyDot(p.party), `${p.name || '?'} · ${partyLabel(p.party)} — ${t('archive.personCount', { count: countOf(p.counts) })}`))))
    }
  }

  /** @param {Session} session */
  async verify (session) {
    clear(this.verifyBox)
    try {
      const result = await this.get(`/api/sessions/${session.id}/evidence/verify`)
      this.verifyBox.append(
        h('h3', {}, t(result.ok ? 'archive.verifyOk' : 'archive.verifyFailed', { title: session.title || '' })),
        h('ul', { class: 'checks' }, list(result, 'checks').map((/** @type {Check} */ check) => checkItem(check))))
    } catch (error) {
      this.failed(this.verifyBox, error)
    }
  }

  /**
   * @param {string} path
   * @param {string} fallbackName
   */
  async fetchFile (path, fallbackName) {
    try {
      const name = await download(path, this.token, fallbackName)
      this.status.textContent = t('archive.downloaded', { name })
    } catch (error) {
      this.status.textContent = t('archive.failed', { detail: errorDetail(error) })
    }
  }
}

/**
 * @typedef {object} Check
 * One check of a verification: `name` is its stable code, `label` and `message` are for
 * people (in both languages), `detail` is the precise English text the command line prints.
 * @property {string} name
 * @property {boolean} ok
 * @property {string} [detail]
 * @property {import('../lib/types.js').LocalText} [label]
 * @property {import('../lib/types.js').LocalText} [message]
 */

/**
 * A check in the page's language; what failed keeps its technical detail one click away.
 * @param {Check} check
 */
function checkItem (check) {
  const title = pick(check.label) || check.name
  const message = pick(check.message)
  return h('li', { class: check.ok ? 'check check--ok' : 'check check--bad', dataset: { check: check.name } },
    h('span', { 'aria-hidden': 'true' }, check.ok ? '✓ ' : '✗ '),
    h('span', { class: 'visually-hidden' }, check.ok ? t('archive.checkOk') : t('archive.checkBad')),
    h('strong', {}, title), message ? ` — ${message}` : '',
    !check.ok && check.detail
      ? h('details', { class: 'check__detail' }, h('summary', {}, t('archive.checkDetail')), h('code', { lang: 'en' }, check.detail))
      : null)
}

/** @param {string | {label?: string, name?: string | null, role?: string} | null | undefined} author */
function takerName (author) {
  if (!author) return '—'
  if (typeof author === 'string') return author
  return author.name || author.label || (author.role ? roleLabel(author.role) : t('archive.operator'))
}

/** @param {Snapshot} snapshot */
function kindLabel (snapshot) {
  /** @type {Record<string, string>} */
  const keys = { session_start: 'archive.kindStart', session_end: 'archive.kindEnd' }
  const key = keys[/** @type {string} */ (snapshot.kind)] || 'archive.snapshotNumber'
  return t(key, { number: snapshot.number ?? '' })
}

/** What a share is made of (acts and editing stretches); characters are shown beside. */
const KINDS = ['notes_created', 'moves', 'text_edits', 'votes', 'approvals', 'chain_items', 'links', 'round_answers', 'condition_scores', 'support_changes']
const COLUMNS = [...KINDS, 'characters']

/** @param {Counts | number | null | undefined} counts */
function countOf (counts) {
  if (typeof counts === 'number') return counts
  return KINDS.reduce((sum, kind) => sum + Number((counts && counts[kind]) || 0), 0)
}

/** @typedef {{party: string, counts: Counts, share: number | null, count: number}} PartyRow */

/**
 * Contributions per party: [{party, counts, share}] as the server sends them.
 * @param {any} data
 * @returns {PartyRow[]}
 */
export function normaliseParties (data) {
  const parties = Array.isArray(data && data.parties) ? data.parties : []
  return parties.map((/** @type {{party: string, counts?: Counts, share?: number}} */ p) => ({ party: p.party, counts: p.counts || {}, share: typeof p.share === 'number' ? p.share : null, count: countOf(p.counts) }))
}

new Archive().start()
