// SPDX-License-Identifier: MIT
// ViewSync (web/src/compare-sync.js): the editors' views follow the one moved, and a view a clip
// clamps (a shorter clip) or sets in answer never bounces back to the others.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViewSync, sameView } from '../../web/src/compare-sync.js';

/** An editor's view part: zoomTo clamps to its duration and fires `viewchange` at once, as the element does. */
class FakeEditor extends EventTarget {
  constructor(duration) {
    super();
    this.duration = duration;
    this.view = { start: 0, end: duration };
    this.zooms = 0;
  }

  zoomTo(start, end) {
    this.zooms += 1;
    const span = Math.min(end - start, this.duration);
    const s = Math.min(Math.max(start, 0), this.duration - span);
    this.view = { start: s, end: s + span };
    this.dispatchEvent(Object.assign(new Event('viewchange'), { detail: { ...this.view } }));
  }
}

test('zooming one editor moves the others to the same window, once each', () => {
  const editors = [new FakeEditor(10), new FakeEditor(10), new FakeEditor(10)];
  const sync = new ViewSync();
  sync.attach(editors);
  editors[1].zoomTo(2, 4);
  assert.deepEqual(editors.map((e) => e.view), [{ start: 2, end: 4 }, { start: 2, end: 4 }, { start: 2, end: 4 }]);
  assert.deepEqual(editors.map((e) => e.zooms), [1, 1, 1], 'no editor is set twice');
});

test('a shorter clip clamps the window without sending its clamped view back to the others', () => {
  const long = new FakeEditor(10);
  const short = new FakeEditor(5);
  const sync = new ViewSync();
  sync.attach([long, short]);
  long.zoomTo(6, 8);
  assert.deepEqual(long.view, { start: 6, end: 8 }, 'the moved editor keeps its window');
  assert.deepEqual(short.view, { start: 3, end: 5 }, 'the shorter one shows what it can');
  assert.equal(long.zooms, 1);
});

test('set() moves every editor; an editor already there is left alone; detach stops following', () => {
  const editors = [new FakeEditor(10), new FakeEditor(10)];
  const sync = new ViewSync();
  sync.attach(editors);
  editors[0].view = { start: 1, end: 3 };
  sync.set({ start: 1, end: 3 });
  assert.deepEqual(editors.map((e) => e.zooms), [0, 1]);
  sync.detach();
  editors[0].zoomTo(5, 6);
  assert.deepEqual(editors[1].view, { start: 1, end: 3 });
  assert.ok(sameView({ start: 1, end: 3 }, { start: 1 + 1e-9, end: 3 }));
});
