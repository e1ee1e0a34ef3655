// SPDX-License-Identifier: MIT
// The wasm build of the core, run in Node: the same decoding results as the native build.
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
let core, manifest;

before(async () => {
  await promisify(execFile)(path.join(root, 'tests/fixtures/make-media.sh'), [fixtures]);
  manifest = JSON.parse(await readFile(path.join(fixtures, 'manifest.json'), 'utf8'));
  core = await loadCore();
});

test('every supported format decodes to ffprobe\'s sample count in wasm', async () => {
  let checked = 0;
  for (const { file, audio } of manifest.files) {
    if (!audio || audio.decodeErrors || !audio.ffprobeFrames || /^(unsupported|truncated)/.test(file)) continue;
    const { session, status } = decodeBytes(core, await readFile(path.join(fixtures, file)), 40000);
    try {
      assert.equal(status.state, 2, `${file}: ${status.code} ${status.message}`);
      const info = session.info();
      assert.equal(info.frames, audio.ffprobeFrames, file);
      assert.equal(info.sampleRate, audio.sampleRate, file);
      assert.equal(info.channels, audio.channels, file);
      assert.deepEqual(session.problems(), [], file);
    } finally {
      session.delete();
    }
    checked++;
  }
  assert.ok(checked >= 15, `${checked} files checked`);
});

test('errors cross the boundary as values with stable codes', async () => {
  const cases = {
    'garbage.bin': 'unsupported-format',
    'unsupported.ac3': 'unsupported-format',
    'empty.wav': 'empty-media',
    'header-only.wav': 'empty-media',
  };
  for (const [file, code] of Object.entries(cases)) {
    const { session, status } = decodeBytes(core, await readFile(path.join(fixtures, file)));
    assert.equal(status.state, -1, file);
    assert.equal(status.code, code, file);
    assert.ok(status.message.length > 10);
    session.delete();
  }
});

test('rendering fills the caller\'s pixel view, from peaks or from samples', async () => {
  const bytes = await readFile(path.join(fixtures, 'speech-gaps.flac'));
  const { session } = decodeBytes(core, bytes, 65536, { attach: false });
  try {
    const colours = { background: 0xffffffff, wave: 0x000000ff, axis: 0x808080ff, sampleDot: 0xff0000ff, amplitude: 1 };
    const whole = session.render({ startFrame: 0, framesPerPixel: 477944 / 200, width: 200, height: 50, ...colours }, true);
    assert.ok(whole.ok && !whole.fromSamples);
    const px = session.pixels();
    assert.equal(px.length, 200 * 50 * 4);
    let dark = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] === 0 && px[i + 3] === 255) dark++;
    assert.ok(dark > 1000, `${dark} waveform pixels`);

    const view = { startFrame: 100000, framesPerPixel: 0.1, width: 200, height: 50, ...colours };
    const noSeekable = session.render(view, true);
    assert.ok(noSeekable.ok && !noSeekable.fromSamples, 'without a seekable copy it draws from peaks');
    const attached = session.attachSeekable((pos, len) => bytes.subarray(pos, pos + len), bytes.length);
    assert.equal(attached.state, 2);
    assert.equal(session.needsDecode(view), true);
    const coarse = session.render(view, false);
    assert.ok(coarse.ok && !coarse.fromSamples, 'asked not to decode, it draws the peaks');
    const fine = session.render(view, true);
    assert.ok(fine.ok && fine.fromSamples);
    assert.equal(session.needsDecode(view), false, 'the window is cached now');
    assert.ok(session.render(view, false).fromSamples, 'cached samples are used even without decoding');
    const red = [...session.pixels()].filter((v, i) => i % 4 === 0 && v === 255).length;
    assert.ok(red > 0);
  } finally {
    session.delete();
  }
});
