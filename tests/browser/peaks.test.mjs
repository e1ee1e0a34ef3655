// SPDX-License-Identifier: MIT
// Precomputed peaks in headless Chromium (issue 12): peaks files that round their last pixel up,
// as audiowaveform and avseg-cli write them, stand in while the media decodes and are replaced by
// the decoded waveform at `ready`, pixel for pixel what a load without them draws; those that do
// not fit the media (channels, sample rate, length) are named in an `invalid-peaks` warning; a
// file of no pixels, out-of-range 8-bit values and JSON after whitespace are each handled as said.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { fixtures, root, startElementPage } from './harness.mjs';

const run = promisify(execFile);
const DIR = '.test-peaks-12';   // a dot-folder of the media root: the fixtures' own listing ignores it
const SECONDS = 3.0015;         // 144072 frames at 48 kHz: neither 256, 512 nor 1000 divides it
let harness;

/** An audiowaveform version 2 .dat header (and no data) for a file of `length` pixels. */
function datHeader({ bits = 8, rate = 48000, spp = 256, length = 0, channels = 1 }) {
  const b = Buffer.alloc(24);
  b.writeInt32LE(2, 0);
  b.writeUInt32LE(bits === 8 ? 1 : 0, 4);
  b.writeInt32LE(rate, 8);
  b.writeInt32LE(spp, 12);
  b.writeUInt32LE(length, 16);
  b.writeInt32LE(channels, 20);
  return b;
}

before(async () => {
  harness = await startElementPage({ title: 'avseg peaks', slowBytesPerSecond: 1 << 20 });
  const dir = path.join(fixtures, DIR);
  await mkdir(dir, { recursive: true });
  // Left and right differ (a swelling 440 Hz tone, a steady quieter 220 Hz one), so a mixed-down
  // channel looks like neither; the mono file is the left one alone.
  await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i',
    `aevalsrc=0.9*sin(2*PI*440*t)*abs(sin(2*PI*0.4*t))|0.3*sin(2*PI*220*t):s=48000:d=${SECONDS}`, '-c:a', 'pcm_s16le', path.join(dir, 'stereo.wav')]);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', path.join(dir, 'stereo.wav'), '-af', 'pan=mono|c0=c0', '-c:a', 'pcm_s16le', path.join(dir, 'mono.wav')]);
  const cli = (...args) => run(path.join(root, 'build', 'avseg-cli'), ['audiowaveform', ...args]);
  await cli(path.join(dir, 'stereo.wav'), path.join(dir, 'stereo-mixed.dat'), '--bits', '8');
  await cli(path.join(dir, 'stereo.wav'), path.join(dir, 'stereo-split.dat'), '--split-channels');
  await cli(path.join(dir, 'mono.wav'), path.join(dir, 'mono-1000.json'), '--samples-per-pixel', '1000', '--bits', '16');
  await cli(path.join(dir, 'mono.wav'), path.join(dir, 'mono.json'), '--bits', '8');
  // The mono peaks with a header claiming twice the samples per pixel: a wrong scale.
  const mixed = await readFile(path.join(dir, 'stereo-mixed.dat'));
  await cli(path.join(dir, 'mono.wav'), path.join(dir, 'mono.dat'), '--bits', '8');
  const scaled = await readFile(path.join(dir, 'mono.dat'));
  scaled.writeInt32LE(512, 12);
  await writeFile(path.join(dir, 'mono-scale.dat'), scaled);
  assert.equal(mixed.readUInt32LE(16), Math.ceil(SECONDS * 48000 / 256), 'the last pixel rounded up');
  // What audiowaveform writes for an empty input: a valid header of no pixels.
  await writeFile(path.join(dir, 'empty.dat'), datHeader({ length: 0 }));
  // audiowaveform's JSON after a newline and indentation, and one with an 8-bit value of 200.
  const json = await readFile(path.join(dir, 'mono.json'), 'utf8');
  await writeFile(path.join(dir, 'indented.json'), `\n  ${json}`);
  const parsed = JSON.parse(json);
  parsed.data[41] = 200;
  await writeFile(path.join(dir, 'wrapped.json'), JSON.stringify(parsed));
});
after(async () => {
  await harness?.close();
  await rm(path.join(fixtures, DIR), { recursive: true, force: true });
});

const media = (name, slow) => harness.servers.media.url(`${slow ? '/slow' : ''}/${DIR}/${name}`);

/**
 * Loads `src` (with `peaks`, if given) and, after `ready`, digests the main waveform's pixels at
 * each view [start, end] (seconds). Also returns the element's events: 'peaks', 'ready', 'error'.
 */
async function loadAndDraw(t, src, peaks, views) {
  const page = await harness.open(t, { width: 1000, height: 900 });
  return page.evaluate(([src, peaks, spans]) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.style.width = '900px';
    const events = [];
    const t0 = performance.now();
    el.addEventListener('peaks', () => events.push({ type: 'peaks', ms: performance.now() - t0 }));
    el.addEventListener('error', (e) => {
      events.push({ type: 'error', ms: performance.now() - t0, ...e.detail });
      if (e.detail.fatal) reject(new Error(e.detail.message));
    });
    const digest = async () => {
      const canvas = el.shadowRoot.querySelector('.wave canvas');
      const frame = () => new Promise((r) => { requestAnimationFrame(() => requestAnimationFrame(r)); });
      const out = [];
      // Drawn, and no other frame (one asked for before the zoom) within a quarter second.
      const settled = () => new Promise((r) => {
        let timer;
        const quiet = () => { clearTimeout(timer); timer = setTimeout(done, 250); };
        const done = () => { el.removeEventListener('avseg-rendered', quiet); r(); };
        el.addEventListener('avseg-rendered', quiet);
        timer = setTimeout(done, 1500);
      });
      // A canvas laid out again (cleared) is drawn again: until then it is transparent.
      const painted = () => canvas.getContext('2d').getImageData(0, 0, 1, 1).data[3] === 255;
      for (const [start, end] of spans) {
        const drawn = settled();
        el.zoomTo(start, end);
        await drawn;
        await frame();
        for (let i = 0; i < 10 && !painted(); i++) {
          await settled();
          await frame();
        }
        const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
        let hash = 2166136261;
        for (let i = 0; i < data.length; i++) hash = Math.imul(hash ^ data[i], 16777619) >>> 0;
        out.push({ start, end, hash, fromSamples: canvas.dataset.fromSamples });
      }
      return out;
    };
    el.addEventListener('ready', async () => {
      events.push({ type: 'ready', ms: performance.now() - t0 });
      // A warning said after `ready` comes within moments, and the message it shows lays the
      // element out again: the views are digested once that is over.
      await new Promise((r) => { setTimeout(r, 600); });
      const drawn = await digest();
      resolve({ drawn, events });
    }, { once: true });
    if (peaks) el.setAttribute('peaks', peaks);
    el.src = src;
  }), [src, peaks, views]);
}

// The whole file, and half a second of it: finer than 256 samples per pixel, coarser than the samples.
const VIEWS = [[0.2, 2.8], [1.0, 1.5]];

for (const { name, media: file, peaks, warning } of [
  // audiowaveform's and avseg-cli's default output for any media: replaced at ready, not warned about.
  { name: 'a stereo file with mixed-down (mono) peaks', media: 'stereo.wav', peaks: 'stereo-mixed.dat', warning: null },
  { name: 'a mono file with two-channel peaks', media: 'mono.wav', peaks: 'stereo-split.dat', warning: /do not match the media: they have 2 channels, the media 1\./ },
  { name: 'a mono file with peaks whose header says another samples per pixel', media: 'mono.wav', peaks: 'mono-scale.dat', warning: /do not match the media: they are 563 pixels of 512 samples, but the media's 144072 samples make 282\./ },
  { name: 'a mono file with its own peaks at 1000 samples per pixel (JSON)', media: 'mono.wav', peaks: 'mono-1000.json', warning: null },
]) {
  test(`${name}: drawn while decoding, then the decoded waveform in their place${warning ? ', and a warning naming the mismatch' : ', without a warning'}`, { timeout: 60000 }, async (t) => {
    const [seeded, plain] = await Promise.all([
      loadAndDraw(t, media(file, true), media(peaks), VIEWS),
      loadAndDraw(t, media(file, false), null, VIEWS),
    ]);
    const types = seeded.events.map((e) => e.type);
    assert.ok(types.indexOf('peaks') >= 0 && types.indexOf('peaks') < types.indexOf('ready'), `the peaks stood in before ready: ${JSON.stringify(seeded.events)}`);
    assert.deepEqual(seeded.drawn.map((d) => d.fromSamples), ['false', 'false'], 'both views are drawn from peaks');
    assert.deepEqual(seeded.drawn, plain.drawn, 'after ready the waveform is the decoded one');
    const errors = seeded.events.filter((e) => e.type === 'error');
    if (!warning) {
      assert.deepEqual(errors, []);
      return;
    }
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].code, 'invalid-peaks');
    assert.equal(errors[0].fatal, false);
    assert.match(errors[0].message, warning);
  });
}

/** Loads `src` with `peaks` until `ready` and a moment after; the element's events. */
async function loadEvents(t, src, peaks) {
  const page = await harness.open(t, { width: 1000, height: 900 });
  return page.evaluate(([src, peaks]) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const events = [];
    el.addEventListener('peaks', (e) => events.push({ type: 'peaks', ...e.detail }));
    el.addEventListener('error', (e) => events.push({ type: 'error', ...e.detail }));
    el.addEventListener('ready', () => setTimeout(() => resolve(events), 500), { once: true });
    el.setAttribute('peaks', peaks);
    el.src = src;
  }), [src, peaks]);
}

test('a peaks file of no pixels (audiowaveform\'s for an empty input) gets an invalid-peaks warning', async (t) => {
  const events = await loadEvents(t, media('mono.wav', true), media('empty.dat'));
  assert.deepEqual(events.map((e) => e.type), ['error']);
  assert.equal(events[0].code, 'invalid-peaks');
  assert.equal(events[0].fatal, false);
  assert.match(events[0].message, /could not be used: the header's length is 0: the file holds no peaks .*; the waveform comes from decoding/);
});

test('JSON peaks after a newline and indentation are read', async (t) => {
  const events = await loadEvents(t, media('mono.wav', true), media('indented.json'));
  assert.deepEqual(events.map((e) => e.type), ['peaks']);
  assert.equal(events[0].channels, 1);
  assert.equal(events[0].sampleRate, 48000);
});

test('an 8-bit value outside -128..127 is refused, naming it, rather than drawn wrapped', async (t) => {
  const events = await loadEvents(t, media('mono.wav', true), media('wrapped.json'));
  assert.deepEqual(events.map((e) => e.type), ['error']);
  assert.equal(events[0].code, 'invalid-peaks');
  assert.match(events[0].message, /could not be used: the JSON's data\[41\] is 200, outside -128\.\.127 for 8-bit peaks; the waveform comes from decoding/);
});
