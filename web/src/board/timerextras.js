// @ts-check
// The facilitator's timer, a little further: « +1 min » gives the running timer one more
// minute for everyone (the server moves its end), and « son à la fin » plays a short beep in
// this browser when it reaches zero. The beep is made with WebAudio (no sound file to load);
// the choice is kept in localStorage, off unless asked.

import { h } from '../lib/dom.js'
import { t } from '../lib/page.js'

const SOUND_KEY = 'atelier.timerSound'
/** A timer that ended longer ago than this (a page opened late) does not beep. */
const BEEP_LATE_MS = 5000

/** @type {AudioContext | null} */
let audio = null

/** Whether this browser beeps at the end of the timer. */
export function soundWanted () {
  try {
    return localStorage.getItem(SOUND_KEY) === 'on'
  } catch {
    return false
  }
}

/** @param {boolean} on */
function keepSoundChoice (on) {
  try {
    if (on) localStorage.setItem(SOUND_KEY, 'on')
    else localStorage.removeItem(SOUND_KEY)
  } catch {
    // storage refused (private browsing): the choice lasts for this page
  }
}

/** The page's audio context, made (and resumed) on a person's gesture when possible. */
function audioContext () {
  if (!audio && typeof AudioContext === 'function') audio = new AudioContext()
  if (audio && audio.state === 'suspended') audio.resume().catch(() => {})
  return audio
}

/** Two short tones; the page records that it played them (`data-timer-beeps` on <html>). */
export function beep () {
  const context = audioContext()
  if (!context) return
  const start = context.currentTime
  for (const [offset, pitch] of [[0, 880], [0.25, 660]]) {
    const tone = context.createOscillator()
    const gain = context.createGain()
    tone.type = 'sine'
    tone.frequency.value = pitch
    gain.gain.setValueAtTime(0.0001, start + offset)
    gain.gain.exponentialRampToValueAtTime(0.3, start + offset + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.2)
    tone.connect(gain).connect(context.destination)
    tone.start(start + offset)
    tone.stop(start + offset + 0.22)
  }
  const root = document.documentElement
  root.dataset.timerBeeps = String(Number(root.dataset.timerBeeps || 0) + 1)
}

/**
 * The timer has just reached zero: beep when this browser asked for it.
 * @param {Date} ends when it ended
 */
export function timerReachedZero (ends) {
  if (soundWanted() && Date.now() - ends.getTime() < BEEP_LATE_MS) beep()
}

/**
 * « +1 min » and « son à la fin », for the facilitator's timer card.
 * @param {import('../lib/types.js').BoardContext} ctx
 * @param {(message: string, kind?: 'info' | 'error') => void} say
 * @param {(error: unknown) => void} failed
 */
export function timerExtras (ctx, say, failed) {
  const add = h('button', {
    type: 'button',
    class: 'button button--quiet',
    id: 'timer-add',
    'aria-label': t('timer.addMinuteLabel'),
    onclick: async () => {
      try {
        await ctx.api('POST', `/api/boards/${ctx.boardId}/timer`, { add: 60 })
        say(t('timer.minuteAdded'))
      } catch (error) {
        failed(error)
      }
    }
  }, t('timer.addMinute'))
  const box = h('input', {
    type: 'checkbox',
    id: 'timer-sound',
    checked: soundWanted(),
    onchange: () => {
      keepSoundChoice(box.checked)
      if (box.checked) audioContext() // the gesture lets the page play sound later
    }
  })
  const sound = h('div', { class: 'field field--check' }, box, h('label', { for: 'timer-sound' }, t('timer.sound')),
    h('p', { class: 'hint', id: 'timer-sound-hint' }, t('timer.soundHint')))
  box.setAttribute('aria-describedby', 'timer-sound-hint')
  return {
    add,
    sound,
    /** @param {unknown} timer the timer as `meta` mirrors it, or null */
    refresh (timer) { add.disabled = !timer }
  }
}
