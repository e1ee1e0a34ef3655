// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MAX_PIXELS_PER_SAMPLE, clampView, parseTime, decimalsFor, formatTime, minSpan, rulerTicks, scrollView, thumb, timeToX, xToTime, zoomAround,
} from '../../web/src/layout.js';
import { rowAt, snap, LANE_HEIGHT } from '../../web/src/lanes.js';

test('clampView keeps the view inside the file and at least the minimum span', () => {
  assert.deepEqual(clampView({ start: -5, end: 5 }, 100, 1), { start: 0, end: 10 });
  assert.deepEqual(clampView({ start: 95, end: 105 }, 100, 1), { start: 90, end: 100 });
  assert.deepEqual(clampView({ start: 10, end: 10.1 }, 100, 1), { start: 10, end: 11 });
  assert.deepEqual(clampView({ start: -50, end: 500 }, 100, 1), { start: 0, end: 100 });
  assert.deepEqual(clampView({ start: NaN, end: 3 }, 100, 1), { start: 0, end: 100 });
});

test('zoomAround keeps the anchor time at the same place on screen', () => {
  const view = { start: 10, end: 30 };
  const anchor = 15; // a quarter of the way in
  const next = zoomAround(view, 4, anchor, 100, 0.001);
  assert.equal(next.end - next.start, 5);
  assert.ok(Math.abs((anchor - next.start) / (next.end - next.start) - 0.25) < 1e-12);
  const out = zoomAround(view, 1 / 100, anchor, 100, 0.001);
  assert.deepEqual(out, { start: 0, end: 100 });
});

test('zooming stops at the deepest sample zoom', () => {
  const width = 1000;
  const min = minSpan(width, 48000);
  assert.equal(min, width / MAX_PIXELS_PER_SAMPLE / 48000);
  let view = { start: 0, end: 60 };
  for (let i = 0; i < 40; i++) view = zoomAround(view, 2, 1, 60, min);
  assert.ok(Math.abs(view.end - view.start - min) < 1e-15);
});

test('scrolling moves without changing the span and stops at the ends', () => {
  assert.deepEqual(scrollView({ start: 10, end: 20 }, 5, 100, 1), { start: 15, end: 25 });
  assert.deepEqual(scrollView({ start: 10, end: 20 }, -50, 100, 1), { start: 0, end: 10 });
  assert.deepEqual(scrollView({ start: 10, end: 20 }, 500, 100, 1), { start: 90, end: 100 });
});

test('time and x convert both ways', () => {
  const view = { start: 2, end: 4 };
  assert.equal(timeToX(3, view, 800), 400);
  assert.equal(xToTime(400, view, 800), 3);
  for (const x of [0, 1, 333.3, 799]) assert.ok(Math.abs(timeToX(xToTime(x, view, 800), view, 800) - x) < 1e-9);
});

test('ruler labels are at least the minimum distance apart and fall on round times', () => {
  for (const [span, width] of [[36000, 1920], [3600, 1000], [27.7, 1000], [1, 1000], [0.002, 1000], [0.0002, 1920]]) {
    const view = { start: 1.2345, end: 1.2345 + span };
    const { step, ticks } = rulerTicks(view, width, 90);
    const majors = ticks.filter((t) => t.major);
    assert.ok(step / (span / width) >= 90, `step ${step} for ${span}`);
    assert.ok(majors.length >= 1 || span / step < 1);
    for (const t of majors) {
      assert.ok(Math.abs(t.t / step - Math.round(t.t / step)) < 1e-6);
      assert.ok(t.x >= -1e-6 && t.x <= width + 1e-6);
      assert.ok(t.label.length > 0);
    }
    for (let i = 1; i < majors.length; i++) assert.ok(majors[i].x - majors[i - 1].x >= 90 - 1e-6);
  }
});

test('times are formatted as m:ss.fff or h:mm:ss.fff without rounding up', () => {
  assert.equal(formatTime(0), '0:00.000');
  assert.equal(formatTime(61.5), '1:01.500');
  assert.equal(formatTime(3600 + 62.25), '1:01:02.250');
  assert.equal(formatTime(59.9999), '0:59.999');
  assert.equal(formatTime(1.23456, 5), '0:01.23456');
  assert.equal(formatTime(12, 0), '0:12');
  assert.equal(formatTime(-1.5, 1), '-0:01.5');
  assert.equal(decimalsFor(0.001), 3);
  assert.equal(decimalsFor(0.05), 2);
  assert.equal(decimalsFor(5), 0);
});

test('the scrollbar thumb spans the visible share and travels the track', () => {
  assert.deepEqual(thumb({ start: 0, end: 50 }, 100, 400), { left: 0, width: 200 });
  assert.deepEqual(thumb({ start: 50, end: 100 }, 100, 400), { left: 200, width: 200 });
  const tiny = thumb({ start: 99.99, end: 100 }, 100, 400);
  assert.equal(tiny.width, 16);
  assert.equal(tiny.left, 384);
});

test('snapping picks the nearest target within reach, else leaves the frame alone', () => {
  assert.equal(snap(1000, [990, 1012], 20), 990);
  assert.equal(snap(1000, [1015, 1030], 20), 1015);
  assert.equal(snap(1000, [1050], 20), 1000);
  assert.equal(snap(1000, [], 20), 1000);
});

test('a y offset maps to its lane row', () => {
  assert.equal(rowAt(0, 3), 0);
  assert.equal(rowAt(LANE_HEIGHT - 0.5, 3), 0);
  assert.equal(rowAt(LANE_HEIGHT * 2 + 1, 3), 2);
  assert.equal(rowAt(LANE_HEIGHT * 3, 3), -1);
  assert.equal(rowAt(-1, 3), -1);
});

test('typed times are read as h:mm:ss.fff, m:ss.fff or seconds', () => {
  assert.equal(parseTime('1:02:03.250'), 3723.25);
  assert.equal(parseTime('0:01.5'), 1.5);
  assert.equal(parseTime('12.125'), 12.125);
  assert.equal(parseTime(formatTime(61.5)), 61.5);
  assert.ok(Number.isNaN(parseTime('1:75')));
  assert.ok(Number.isNaN(parseTime('abc')));
  assert.ok(Number.isNaN(parseTime('')));
});
