// What the server rendered into the page: language, UI strings, the programme's vocabulary.

let data = null

export function pageData () {
  if (data === null) {
    const node = document.getElementById('atelier-data')
    data = node ? JSON.parse(node.textContent) : { lang: 'fr', strings: {}, catalog: {} }
  }
  return data
}

export function lang () {
  return pageData().lang === 'en' ? 'en' : 'fr'
}

/** A UI string in the page's language; `{name}` placeholders are filled from `params`. */
export function t (key, params) {
  const template = pageData().strings[key]
  if (template === undefined) return key
  if (!params) return template
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole))
}

/** A text of the vocabulary ({fr, en}) in the page's language. */
export function pick (text) {
  if (!text) return ''
  if (typeof text === 'string') return text
  return text[lang()] || text.fr || ''
}

export function catalog () {
  return pageData().catalog
}

export function labelOf (list, id) {
  const found = (list || []).find((entry) => entry.id === id)
  return found ? pick(found.label) : id || ''
}

export function partyLabel (id) {
  if (!id) return t('party.none')
  return labelOf(catalog().parties, id)
}

export function levelLabel (id) {
  return labelOf(catalog().continuum.levels, id)
}

export function tierLabel (id) {
  const tier = catalog().chain.tiers.find((entry) => entry.id === id)
  return tier ? pick(tier.itemLabel) : id
}

export function roleLabel (role) {
  return t(`role.${role}`)
}
