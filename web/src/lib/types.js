// @ts-check
// Shapes shared by the pages: what the server renders into a page, the board read into plain
// objects (the server's JSON projection), and what the live board gives each of its views.
// Types only: nothing here ends up in a bundle.

/** @typedef {'fr' | 'en'} Lang */

/** @typedef {string | {fr?: string, en?: string}} LocalText a text of the vocabulary in both languages, or a plain string */

/** @typedef {{id: string, label: LocalText}} Labelled */

/**
 * @typedef {object} Catalog
 * The programme's vocabulary, as `server/boards/labels.py` `templates_catalog()` sends it.
 * @property {Array<{id: string, label: LocalText, parts: string[]}>} templates
 * @property {Array<Labelled & {withArticle?: LocalText, trinome?: boolean}>} parties
 * @property {Array<Labelled & {hex?: string}>} colors
 * @property {Labelled[]} zones
 * @property {{label: LocalText, questions: LocalText[], levels: Array<Labelled & {meaning: LocalText}>}} continuum
 * @property {{label: LocalText, questions: LocalText[], tiers: Array<Labelled & {itemLabel: LocalText, question: LocalText}>}} chain
 * @property {{label: LocalText, purpose: LocalText, sections: Array<Labelled & {questions: LocalText[]}>, statuses: Labelled[]}} agreement
 * @property {MethodCatalog} method
 */

/**
 * @typedef {object} MethodCatalog
 * The method's vocabulary (`server/boards/method_catalog.py`): the 3 preconditions and 5
 * conditions, the 4-level scale, the 7 roles of the support structure, and field labels.
 * @property {Labelled[]} kinds precondition, condition
 * @property {Array<Labelled & {kind: string, description: LocalText, question: LocalText}>} criteria
 * @property {Array<{value: number, label: LocalText}>} scores
 * @property {Array<Labelled & {question: LocalText}>} roles
 * @property {Record<string, LocalText>} fields score, evidence, next, parties, who, notes
 * @property {{label: LocalText, purpose: LocalText}} conditions
 * @property {{label: LocalText, purpose: LocalText}} support
 */

/**
 * @typedef {object} InviteData
 * The invite a join page was opened with.
 * @property {string} id
 * @property {string} token
 * @property {string} role
 * @property {string | null} party the party the invite speaks for (none: observers, and
 *   participant invites made before parties were recorded)
 * @property {string} board
 * @property {string} boardTitle
 * @property {string | null} label
 * @property {number | string | null} expires_at
 */

/**
 * @typedef {object} PageData
 * @property {string} lang
 * @property {Record<string, string>} strings
 * @property {Catalog} catalog
 * @property {string} [page]
 * @property {string} [boardId]
 * @property {InviteData} [invite]
 */

/**
 * @typedef {object} BoardAccess
 * The invite this browser joined a board with.
 * @property {string} token
 * @property {string} role
 * @property {string} name
 * @property {string} party
 * @property {string} [inviteId]
 * @property {string | null} [label]
 * @property {number | string | null} [expiresAt]
 * @property {string} [boardTitle]
 */

// -- the board in the projection's shape ------------------------------------------------

/** @typedef {{id?: string | null, name?: string | null, party?: string | null}} Author */

/**
 * @typedef {object} Note
 * @property {string} id
 * @property {string} text
 * @property {string | null} level
 * @property {number | null} x
 * @property {number | null} y
 * @property {string | null} color
 * @property {Author} author
 * @property {string | null} createdAt
 * @property {{count: number, voters: string[]}} votes
 */

/**
 * @typedef {object} ChainItem
 * @property {string} id
 * @property {string | null} tier
 * @property {string} text
 * @property {Author} author
 * @property {string | null} createdAt
 * @property {number | null} order
 */

/** @typedef {{id: string, from: string, to: string}} ChainLink */

/**
 * @typedef {object} Approval
 * @property {string} party
 * @property {string | null} by
 * @property {string | null} invite
 * @property {string | null} at
 * @property {string | null} textHash
 * @property {boolean} current
 */

/**
 * @typedef {object} Section
 * @property {string} id
 * @property {string} text
 * @property {string} textHash
 * @property {string} status
 * @property {Approval[]} approvals
 * @property {string[]} pending
 */

/** @typedef {{path: string, message: LocalText}} Problem */

/**
 * @typedef {object} BoardModel
 * @property {{title: string, template: string | null, locks: Array<{zone: string}>, parts?: string[]}} meta
 * @property {Note[]} notes
 * @property {{vision: string, items: ChainItem[], links: ChainLink[]}} chain
 * @property {{sections: Section[]}} agreement
 * @property {Problem[]} problems
 * @property {Array<import('./methodlists.js').CriterionOut>} [conditions] boards with the part only
 * @property {Array<import('./methodlists.js').RoleOut>} [support] boards with the part only
 */

// -- the live board ---------------------------------------------------------------------

/**
 * @typedef {object} Me
 * The person at this browser.
 * @property {string} id
 * @property {string} name
 * @property {string} party the party their invite speaks for ('' for none)
 * @property {string} invite their invite's id, named in each approval they give
 * @property {string} role
 * @property {string} token
 */

/**
 * @typedef {object} Roots
 * @property {import('yjs').Map<any>} meta
 * @property {import('yjs').Map<any>} notes
 * @property {import('yjs').Map<any>} chain
 * @property {import('yjs').Map<any>} agreement
 */

/**
 * @typedef {object} BoardContext
 * What the board page gives each of its views.
 * @property {import('yjs').Doc} doc
 * @property {Roots} roots
 * @property {Me} me
 * @property {string} boardId
 * @property {symbol} origin the transaction origin of this page's own edits
 * @property {import('../board/presence.js').Presence} presence
 * @property {(message: string) => void} announce
 * @property {(message: string, actionLabel?: string, action?: () => void, ms?: number) => void} toast how long it stays: `ms` (9 s unless said)
 * @property {(zone: string) => boolean} canEdit
 * @property {(method: string, path: string, body?: unknown) => Promise<any>} api
 * @property {(fn: (problems: Problem[]) => void) => void} onProblems
 * @property {() => void} refreshProblemsSoon
 * @property {Problem[]} problems
 * @property {(view: string) => void} select show a tab, as following the facilitator does
 * @property {(view: string) => boolean} hasView whether this page has that tab
 * @property {() => string | undefined} currentView the selected tab
 */

/**
 * @typedef {object} View
 * A tab of the board page.
 * @property {(panel: HTMLElement) => void} mount
 * @property {() => void} [show]
 * @property {() => void} [hide]
 * @property {() => void} [sync]
 * @property {() => void} [drawLater]
 * @property {() => void} [refreshPermissions]
 */

export {}
