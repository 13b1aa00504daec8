// Tiny DOM helpers: build elements without innerHTML (no markup injection possible).

const PROPS = new Set(['value', 'checked', 'disabled', 'readOnly', 'selected', 'hidden', 'tabIndex', 'htmlFor', 'open'])

export function h (tag, props, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue
    if (key === 'class') el.className = value
    else if (key === 'dataset') Object.assign(el.dataset, value)
    else if (key === 'style') Object.assign(el.style, value)
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2).toLowerCase(), value)
    else if (PROPS.has(key)) el[key] = value
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  append(el, children)
  return el
}

export function append (el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue
    el.append(child instanceof Node ? child : document.createTextNode(String(child)))
  }
  return el
}

export function clear (el) {
  while (el.firstChild) el.removeChild(el.firstChild)
  return el
}

export function byId (id) {
  return document.getElementById(id)
}

/** Run `fn` at most once per animation frame, however often it is asked. */
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
 */
export function rerenderKeepingFocus (container, render) {
  const active = document.activeElement
  const key = active && container.contains(active) ? active.dataset.key : undefined
  clear(container)
  append(container, [render()])
  if (key) {
    const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`)
    if (again) again.focus({ preventScroll: true })
  }
}

export function randomId (prefix) {
  const bytes = new Uint8Array(8)
  crypto.getRandomValues(bytes)
  return prefix + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

export function formatDate (value, lang) {
  const date = toDate(value)
  if (!date) return ''
  return date.toLocaleString(lang === 'en' ? 'en-GB' : 'fr-FR', {
    day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit'
  })
}

/** A date from an ISO string or a Unix time in seconds or milliseconds. */
export function toDate (value) {
  if (value === null || value === undefined || value === '') return null
  if (typeof value === 'number') return new Date(value < 1e12 ? value * 1000 : value)
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? null : date
}
