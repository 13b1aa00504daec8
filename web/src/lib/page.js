// @ts-check
// What the server rendered into the page: language, UI strings, the programme's vocabulary.

/** @typedef {import('./types.js').PageData} PageData */
/** @typedef {import('./types.js').LocalText} LocalText */
/** @typedef {import('./types.js').Labelled} Labelled */

/** @type {PageData | null} */
let data = null

/** @returns {PageData} */
export function pageData () {
  if (data === null) {
    const node = document.getElementById('atelier-data')
    data = node ? JSON.parse(/** @type {string} */ (node.textContent)) : { lang: 'fr', strings: {}, catalog: {} }
  }
  return /** @type {PageData} */ (data)
}

/** @returns {import('./types.js').Lang} */
export function lang () {
  return pageData().lang === 'en' ? 'en' : 'fr'
}

/**
 * A UI string in the page's language; `{name}` placeholders are filled from `params`, and
 * `{count:vote|votes}` picks the singular or plural word for the number `count` by the
 * language's own rule (French: 0 and 1 take the singular).
 * @param {string} key
 * @param {Record<string, unknown>} [params]
 */
export function t (key, params) {
  const template = pageData().strings[key]
  if (template === undefined) return key
  if (!params) return template
  return template.replace(/\{(\w+)(?::([^{}|]*)\|([^{}]*))?\}/g, (whole, name, one, other) => {
    if (!(name in params)) return whole
    if (one === undefined) return String(params[name])
    return plural(Number(params[name])) === 'one' ? one : other
  })
}

/** @type {Intl.PluralRules | null} */
let rules = null

/**
 * The plural category of `count` in the page's language ('one', 'other', …).
 * @param {number} count
 */
export function plural (count) {
  if (rules === null) rules = new Intl.PluralRules(lang())
  return rules.select(count)
}

/**
 * A text of the vocabulary ({fr, en}) in the page's language.
 * @param {LocalText | null | undefined} text
 * @returns {string}
 */
export function pick (text) {
  if (!text) return ''
  if (typeof text === 'string') return text
  return text[lang()] || text.fr || ''
}

export function catalog () {
  return pageData().catalog
}

/**
 * @param {Labelled[] | null | undefined} list
 * @param {string | null | undefined} id
 */
export function labelOf (list, id) {
  const found = (list || []).find((entry) => entry.id === id)
  return found ? pick(found.label) : id || ''
}

/** @param {string | null | undefined} id */
export function partyLabel (id) {
  if (!id) return t('party.none')
  return labelOf(catalog().parties, id)
}

/** @param {string | null | undefined} id */
export function levelLabel (id) {
  return labelOf(catalog().continuum.levels, id)
}

/** @param {string | null | undefined} id */
export function tierLabel (id) {
  const tier = catalog().chain.tiers.find((entry) => entry.id === id)
  return tier ? pick(tier.itemLabel) : id
}

/** @param {string} role */
export function roleLabel (role) {
  return t(`role.${role}`)
}
