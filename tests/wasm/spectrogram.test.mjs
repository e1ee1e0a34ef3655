// SPDX-License-Identifier: MIT
// The spectrogram through the wasm boundary: sox's tones at their rows, tiles reused, errors as values.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { loadCore, decodeBytes } from './load-core.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = process.env.AVSEG_FIXTURES ?? path.join(root, 'build/fixtures');
let core, tones;

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  tones = await readFile(path.join(fixtures, 'tones.wav'));
  core = await loadCore();
});

// tones.wav: 440 Hz, 3 kHz, silence, a second each at 48 kHz; 4000 frames per column.
const view = {
  startFrame: 0, framesPerPixel: 4000, width: 36, height: 100,
  windowSize: 2048, scale: 'linear', colorMap: 'grayscale', minDb: -120, maxDb: 0, minHz: 0, maxHz: 0,
};

function brightestRow(px, x) {
  let best = -1, row = -1;
  for (let y = 0; y < view.height; y++) {
    const v = px[(y * view.width + x) * 4];
    if (v > best) [best, row] = [v, y];
  }
  return row;
}

test('the bound renderSpectrogram draws tones on their rows and silence as the floor', () => {
  const { session, status } = decodeBytes(core, tones);
  try {
    assert.equal(status.state, 2);
    const r = session.renderSpectrogram(view);
    assert.ok(r.ok, r.message);
    assert.ok(r.fromSamples);
    assert.equal(r.tilesComputed, 1);
    const px = session.pixels();
    assert.equal(px.length, view.width * view.height * 4);
    // Linear, 0-24 kHz over 100 rows: 240 Hz a row, top row highest.
    assert.equal(brightestRow(px, 5), Math.floor(100 - 440 / 240));
    assert.equal(brightestRow(px, 18), Math.floor(100 - 3000 / 240));
    for (let y = 0; y < view.height; y++) assert.equal(px[(y * view.width + 30) * 4], 0, `silence, row ${y}`);

    const again = session.renderSpectrogram({ ...view, colorMap: 'magma', minDb: -90 });
    assert.ok(again.ok);
    assert.deepEqual([again.tilesComputed, again.tilesReused], [0, 1]);

    const bad = session.renderSpectrogram({ ...view, scale: 'bark' });
    assert.equal(bad.ok, false);
    assert.equal(bad.code, 'internal');
    assert.match(bad.message, /bark/);
    const odd = session.renderSpectrogram({ ...view, windowSize: 1000 });
    assert.equal(odd.ok, false);
    assert.match(odd.message, /window size/);
  } finally {
    session.delete();
  }
});

test('before the seekable copy is attached only the floor colour is drawn', () => {
  const { session } = decodeBytes(core, tones, 65536, { attach: false });
  try {
    const r = session.renderSpectrogram({ ...view, colorMap: 'magma' });
    assert.ok(r.ok && !r.fromSamples);
    const px = session.pixels();
    for (let i = 0; i < px.length; i += 4) assert.deepEqual([...px.subarray(i, i + 4)], [0x00, 0x00, 0x04, 0xff]);
  } finally {
    session.delete();
  }
});
