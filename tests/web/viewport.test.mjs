// SPDX-License-Identifier: MIT
// The viewport's math and its view state (web/src/viewport.js), without a browser: the host is
// a plain object, the elements plain objects with a style.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Viewport, centreOn, pageTo, revealSpan, zoomAnchor } from '../../web/src/viewport.js';
import { Subscriptions } from '../../web/src/emitter.js';

test('zooming anchors on the cursor when it is in view, else on the middle of the view', () => {
  assert.equal(zoomAnchor({ start: 10, end: 20 }, 12), 12);
  assert.equal(zoomAnchor({ start: 10, end: 20 }, 10), 10);
  assert.equal(zoomAnchor({ start: 10, end: 20 }, 25), 15);
  assert.equal(zoomAnchor({ start: 10, end: 20 }, 2), 15);
});

test('while playing the view pages so that the cursor is 5% in from its left edge', () => {
  assert.equal(pageTo({ start: 10, end: 20 }, 15), null);
  assert.equal(pageTo({ start: 10, end: 20 }, 20), null);
  assert.deepEqual(pageTo({ start: 10, end: 20 }, 21), { start: 20.5, end: 30.5 });
  assert.deepEqual(pageTo({ start: 10, end: 20 }, 5), { start: 4.5, end: 14.5 });
});

test('revealing a span centres it when it fits in 90% of the view, shows exactly it when not, and leaves a span in sight alone', () => {
  assert.equal(revealSpan({ start: 0, end: 10 }, 2, 3), null);
  assert.deepEqual(revealSpan({ start: 0, end: 10 }, 20, 22), { start: 16, end: 26 });
  assert.deepEqual(revealSpan({ start: 0, end: 10 }, 20, 29), { start: 20, end: 29 });
  assert.deepEqual(revealSpan({ start: 0, end: 10 }, 20, 40), { start: 20, end: 40 });
});

test('centring keeps the span', () => {
  assert.deepEqual(centreOn({ start: 0, end: 10 }, 50), { start: 45, end: 55 });
});

function viewport({ duration = 100, currentTime = 0, width = 1000, rate = 48000 } = {}) {
  const box = (clientWidth) => ({ clientWidth, style: {} });
  const elements = {
    wave: box(width), waveCanvas: { width }, overview: box(500), viewport: box(0), scrollbar: box(500), thumb: box(0),
    cursor: box(0), spectroCursor: box(0), overviewCursor: box(0),
  };
  const state = { duration, currentTime, seeks: [] };
  const v = new Viewport(elements, {
    duration: () => state.duration, currentTime: () => state.currentTime, seek: (t) => state.seeks.push(t), rate: () => rate,
  });
  const changes = [];
  v.on('change', (view) => changes.push(view));
  return { v, elements, state, changes };
}

test('a new media follows the load (the whole file as it grows) until the view is moved, then stays inside the file', () => {
  const { v, changes } = viewport();
  v.reset();
  assert.deepEqual(v.view, { start: 0, end: 1 });
  v.durationChanged(30);
  assert.deepEqual(v.view, { start: 0, end: 30 });
  v.durationChanged(60);
  assert.deepEqual(v.view, { start: 0, end: 60 });
  assert.equal(changes.length, 0, 'following the load is not a view change');
  v.zoomTo(50, 70);
  assert.deepEqual(v.view, { start: 50, end: 70 });
  v.durationChanged(65);
  assert.deepEqual(v.view, { start: 45, end: 65 }, 'kept inside the file, not following');
  v.reset();
  v.durationChanged(80);
  assert.deepEqual(v.view, { start: 0, end: 80 }, 'another media follows again');
});

test('zoomBy anchors on the cursor, changes are emitted once per real move, and nothing moves before the duration is known', () => {
  const { v, state, changes } = viewport({ duration: 0, currentTime: 25 });
  v.zoomTo(0, 10);
  assert.equal(changes.length, 0);
  state.duration = 100;
  v.durationChanged(100);
  assert.deepEqual(v.view, { start: 0, end: 1 }, 'a zoom asked before the duration still stops following the load');
  v.zoomBy(4);
  assert.deepEqual(v.view, { start: 0.375, end: 0.625 }, 'the cursor is out of view: anchored on the middle');
  v.zoomTo(0, 100);
  v.zoomBy(4);
  assert.deepEqual(v.view, { start: 18.75, end: 43.75 });
  assert.deepEqual(changes, [{ start: 0.375, end: 0.625 }, { start: 0, end: 100 }, { start: 18.75, end: 43.75 }]);
  v.zoomTo(18.75, 43.75);
  assert.equal(changes.length, 3, 'the same view again is no change');
  v.zoomTo(NaN, 5);
  assert.equal(changes.length, 3, 'an unreadable view is ignored');
});

test('scrollBy moves by a fraction of the span; reveal moves only when the span is out of sight', () => {
  const { v, changes } = viewport();
  v.durationChanged(100);
  v.zoomTo(10, 20);
  v.scrollBy(0.5);
  assert.deepEqual(v.view, { start: 15, end: 25 });
  v.reveal(16, 18);
  assert.equal(changes.length, 2);
  v.reveal(60, 62);
  assert.deepEqual(v.view, { start: 56, end: 66 });
});

test('follow pages the view to the playing time and places the cursors', () => {
  const { v, elements, state } = viewport({ width: 1000 });
  v.durationChanged(100);
  v.zoomTo(0, 10);
  state.currentTime = 12;
  let cursorMoves = 0;
  v.on('cursor', () => cursorMoves++);
  v.follow(12);
  assert.deepEqual(v.view, { start: 11.5, end: 21.5 });
  assert.equal(cursorMoves, 1);
  assert.equal(elements.cursor.style.transform, 'translateX(50px)');
  assert.equal(elements.cursor.style.display, '');
  assert.equal(elements.overviewCursor.style.transform, 'translateX(60px)');
  state.currentTime = 50;
  v.updateCursor();
  assert.equal(elements.cursor.style.display, 'none', 'a cursor out of view is hidden');
});

test('the overview box and scrollbar thumb show where the view is in the file', () => {
  const { v, elements } = viewport();
  v.durationChanged(100);
  v.zoomTo(50, 60);
  v.updateOverlay();
  assert.equal(elements.viewport.style.left, '250px');
  assert.equal(elements.viewport.style.width, '50px');
  assert.equal(elements.thumb.style.width, '50px');
  assert.equal(elements.thumb.style.left, `${(450 * 50) / 90}px`);
});

test('the gestures are registered through a Subscriptions bag and all released by it', () => {
  const listeners = new Map();
  const target = (name) => ({
    clientWidth: 100, style: {},
    addEventListener: (type) => listeners.set(`${name}:${type}`, (listeners.get(`${name}:${type}`) ?? 0) + 1),
    removeEventListener: (type) => listeners.set(`${name}:${type}`, listeners.get(`${name}:${type}`) - 1),
  });
  const v = new Viewport({ wave: target('wave'), waveCanvas: { width: 100 }, overview: target('overview'), scrollbar: target('scrollbar') },
    { duration: () => 0, currentTime: () => 0, seek: () => {}, rate: () => 48000 });
  const subs = new Subscriptions();
  v.connect(subs);
  assert.deepEqual(Object.fromEntries(listeners), { 'wave:pointerdown': 1, 'wave:wheel': 1, 'overview:pointerdown': 1, 'scrollbar:pointerdown': 1 });
  subs.releaseAll();
  assert.ok([...listeners.values()].every((n) => n === 0));
});
