// SPDX-License-Identifier: MIT
// The analysis strips in headless Chromium, through the real worker: tones with silences of known
// lengths made by sox at test time. The Pauses strip paints exactly the columns the worker's pause
// frames fall on (the core's column rule) at a whole-file, 1 s, 10 ms and sample-level view, and
// those columns are the waveform's silent ones; the Pitch strip draws a 220 Hz tone at its row of
// the log-frequency axis, with a gap in the silence; the Loudness strip's header says the
// integrated loudness and range.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root, startElementPage } from './harness.mjs';
import { RATE, TRUTH, makeTones, openTones as openMedia } from './analysis-media.mjs';

const CONFIG = {
  categories: [{ name: 'pause', tags: ['Pause'] }, { name: 'speaker', tags: ['A'] }],
  analysis: { show: ['pauses', 'pitch', 'loudness'], pitch: { floorHz: 75, ceilingHz: 600 } },
};

let tmp;
let env;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-strips-'));
  await makeTones(tmp);
  env = await startElementPage({ title: 'avseg analysis strips', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const openTones = (t, config = CONFIG) => openMedia(env, t, config);

/** Zooms to [start, end] s and waits for the waveform's final picture and the strips' next frame. */
async function zoom(page, start, end) {
  return page.evaluate(({ start, end }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const done = () => requestAnimationFrame(() => requestAnimationFrame(() => resolve(el.view)));
    const before = JSON.stringify(el.view);
    const timer = setTimeout(done, 3000);
    el.addEventListener('avseg-rendered', () => { clearTimeout(timer); done(); }, { once: true });
    el.zoomTo(start, end);
    if (JSON.stringify(el.view) === before) {
      clearTimeout(timer);
      done();
    }
  }), { start, end });
}

/** Per device column of a strip's canvas: whether anything is painted on row `row` (default: the middle). */
function stripColumns(page, kind, row = null) {
  return page.evaluate(({ kind, row }) => {
    const canvas = document.querySelector('avseg-editor').shadowRoot.querySelector(`.analysis-strip[data-kind="${kind}"] canvas`);
    const y = row ?? Math.floor(canvas.height / 2);
    const data = canvas.getContext('2d').getImageData(0, y, canvas.width, 1).data;
    return Array.from({ length: canvas.width }, (_, x) => data[x * 4 + 3] > 0);
  }, { kind, row });
}

/** Per column of the main waveform: how many pixels have the wave's colour. */
function waveColumns(page) {
  return page.evaluate(() => {
    const canvas = document.querySelector('avseg-editor').shadowRoot.querySelector('.wave canvas');
    const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const counts = new Array(width).fill(0);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - 0x2f) < 40 && Math.abs(data[i + 1] - 0x6f) < 40 && Math.abs(data[i + 2] - 0xb3) < 40) counts[x]++;
      }
    }
    return counts;
  });
}

/**
 * The columns pause [start, end) should paint, by the rule doc/element-api.md#analysis states:
 * a frame or more a pixel, column x holds frames floor(s + x·fpp) .. floor(s + (x+1)·fpp) - 1 (as the
 * core's waveform); below, the pixels whose centres s + (x + 0.5)·fpp lie in [start, end).
 */
function expectedColumns(view, width, { start, end }) {
  const s = view.start * RATE;
  const fpp = ((view.end - view.start) * RATE) / width;
  return Array.from({ length: width }, (_, x) => {
    if (fpp < 1) {
      const centre = s + (x + 0.5) * fpp;
      return centre >= start && centre < end;
    }
    const first = Math.floor(s + x * fpp);
    const next = Math.floor(s + (x + 1) * fpp);
    return next > start && first < end;
  });
}

const runs = (columns) => {
  const out = [];
  columns.forEach((on, x) => {
    if (on && (x === 0 || !columns[x - 1])) out.push([x, x]);
    if (on) out.at(-1)[1] = x;
  });
  return out;
};

test('the Pauses strip paints the columns of the pauses the worker found, at a whole-file, 1 s, 10 ms and sample-level view', async (t) => {
  const page = await openTones(t);
  const { spans } = await page.evaluate(() => document.querySelector('avseg-editor').analysis.pauses);
  assert.equal(spans.length, TRUTH.length, JSON.stringify(spans));
  spans.forEach((p, i) => assert.ok(Math.abs(p.start - TRUTH[i].start) <= 240 && Math.abs(p.end - TRUTH[i].end) <= 240, `pause ${JSON.stringify(p)} within 5 ms of ${JSON.stringify(TRUTH[i])}`));
  const width = await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.wave canvas').width);
  const edge = spans[0].start / RATE;
  const views = [['whole file', 0, 3], ['1 s', 0.2, 1.2], ['10 ms', edge - 0.005, edge + 0.005], ['sample level', edge - 0.0001, edge + 0.0001]];
  for (const [name, start, end] of views) {
    const view = await zoom(page, start, end);
    const painted = await stripColumns(page, 'pauses');
    const expected = Array.from({ length: width }, (_, x) => spans.some((p) => expectedColumns(view, width, p)[x]));
    assert.ok(expected.some(Boolean), `${name}: a pause is in view`);
    assert.deepEqual(runs(painted), runs(expected), `${name} (${JSON.stringify(view)}): the painted columns are the pauses' columns`);
    if (name === 'sample level') {
      const fpp = ((view.end - view.start) * RATE) / width;
      assert.ok(fpp < 0.1, `the deepest zoom shows samples ${(1 / fpp).toFixed(1)} px apart`);
    }
    if (name === 'whole file' || name === '1 s') {
      // Against the core's own picture: inside a pause the waveform is flat, at its edges sound begins.
      const wave = await waveColumns(page);
      for (const [first, last] of runs(painted)) {
        for (let x = first + 1; x < last; x++) assert.ok(wave[x] <= 1, `${name}: column ${x} inside a pause is silent in the waveform (${wave[x]} px)`);
        if (first > 0) assert.ok(wave[first - 1] >= 3, `${name}: column ${first - 1} before the pause has sound (${wave[first - 1]} px)`);
        if (last < width - 1) assert.ok(wave[last + 1] >= 3, `${name}: column ${last + 1} after the pause has sound (${wave[last + 1]} px)`);
      }
    }
  }
});

test('the Pitch strip draws the 220 Hz tone at its row of the log-frequency axis, with a gap over the pause; the Loudness strip its momentary level and, in its header, the integrated loudness and range', async (t) => {
  const page = await openTones(t);
  await zoom(page, 0, 3);
  await page.waitForFunction(() => {
    const p = document.querySelector('avseg-editor').analysis.pitch;
    return p && p.hz.length >= 140000 / p.hop && !p.hz.slice(0, 140000 / p.hop).some(Number.isNaN);
  }, null, { timeout: 30000 });
  await zoom(page, 0, 2.999);
  const { height, columns } = await page.evaluate(() => {
    const canvas = document.querySelector('avseg-editor').shadowRoot.querySelector('.analysis-strip[data-kind="pitch"] canvas');
    const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    // The contour's colour (#6a1fb0): rows it paints, per column.
    const columns = Array.from({ length: width }, (_, x) => {
      const rows = [];
      for (let y = 0; y < height; y++) {
        const i = (y * width + x) * 4;
        if (Math.abs(data[i] - 0x6a) < 30 && Math.abs(data[i + 1] - 0x1f) < 30 && Math.abs(data[i + 2] - 0xb0) < 30 && data[i + 3] > 200) rows.push(y);
      }
      return rows;
    });
    return { height, columns };
  });
  const row = Math.round((1 - Math.log(220 / 75) / Math.log(600 / 75)) * (height - 1));
  const x = (seconds) => Math.floor((seconds / 2.999) * columns.length);
  for (const seconds of [0.25, 1.5, 2.6]) {
    const rows = columns[x(seconds)];
    assert.ok(rows.length > 0 && rows.every((y) => Math.abs(y - row) <= 2), `at ${seconds} s the contour is on row ${row} (220 Hz): ${rows}`);
  }
  for (const seconds of [0.8, 2.1]) assert.deepEqual(columns[x(seconds)], [], `no contour in the silence at ${seconds} s`);
  // The momentary curve (#2f6fb3) mid-way through the second tone, at its row of -60..0 LUFS.
  const loud = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.analysis-strip[data-kind="loudness"] canvas');
    const x = Math.floor((1.5 / 2.999) * canvas.width);
    const { data } = canvas.getContext('2d').getImageData(x, 0, 1, canvas.height);
    const rows = [];
    for (let y = 0; y < canvas.height; y++) if (data[y * 4] === 0x2f && data[y * 4 + 1] === 0x6f && data[y * 4 + 2] === 0xb3) rows.push(y);
    return { rows, height: canvas.height, momentary: el.analysis.loudness.momentary[14] };
  });
  const loudRow = Math.round((1 - (Math.max(loud.momentary, -60) + 60) / 60) * (loud.height - 1));
  assert.ok(loud.rows.length > 0 && loud.rows.every((y) => Math.abs(y - loudRow) <= 1), `momentary ${loud.momentary.toFixed(1)} LUFS on row ${loudRow}: ${loud.rows}`);
  const header = await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.analysis-strip[data-kind="loudness"] .analysis-label').textContent);
  const { integrated, range } = await page.evaluate(() => document.querySelector('avseg-editor').analysis.loudness);
  assert.ok(header.includes(`${integrated.toFixed(1)} LUFS integrated`) && header.includes(`LRA ${range.toFixed(1)} LU`), header);
  // The toolbar says it too, and keeps saying it with the Loudness strip hidden.
  const badge = () => page.evaluate(() => {
    const b = document.querySelector('avseg-editor').shadowRoot.querySelector('.loudness-badge');
    return { text: b.textContent, shown: !b.hidden && b.getBoundingClientRect().width > 0 };
  });
  assert.deepEqual(await badge(), { text: `${integrated.toFixed(1)} LUFS · LRA ${range.toFixed(1)} LU`, shown: true });
  await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.analysis-bar [data-show="loudness"]').click());
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('.analysis-strip[data-kind="loudness"]').hidden), true);
  assert.deepEqual(await badge(), { text: `${integrated.toFixed(1)} LUFS · LRA ${range.toFixed(1)} LU`, shown: true });
});

test('a bad analysis block in the config is refused naming the key and why', async (t) => {
  const page = await env.open(t, { width: 800, height: 600 });
  const messages = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const heard = [];
    el.addEventListener('error', (e) => heard.push(e.detail.message));
    el.config = { categories: { pause: ['Pause'] }, analysis: { pitch: { range: 'speakr' } } };
    await new Promise((r) => setTimeout(r, 1500));
    el.config = { categories: { pause: ['Pause'] }, analysis: { pauses: { track: { category: 'pause', tag: 'pause' } } } };
    el.config = { analysis: { snap: { kinds: ['zero-crossing'] } } };
    return heard;
  });
  assert.deepEqual(messages, [
    'analysis.pitch.range: must be one of config, speaker; got "speakr" (did you mean "speaker"?)',
    'analysis.pauses.track.tag: "pause" is not a tag of "pause" (did you mean "Pause"?)',
    'analysis.snap.kinds[0]: must be one of pause, energy, zero; got "zero-crossing"',
  ]);
});

test('the bar\'s shortest pause, changed, has the worker find the pauses again and the strip drop the shorter one', async (t) => {
  const page = await openTones(t);
  await zoom(page, 0, 3);
  const before = runs(await stripColumns(page, 'pauses'));
  assert.equal(before.length, 2, 'two pauses drawn');
  const spans = await page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('analysis', function heard({ detail }) {
      if (detail.kind !== 'pauses' || el.analysis.pauses.minDuration !== 0.5) return;
      el.removeEventListener('analysis', heard);
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(el.analysis.pauses.spans)));
    });
    const field = el.shadowRoot.querySelector('.pause-min');
    field.value = '0.5';
    field.dispatchEvent(new Event('change'));
  }));
  assert.equal(spans.length, 1, `only the 0.6 s pause is at least 0.5 s: ${JSON.stringify(spans)}`);
  assert.deepEqual(runs(await stripColumns(page, 'pauses')), [before[0]], 'the strip shows it alone');
});

test('an analysis file named by the attribute is drawn from at once, then the decode\'s own analysis takes over', async (t) => {
  const cli = path.join(root, 'build/avseg-cli');
  await promisify(execFile)(cli, ['analyze', path.join(tmp, 'tones.wav'), path.join(tmp, 'tones.avsa')]);
  const page = await env.open(t, { width: 1000, height: 1000 });
  const heard = await page.evaluate(({ src, analysis, config }) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    const froms = [];
    el.addEventListener('analysis', ({ detail }) => { if (detail.kind === 'pauses') froms.push([el.analysis.pauses.from, el.ready]); });
    el.addEventListener('ready', () => setTimeout(() => resolve(froms), 200), { once: true });
    el.addEventListener('error', (e) => reject(new Error(e.detail.message)));
    el.setAttribute('autosave', 'off');
    el.setAttribute('analysis', analysis);
    el.config = config;
    el.src = src;
  }), { src: env.servers.media.url('/tones.wav'), analysis: env.servers.media.url('/tones.avsa'), config: CONFIG });
  assert.deepEqual(heard[0], ['sidecar', false], `the file's pauses first, before ready: ${JSON.stringify(heard)}`);
  assert.equal(heard.at(-1)[0], 'core', `then the decode's: ${JSON.stringify(heard)}`);
});
