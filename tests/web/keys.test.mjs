// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KEY_TABLE, bindingFor, chordFromLabel, chordLabel, handleKey, helpMarkup, parseChord } from '../../web/src/keys.js';

const unescape = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** The overlay as an annotator reads it: [{labels: chords shown on a line, help}]. */
function overlayRows() {
  return [...helpMarkup().matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map(([, dt, dd]) => ({
    chords: [...dt.matchAll(/<kbd>(.*?)<\/kbd>/g)].map(([, k]) => chordFromLabel(unescape(k))),
    help: unescape(dd),
  }));
}

/** A keydown as a browser makes it for a chord (a letter with Shift comes as its capital). */
function eventFor(chord, extra = {}) {
  const c = parseChord(chord);
  const key = /^[a-z]$/i.test(c.key) ? (c.shift ? c.key.toUpperCase() : c.key.toLowerCase()) : c.key;
  return { key, ctrlKey: c.ctrl, altKey: c.alt, shiftKey: c.shift, ...extra };
}

/** Records which action a binding called, with its arguments. */
function recorder() {
  const calls = [];
  const actions = new Proxy({}, { get: (_, name) => (...args) => calls.push([name, ...args]) });
  return { calls, actions };
}

const ALL = { selection: true, video: true, suggestion: true };
const STATES = [{ selection: false, video: false }, { selection: true, video: false }, { selection: false, video: true }, { suggestion: true }, ALL];
const NAMED = ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown', 'Delete', 'Backspace', 'Enter', 'Escape', 'Tab', 'Insert', 'F1', 'F2'];
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

/** Every key event the test tries: each printable character and named key, with every modifier set. */
function* everyEvent() {
  for (const key of [...PRINTABLE, ...NAMED]) {
    for (let m = 0; m < 16; m++) {
      yield { key, ctrlKey: Boolean(m & 1), metaKey: Boolean(m & 8), altKey: Boolean(m & 2), shiftKey: Boolean(m & 4) };
    }
  }
}

/** Whether a chord shown in the overlay covers an event (Shift is part of a character's key; see keys.js). */
function covers(chord, e) {
  const c = parseChord(chord);
  const letter = /^[a-z]$/i.test(c.key);
  if (c.ctrl !== Boolean(e.ctrlKey || e.metaKey) || c.alt !== e.altKey) return false;
  if (letter ? c.key.toLowerCase() !== e.key.toLowerCase() : c.key !== e.key) return false;
  return c.shift === e.shiftKey || (!letter && !c.shift);
}

test('the overlay shows one line per row of the key table, with its chords', () => {
  const rows = overlayRows();
  assert.equal(rows.length, KEY_TABLE.length);
  rows.forEach((row, i) => {
    assert.equal(row.help, KEY_TABLE[i].help);
    assert.deepEqual(row.chords, KEY_TABLE[i].keys.map(([chord]) => chord));
  });
});

test('every chord the overlay shows is handled by the handler, by its own line', () => {
  const rows = overlayRows();
  for (const [i, row] of rows.entries()) {
    for (const chord of row.chords) {
      const { calls, actions } = recorder();
      let prevented = false;
      const handled = handleKey({ ...eventFor(chord), preventDefault: () => { prevented = true; } }, ALL, actions);
      assert.ok(handled && prevented, `${chordLabel(chord)} is listed but not handled`);
      assert.equal(calls.length, 1, `${chordLabel(chord)} acts once`);
      assert.equal(bindingFor(eventFor(chord), ALL).row, KEY_TABLE[i], `${chordLabel(chord)} acts as its line says`);
    }
  }
});

test('every key the handler handles is shown in the overlay, on the line of what it does', () => {
  const rows = overlayRows();
  let handled = 0;
  for (const state of STATES) {
    for (const e of everyEvent()) {
      const binding = bindingFor(e, state);
      const shown = rows.filter((row) => row.chords.some((c) => covers(c, e)));
      if (!binding) continue;
      handled++;
      const line = rows[KEY_TABLE.indexOf(binding.row)];
      assert.ok(line.chords.some((c) => covers(c, e)), `${JSON.stringify(e)} is handled (${binding.chord}) but its line does not show it`);
      assert.ok(shown.length >= 1);
    }
  }
  assert.ok(handled > 100, `the probe found ${handled} handled events`);
});

test('the handler keeps the shortcuts as they were', () => {
  const act = (e, state = ALL) => {
    const { calls, actions } = recorder();
    let prevented = false;
    handleKey({ ...e, preventDefault: () => { prevented = true; } }, state, actions);
    return { calls, prevented };
  };
  assert.deepEqual(act({ key: 'z', ctrlKey: true }).calls, [['undo']]);
  assert.deepEqual(act({ key: 'Z', ctrlKey: true, shiftKey: true }).calls, [['redo']]);
  assert.deepEqual(act({ key: 'z', metaKey: true, shiftKey: true }).calls, [['redo']]);
  assert.deepEqual(act({ key: 'y', ctrlKey: true }).calls, [['redo']]);
  assert.deepEqual(act({ key: 'z', ctrlKey: true, altKey: true }).calls, []);
  assert.deepEqual(act({ key: 'ArrowRight', altKey: true }).calls, [['nudge', 'start', 1, '10ms']]);
  assert.deepEqual(act({ key: 'ArrowLeft', altKey: true, shiftKey: true, ctrlKey: true }).calls, [['nudge', 'end', -1, '1ms']]);
  assert.deepEqual(act({ key: '<', shiftKey: true }).calls, [['nudge', 'end', -1, 'sample']]);
  assert.deepEqual(act({ key: '.' }).calls, [['nudge', 'start', 1, 'sample']]);
  assert.deepEqual(act({ key: 'ArrowRight', shiftKey: true }).calls, [['stepFrame', 1]]);
  // Without a video Shift+arrow scrolls, without a selection the nudges let the key through.
  assert.deepEqual(act({ key: 'ArrowRight', shiftKey: true }, { selection: true, video: false }).calls, [['scroll', 0.1]]);
  assert.deepEqual(act({ key: 'ArrowLeft', altKey: true }, { selection: false, video: true }), { calls: [], prevented: false });
  assert.deepEqual(act({ key: ',' }, { selection: false, video: false }), { calls: [], prevented: false });
  assert.deepEqual(act({ key: '+', shiftKey: true }).calls, [['zoomBy', 2]]);
  assert.deepEqual(act({ key: 't' }).calls, [['stepTrack', false]]);
  assert.deepEqual(act({ key: 'T', shiftKey: true }).calls, [['stepTrack', true]]);
  assert.deepEqual(act({ key: '?', shiftKey: true }).calls, [['toggleHelp']]);
  assert.deepEqual(act({ key: '?', ctrlKey: true }).calls, []);
  assert.deepEqual(act({ key: 'x' }), { calls: [], prevented: false });
});
