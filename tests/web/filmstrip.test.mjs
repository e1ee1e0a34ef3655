// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thumbSlots } from '../../web/src/filmstrip.js';

const at25 = (t) => (t < 0 ? -1 : Math.floor(t * 25));

test('slots tile the width, each showing the frame at its centre', () => {
  const slots = thumbSlots({ start: 0, end: 4 }, 400, 100, at25);
  assert.deepEqual(slots, [{ x: 0, frame: 12 }, { x: 100, frame: 37 }, { x: 200, frame: 62 }, { x: 300, frame: 87 }]);
});

test('a partial last slot is centred on its own width; zooming in shows neighbouring frames', () => {
  assert.deepEqual(thumbSlots({ start: 0, end: 1 }, 250, 100, at25).map((s) => s.frame), [5, 15, 22]);
  assert.deepEqual(thumbSlots({ start: 2, end: 2.2 }, 500, 100, at25).map((s) => s.frame), [50, 51, 52, 53, 54]);
});

test('an empty view or width gives no slots', () => {
  assert.deepEqual(thumbSlots({ start: 1, end: 1 }, 400, 100, at25), []);
  assert.deepEqual(thumbSlots({ start: 0, end: 1 }, 0, 100, at25), []);
});
