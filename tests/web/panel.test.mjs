// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listRows, visibleRows, ROW_HEIGHT } from '../../web/src/panel.js';

const spans = (...rows) => Float64Array.from(rows.flat());

test('by time the rows are the listing in order', () => {
  assert.deepEqual([...listRows(spans([0, 5, 1], [2, 3, 0], [4, 9, 1]), 2, false)], [0, 1, 2]);
});

test('by track each track has a heading, empty tracks included, before its segments', () => {
  const listing = spans([0, 5, 0], [7, 9, 0], [2, 3, 2]);
  assert.deepEqual([...listRows(listing, 3, true)], [-1, 0, 1, -2, -3, 2]);
});

test('segments of a missing track close the list without a heading', () => {
  assert.deepEqual([...listRows(spans([0, 5, 0], [1, 2, -1]), 1, true)], [-1, 0, 1]);
});

test('visible rows cover the view plus the overscan, clamped to the list', () => {
  assert.deepEqual(visibleRows(0, ROW_HEIGHT * 4, 100), { first: 0, last: 9 });
  assert.deepEqual(visibleRows(ROW_HEIGHT * 50, ROW_HEIGHT * 4, 100), { first: 45, last: 59 });
  assert.deepEqual(visibleRows(ROW_HEIGHT * 98, ROW_HEIGHT * 4, 100), { first: 93, last: 100 });
});
