// @ts-check
// Tiny DOM helpers: build elements without innerHTML (no markup injection possible).

const PROPS = new Set(['value', 'checked', 'disabled', 'readOnly', 'selected', 'hidden', 'tabIndex', 'htmlFor', 'open'])

/** @typedef {Node | string | number | boolean | null | undefined | Child[]} Child */

/**
 * An element with attributes, properties (`value`, `hidden`, …), `class`, `dataset`, `style`,
 * `on…` listeners and children.
 * @template {string} K
 * @param {K} tag
 * @param {Record<string, any> | null} [props]
 * @param {...Child} children
 * @returns {K extends keyof HTMLElementTagNameMap ? HTMLElementTagNameMap[K] : HTMLElement}
 */
export function h (tag, props, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue
    if (key === 'class') el.className = value
    else if (key === 'dataset') Object.assign(el.dataset, value)
    else if (key === 'style') Object.assign(el.style, value)
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value)
    else if (PROPS.has(key)) /** @type {any} */ (el)[key] = value
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return /** @type {any} */ (el)
}

/**
 * @template {Element} E
 * @param {E} el
 * @param {Child[]} children
 * @returns {E}
 */
export function append (el, children) {
  for (const child of /** @type {unknown[]} */ (children).flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

/**
 * @template {Node} E
 * @param {E} el
 * @returns {E}
 */
export function clear (el) {
  while (el.firstChild) el.removeChild(el.firstChild)
  return el
}

/**
 * An element of the page's template, as the type the caller expects (`E | null` for an
 * element only some pages have).
 * @template {HTMLElement} [E=HTMLElement]
 * @param {string} id
 * @returns {E}
 */
export function byId (id) {
  return /** @type {E} */ (document.getElementById(id))
}

/**
 * Run `fn` at most once per animation frame, however often it is asked.
 * @param {() => void} fn
 * @returns {() => void}
 */
export function coalesce (fn) {
  let queued = false
  return () => {
    if (queued) return
    queued = true
    requestAnimationFrame(() => {
      queued = false
      fn()
    })
  }
}

/**
 * @template {unknown[]} A
 * @param {(...args: A) => void} fn
 * @param {number} ms
 * @returns {(...args: A) => void}
 */
export function debounce (fn, ms) {
  let timer = 0
  return (...args) => {
    clearTimeout(timer)
    timer = setTimeout(() => fn(...args), ms)
  }
}

/**
 * Replace the content of `container` with what `render` builds, keeping the keyboard focus on
 * the element that carries the same `data-key` (so live updates never steal the user's place).
 * @param {HTMLElement} container
 * @param {() => Child} render
 */
export function rerenderKeepingFocus (container, render) {
  const active = document.activeElement
  const key = active && container.contains(active) ? /** @type {HTMLElement} */ (active).dataset.key : undefined
  clear(container)
  append(container, [render()])
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`)
    if (again) /** @type {HTMLElement} */ (again).focus({ preventScroll: true })
  }
}

/** @param {string} prefix */
export function randomId (prefix) {
  const bytes = new Uint8Array(8)
  crypto.getRandomValues(bytes)
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * @param {unknown} value a date as `toDate` reads it
 * @param {string} lang
 */
export function formatDate (value, lang) {
  const date = toDate(value)
  if (!date) return ''
  return date.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'
  })
}

/**
 * A date from an ISO string or a Unix time in seconds or milliseconds.
 * @param {unknown} value
 * @returns {Date | null}
 */
export function toDate (value) {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value)
  const date = new Date(/** @type {any} */ (value))
  return Number.isNaN(date.getTime()) ? null : date
}
