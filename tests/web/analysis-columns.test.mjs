// SPDX-License-Identifier: MIT
// The analysis strips' math (web/src/analysis-columns.js): frames and spans land on the columns
// the core's waveform gives them (checked against the rule itself, frame by frame), grids of
// values split into columns, min/max from the pyramid equal a plain scan, the scales; and an hour
// of 1 ms pitch reduced to a 2000-pixel view in a few milliseconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  MinMaxPyramid, columnRanges, frameColumn, gridColumns, loudnessRow, pitchRow, pitchTicks, spanColumns,
} from '../../web/src/analysis-columns.js';

/** A small deterministic generator, so that failures repeat. */
function random(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** The core's rule (WaveformRenderer.h), by brute force: the column whose frames hold f. */
function coreColumn(view, f) {
  for (let x = -2; x < view.width + 2; x++) {
    if (Math.floor(view.startFrame + x * view.framesPerPixel) <= f && f < Math.floor(view.startFrame + (x + 1) * view.framesPerPixel)) return x;
  }
  return null;
}

test('a frame lands in the column whose frames hold it, as the core draws it, at any scale of a frame or more a pixel', () => {
  const rnd = random(7);
  for (let i = 0; i < 200; i++) {
    const view = { startFrame: rnd() * 1e6, framesPerPixel: 1 + rnd() * (i % 2 ? 3 : 3000), width: 300 };
    for (let j = 0; j < 20; j++) {
      const f = Math.floor(view.startFrame + rnd() * view.width * view.framesPerPixel);
      const expected = coreColumn(view, f);
      if (expected === null) continue;
      assert.equal(frameColumn(view, f), expected, `frame ${f} in ${JSON.stringify(view)}`);
    }
  }
  // Exactly one frame a pixel: the frame's own column.
  assert.equal(frameColumn({ startFrame: 100, framesPerPixel: 1, width: 10 }, 105), 5);
});

test('a span covers the columns holding its first and last frame; below a frame a pixel, the pixels whose centres it holds', () => {
  const view = { startFrame: 0.5, framesPerPixel: 1.5, width: 100 };
  // Columns: 0 = {0, 1}, 1 = {2}, 2 = {3, 4}, 3 = {5}.
  assert.deepEqual(spanColumns(view, 2, 5), { first: 1, last: 2 });
  assert.deepEqual(spanColumns(view, 1, 3), { first: 0, last: 1 });
  assert.equal(spanColumns(view, 5, 5), null, 'an empty span covers nothing');
  assert.equal(spanColumns(view, 1000, 2000), null, 'out of view');
  assert.deepEqual(spanColumns(view, -50, 2), { first: 0, last: 0 }, 'clipped to the view');
  // Sample level: 10 px a frame; frame 3 is the point at x = 30, a span [3, 5) the pixels 30..49.
  const deep = { startFrame: 0, framesPerPixel: 0.1, width: 100 };
  assert.deepEqual(spanColumns(deep, 3, 5), { first: 30, last: 49 });
  assert.equal(frameColumn(deep, 3), 30);
});

test('a grid of values falls into columns as its frames do', () => {
  const view = { startFrame: 1234.5, framesPerPixel: 7.3, width: 200 };
  const hop = 48;
  const starts = gridColumns(view, 0, hop, 1000);
  for (let x = 0; x < view.width; x++) {
    for (let g = starts[x]; g < starts[x + 1]; g++) assert.equal(frameColumn(view, g * hop), x, `value ${g} in column ${x}`);
  }
  assert.equal(starts[0], Math.ceil(Math.floor(view.startFrame) / hop));
  // With an origin (loudness: value i at the end of its window, (i + 1) * step).
  const step = 4800;
  const wide = { startFrame: 0, framesPerPixel: 4800, width: 10 };
  assert.deepEqual(Array.from(gridColumns(wide, step, step, 5)), [0, 0, 1, 2, 3, 4, 5, 5, 5, 5, 5]);
});

test('min and max from the pyramid equal a plain scan, over counted values only, also after an update', () => {
  const rnd = random(11);
  const values = new Float32Array(70000).map(() => (rnd() < 0.2 ? 0 : rnd() < 0.05 ? NaN : 50 + rnd() * 500));
  const pyramid = new MinMaxPyramid(values);
  const scan = (a, b) => {
    let min = Infinity;
    let max = -Infinity;
    for (let i = a; i < b; i++) if (values[i] > 0) { min = Math.min(min, values[i]); max = Math.max(max, values[i]); }
    return { min, max };
  };
  for (let i = 0; i < 300; i++) {
    const a = Math.floor(rnd() * values.length);
    const b = Math.min(values.length, a + Math.floor(rnd() * (i % 3 ? 40 : 40000)));
    assert.deepEqual(pyramid.range(a, b), scan(a, b), `[${a}, ${b})`);
  }
  values.fill(0, 1000, 60000);
  values[30000] = 1;
  pyramid.update(1000, 60000);
  assert.deepEqual(pyramid.range(1000, 60000), { min: 1, max: 1 });
  assert.deepEqual(pyramid.range(2000, 3000), { min: Infinity, max: -Infinity }, 'unvoiced: nothing');
});

test('zoomed in past the grid, a column takes the line between its neighbours; a voicing gap stays a gap', () => {
  const values = new Float32Array([100, 200, 0, 400]);
  const pyramid = new MinMaxPyramid(values);
  // Value g at frame 10 g; 0.5 frames a pixel: pixel x's centre at frame (x + 0.5) / 2.
  const view = { startFrame: 0, framesPerPixel: 0.5, width: 80 };
  const { min, max } = columnRanges(view, { hop: 10, pyramid });
  assert.equal(min[0], 100, 'the pixel of value 0 holds it');
  assert.equal(min[20], 200, 'the pixel of value 1 holds it');
  assert.ok(Math.abs(min[10] - (100 + 100 * (5.25 / 10))) < 1e-3, `between them, on the line: ${min[10]}`);
  assert.equal(min[10], max[10]);
  assert.ok(Number.isNaN(min[30]) && Number.isNaN(min[40]) && Number.isNaN(min[50]), 'unvoiced value 2 and the lines to it are gaps');
});

test('the scales: floor at the bottom row, ceiling at the top, octaves evenly spaced; LUFS from -60 to 0', () => {
  assert.equal(pitchRow(50, 50, 800, 101), 100);
  assert.equal(pitchRow(800, 50, 800, 101), 0);
  assert.equal(pitchRow(200, 50, 800, 101), 50, 'two octaves of four: halfway');
  assert.deepEqual(pitchTicks(75, 600), [100, 200, 500]);
  assert.equal(loudnessRow(0, 61), 0);
  assert.equal(loudnessRow(-30, 61), 30);
  assert.equal(loudnessRow(-150, 61), 60, 'silence at the floor');
});

test('an hour of pitch at a 1 ms hop is reduced to a whole-file view of 2000 columns in a few milliseconds', () => {
  const n = 3600 * 1000;
  const hz = new Float32Array(n);
  for (let i = 0; i < n; i++) hz[i] = i % 5000 < 1500 ? 0 : 100 + 50 * Math.sin(i / 700);
  let t0 = performance.now();
  const pyramid = new MinMaxPyramid(hz);
  const built = performance.now() - t0;
  const hop = 48;
  const ms = (view) => {
    const times = [];
    // The first calls compile the code: the figure is a redraw's once it runs.
    for (let i = 0; i < 3; i++) columnRanges(view, { hop, pyramid });
    for (let i = 0; i < 7; i++) {
      t0 = performance.now();
      columnRanges(view, { hop, pyramid });
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[3];
  };
  const whole = ms({ startFrame: 0, framesPerPixel: (n * hop) / 2000, width: 2000 });
  const minute = ms({ startFrame: 1800 * 48000, framesPerPixel: (60 * 48000) / 2000, width: 2000 });
  // The baseline: one plain pass over the hour, as drawing without the pyramid would.
  t0 = performance.now();
  let voiced = 0;
  for (let i = 0; i < n; i++) if (hz[i] > 0) voiced++;
  const scan = performance.now() - t0;
  console.log(`# pyramid built in ${built.toFixed(1)} ms; whole hour ${whole.toFixed(2)} ms, a minute ${minute.toFixed(2)} ms per redraw; a plain pass over the hour ${scan.toFixed(1)} ms (${voiced} voiced)`);
  assert.ok(whole < 20, `the whole hour redraws in ${whole.toFixed(2)} ms`);
  assert.ok(minute < 20, `a minute of it in ${minute.toFixed(2)} ms`);
});
