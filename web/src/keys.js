// SPDX-License-Identifier: MIT
// The keyboard shortcuts: one table that both the key handler and the `?` overlay are made from.

/**
 * What the shortcuts drive; the element implements it (each part's method behind it).
 * @typedef {object} KeyActions
 * @property {() => void} togglePlay
 * @property {() => void} undo
 * @property {() => void} redo
 * @property {(edge: 'start' | 'end', direction: -1 | 1, unit: '10ms' | '1ms' | 'sample') => void} nudge
 *   moves the selected segment's edge; a video moves it to the next frame boundary instead
 * @property {(delta: number) => void} stepFrame
 * @property {() => void} toggleHelp
 * @property {(factor: number) => void} zoomBy
 * @property {() => void} zoomFit
 * @property {(fraction: number) => void} scroll   by a fraction of the view's span
 * @property {(direction: -1 | 1) => void} amplify   the vertical zoom up or down a step (√2)
 * @property {(where: 'start' | 'end') => void} seekEdge
 * @property {() => void} toggleRecording
 * @property {(extend: boolean) => void} stepTrack
 * @property {(direction: -1 | 1) => void} stepSegment
 * @property {() => void} merge
 * @property {() => void} deleteSelected
 * @property {() => void} split
 * @property {(direction: -1 | 1) => void} stepSuggestion  the next or previous pause, loudness jump or cut
 * @property {() => void} acceptSuggestion  into a segment or a boundary (suggestions.js)
 * @property {() => void} toggleSoundSnap  snapping boundaries to the sound on or off (snapping.js)
 */

/**
 * Rows of the overlay, in the order the handler tries them. A chord is the event's `key` with
 * `Ctrl+` (Ctrl or Cmd), `Alt+` and `Shift+` before it (a letter in lower case, a capital with Shift).
 * Ctrl and Alt must be exactly as written.
 * A letter's Shift must be as written too (t and Shift+T differ); any other key written without
 * Shift also answers with Shift held, unless a chord with Shift took it first: a character
 * already says what Shift made of it (+, ?, <).
 * `when` names what must be true for the row to act: 'selection' (a segment is selected),
 * 'video' or 'suggestion' (one is selected); when it is not, the key goes on to the other rows.
 * @type {Array<{help: string, when?: 'selection' | 'video' | 'suggestion', keys: Array<[chord: string, run: (a: KeyActions) => void]>}>}
 */
export const KEY_TABLE = [
  { help: 'play / pause', keys: [[' ', (a) => a.togglePlay()]] },
  { help: 'begin / stop recording a segment on each selected track', keys: [['r', (a) => a.toggleRecording()]] },
  {
    help: 'select the next track; with Shift add it to the selection (Ctrl+click on a lane does the same)',
    keys: [['t', (a) => a.stepTrack(false)], ['Shift+T', (a) => a.stepTrack(true)]],
  },
  { help: 'select the previous / next segment (on the selected tracks)', keys: [['[', (a) => a.stepSegment(-1)], [']', (a) => a.stepSegment(1)]] },
  { help: 'zoom in, out, whole file', keys: [['+', (a) => a.zoomBy(2)], ['=', (a) => a.zoomBy(2)], ['-', (a) => a.zoomBy(0.5)], ['0', (a) => a.zoomFit()]] },
  { help: 'scroll by a tenth of the view (with arrow-keys="seek": seek back / forward by the seek step)', keys: [['ArrowLeft', (a) => a.scroll(-0.1)], ['ArrowRight', (a) => a.scroll(0.1)]] },
  { help: 'seek to the start / end', keys: [['Home', (a) => a.seekEdge('start')], ['End', (a) => a.seekEdge('end')]] },
  { help: 'vertical zoom', keys: [['ArrowUp', (a) => a.amplify(1)], ['ArrowDown', (a) => a.amplify(-1)]] },
  {
    help: "nudge the selected segment's start by 10 ms (with Ctrl: 1 ms; a video: one frame)",
    when: 'selection',
    keys: [
      ['Alt+ArrowLeft', (a) => a.nudge('start', -1, '10ms')], ['Alt+ArrowRight', (a) => a.nudge('start', 1, '10ms')],
      ['Ctrl+Alt+ArrowLeft', (a) => a.nudge('start', -1, '1ms')], ['Ctrl+Alt+ArrowRight', (a) => a.nudge('start', 1, '1ms')],
    ],
  },
  {
    help: "the same for the selected segment's end",
    when: 'selection',
    keys: [
      ['Alt+Shift+ArrowLeft', (a) => a.nudge('end', -1, '10ms')], ['Alt+Shift+ArrowRight', (a) => a.nudge('end', 1, '10ms')],
      ['Ctrl+Alt+Shift+ArrowLeft', (a) => a.nudge('end', -1, '1ms')], ['Ctrl+Alt+Shift+ArrowRight', (a) => a.nudge('end', 1, '1ms')],
    ],
  },
  {
    help: "nudge the selected segment's start by one sample (a video: one frame)",
    when: 'selection',
    keys: [
      [',', (a) => a.nudge('start', -1, 'sample')], ['.', (a) => a.nudge('start', 1, 'sample')],
      ['<', (a) => a.nudge('start', -1, 'sample')], ['>', (a) => a.nudge('start', 1, 'sample')],
    ],
  },
  {
    help: 'the same for its end',
    when: 'selection',
    keys: [
      ['Shift+,', (a) => a.nudge('end', -1, 'sample')], ['Shift+.', (a) => a.nudge('end', 1, 'sample')],
      ['Shift+<', (a) => a.nudge('end', -1, 'sample')], ['Shift+>', (a) => a.nudge('end', 1, 'sample')],
    ],
  },
  { help: 'a video: step one frame back / forward', when: 'video', keys: [['Shift+ArrowLeft', (a) => a.stepFrame(-1)], ['Shift+ArrowRight', (a) => a.stepFrame(1)]] },
  { help: 'split the selected segment at the cursor', keys: [['s', (a) => a.split()]] },
  { help: 'merge the selected segment with the next on its track', keys: [['m', (a) => a.merge()]] },
  { help: 'delete the selected segment', keys: [['Delete', (a) => a.deleteSelected()]] },
  { help: 'select the next / previous suggestion (a pause, a loudness jump, a cut)', keys: [['n', (a) => a.stepSuggestion(1)], ['Shift+N', (a) => a.stepSuggestion(-1)]] },
  {
    help: 'accept the selected suggestion: a pause becomes a segment, a cut or jump a boundary',
    when: 'suggestion',
    keys: [['Enter', (a) => a.acceptSuggestion()]],
  },
  { help: 'snap boundaries to the sound (pause edges, energy minima, zero crossings) on / off', keys: [['Shift+S', (a) => a.toggleSoundSnap()]] },
  { help: 'undo, redo', keys: [['Ctrl+z', (a) => a.undo()], ['Ctrl+Shift+Z', (a) => a.redo()], ['Ctrl+y', (a) => a.redo()]] },
  { help: 'this help (Escape closes it)', keys: [['?', (a) => a.toggleHelp()]] },
];

/** A chord string split into its modifiers and key. */
export function parseChord(chord) {
  let rest = chord;
  const mods = { ctrl: false, alt: false, shift: false };
  for (let m; (m = /^(Ctrl|Alt|Shift)\+(?=.)/.exec(rest));) {
    mods[m[1].toLowerCase()] = true;
    rest = rest.slice(m[0].length);
  }
  return { ...mods, key: rest };
}

const isLetter = (key) => /^[a-z]$/i.test(key);

const BINDINGS = KEY_TABLE.flatMap((row) => row.keys.map(([chord, run]) => ({ chord, ...parseChord(chord), run, row })));

/**
 * The binding a keydown acts on, or null. `state` says what the rows' `when` ask:
 * {selection: boolean, video: boolean}.
 * @param {{key: string, ctrlKey?: boolean, metaKey?: boolean, altKey?: boolean, shiftKey?: boolean}} e
 */
export function bindingFor(e, state) {
  const ctrl = Boolean(e.ctrlKey || e.metaKey);
  const alt = Boolean(e.altKey);
  const shift = Boolean(e.shiftKey);
  const usable = (b) => b.ctrl === ctrl && b.alt === alt && (!b.row.when || state[b.row.when]);
  const sameKey = (b) => (isLetter(b.key) ? b.key.toLowerCase() === e.key.toLowerCase() : b.key === e.key);
  // Exactly as written first, then a non-letter written without Shift that also takes it.
  return BINDINGS.find((b) => usable(b) && sameKey(b) && b.shift === shift)
    ?? (shift ? BINDINGS.find((b) => usable(b) && sameKey(b) && !b.shift && !isLetter(b.key)) : undefined)
    ?? null;
}

/** Acts on a keydown if a shortcut takes it; true if one did (its default is then prevented). */
export function handleKey(e, state, actions) {
  const binding = bindingFor(e, state);
  if (!binding) return false;
  e.preventDefault();
  binding.run(actions);
  return true;
}

const SHOWN = { ' ': 'Space', ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓', '-': '−' };
const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** How a chord is written in the overlay: Ctrl+Shift+Z, Alt+←, Space. */
export function chordLabel(chord) {
  const c = parseChord(chord);
  const key = SHOWN[c.key] ?? (isLetter(c.key) ? c.key.toUpperCase() : c.key);
  return `${c.ctrl ? 'Ctrl+' : ''}${c.alt ? 'Alt+' : ''}${c.shift ? 'Shift+' : ''}${key}`;
}

/** The inverse of chordLabel. */
export function chordFromLabel(label) {
  const c = parseChord(label);
  const named = Object.entries(SHOWN).find(([, shown]) => shown === c.key)?.[0];
  const key = named ?? (isLetter(c.key) ? c.key.toLowerCase() : c.key);
  return `${c.ctrl ? 'Ctrl+' : ''}${c.alt ? 'Alt+' : ''}${c.shift ? 'Shift+' : ''}${isLetter(key) && c.shift ? key.toUpperCase() : key}`;
}

/** The overlay's list: one row of the table a line, its chords as <kbd>. */
export function helpMarkup() {
  return `<dl>${KEY_TABLE.map((row) => `<dt>${row.keys.map(([c]) => `<kbd>${escape(chordLabel(c))}</kbd>`).join(' ')}</dt><dd>${escape(row.help)}</dd>`).join('')}</dl>`;
}
