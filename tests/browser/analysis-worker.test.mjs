// SPDX-License-Identifier: MIT
// The worker's analyses (worker-analysis.js) through the element's client (core-client.js) in
// headless Chromium: speech made by espeak-ng and joined by sox with silences of known lengths, an
// EBU-style tone, served by a real server. Pauses (to the sample, within 5 ms), the energy envelope
// and EBU R128 loudness arrive with `ready` and equal avseg-cli's; pitch for a window comes before
// the rest of the file, the pieces join into the whole grid and the worker keeps answering; a
// boundary snaps to a pause edge, an energy minimum or a zero crossing; new options, the speaker's
// range, a video's motion; a precomputed analysis file sent at once, or refused as invalid-analysis;
// a file read in place refined without synchronous requests; in a classic worker and on the page's
// own thread too.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root, startElementPage } from './harness.mjs';

const run = promisify(execFile);
const RATE = 48000;
const TOLERANCE = RATE * 5 / 1000;   // 5 ms
const GAPS = [0.3, 0.55, 0.8];
const TONE_SECONDS = 60;       // seconds of digital silence between the utterances
const LINES = ['the quick brown fox', 'jumps over the lazy dog', 'pack my box with', 'five dozen jugs'];

let tmp, env, cliSpeech;
const truth = [];   // the inserted pauses, frames [start, end)

const frames = async (file) => Number((await run('soxi', ['-s', file])).stdout.trim());

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-worker-'));
  const at = (name) => path.join(tmp, name);
  const parts = [];
  let offset = 0;
  for (const [i, line] of LINES.entries()) {
    await run('espeak-ng', ['-v', 'en', '-w', at(`raw${i}.wav`), line]);
    // The utterance from its first sample of at least 0.1 % of full scale to its last.
    await run('sox', ['-R', '-D', '-V1', at(`raw${i}.wav`), '-r', String(RATE), '-b', '16', '-c', '1', at(`line${i}.wav`),
      'rate', '-v', 'silence', '1', '0', '0.1%', 'reverse', 'silence', '1', '0', '0.1%', 'reverse']);
    parts.push(at(`line${i}.wav`));
    offset += await frames(at(`line${i}.wav`));
    if (i < GAPS.length) {
      const gap = Math.round(GAPS[i] * RATE);
      await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', at(`gap${i}.wav`), 'trim', '0', `${gap}s`]);
      parts.push(at(`gap${i}.wav`));
      truth.push({ start: offset, end: offset + gap });
      offset += gap;
    }
  }
  await run('sox', ['-D', ...parts, at('speech.wav')]);
  // EBU Tech 3341's first case: a 1 kHz sine at -23 dBFS in both channels reads -23.0 LUFS.
  await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '24', '-c', '2', at('tone.wav'), 'synth', '20', 'sine', '1000', 'vol', '-23dB']);
  // The speech twelve times over (9 MB): read in place in a window of the file, not whole.
  await run('sox', ['-D', ...Array(12).fill(at('speech.wav')), at('long-speech.wav')]);
  // A steady 220 Hz for pitch: a minute, so the whole file takes many idle slices.
  await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', at('a220.wav'), 'synth', String(TONE_SECONDS), 'sine', '220', 'vol', '0.5']);
  // The same analyses computed natively, as precomputed files (doc/analysis-format.md).
  const cli = path.join(root, 'build/avseg-cli');
  cliSpeech = JSON.parse((await run(cli, ['analyze', at('speech.wav'), at('speech.avsa')])).stdout);
  await run(cli, ['analyze', at('tone.wav'), at('tone.avsa')]);
  // A file cut short, as a failed upload leaves it.
  await writeFile(at('cut.avsa'), (await readFile(at('speech.avsa'))).subarray(0, 100));
  env = await startElementPage({ title: 'avseg analysis worker', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * In the page: a CoreClient (the element's) loading `name`, recording every message; on the page's
 * own thread when `pageThread` (no Worker can be made). Resolves once the load is ready.
 */
async function openClient(t, name, { pageThread = false, classic = false, window: win = null, options = null, sidecar = null, rangeThreshold } = {}) {
  const page = await env.open(t, { width: 800, height: 600 });
  await page.evaluate(async ({ assets, media, pageThread, classic, win, options, sidecar, rangeThreshold }) => {
    if (pageThread) window.Worker = class { constructor() { throw new Error('no workers on this page'); } };
    const Native = window.Worker;
    if (classic) {
      window.Worker = class extends Native {
        constructor(url, opts) {
          if (opts?.type === 'module') throw new Error('no module workers on this page');
          super(url, opts);
        }
      };
    }
    const { CoreClient } = await import(`${assets}/core-client.js`);
    window.heard = [];
    let ready;
    window.ready = new Promise((resolve) => { ready = resolve; });
    window.client = new CoreClient((msg) => {
      window.heard.push({ ...msg, at: window.heard.length });
      if (msg.type === 'ready') ready(msg);
      if (msg.type === 'error' && msg.fatal) ready(msg);
    }, (start) => { window.thread = start.thread; });
    window.client.load(1, media, rangeThreshold, undefined, { analysis: sidecar, analysisOptions: options });
    if (win) window.client.analyze(1, win[0], win[1]);
  }, { assets: env.servers.assets.url('').replace(/\/$/, ''), media: env.servers.media.url(`/${name}`), pageThread, classic, win, options,
    sidecar: sidecar && env.servers.media.url(`/${sidecar}`), rangeThreshold });
  const ready = await page.evaluate(() => window.ready);
  assert.equal(ready.type, 'ready', ready.message);
  return page;
}

/** The `analysis` messages heard so far (typed arrays as plain arrays). */
const analyses = (page) => page.evaluate(() => window.heard.filter((m) => m.type === 'analysis').map((m) => {
  const out = {};
  for (const [k, v] of Object.entries(m)) out[k] = ArrayBuffer.isView(v) ? Array.from(v) : v;
  return out;
}));

/** The index of `ready` among the messages heard. */
const readyAt = (page) => page.evaluate(() => window.heard.find((m) => m.type === 'ready').at);

function assertPauses(found) {
  for (const t of truth) {
    const hit = found.find((p) => p.start < t.end && t.start < p.end);
    assert.ok(hit, `the pause [${t.start}, ${t.end}) is found`);
    assert.ok(Math.abs(hit.start - t.start) <= TOLERANCE && Math.abs(hit.end - t.end) <= TOLERANCE,
      `pause [${t.start}, ${t.end}) found as [${hit.start}, ${hit.end}): within 5 ms`);
  }
  assert.equal(found.length, truth.length, `no other pauses: ${JSON.stringify(found)}`);
}

test('pauses to within 5 ms, the energy envelope and the loudness arrive, final, before ready', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const readyIndex = await readyAt(page);
  const all = await analyses(page);
  const final = (kind) => all.find((m) => m.kind === kind && m.final && m.from === 'core');
  for (const kind of ['pauses', 'energy', 'loudness']) {
    assert.ok(final(kind), `a final ${kind} analysis`);
    assert.ok(final(kind).at < readyIndex, `${kind} before ready`);
  }
  const pauses = final('pauses');
  assert.equal(pauses.sampleRate, RATE);
  assert.equal(pauses.thresholdDb, -30);
  assertPauses(pauses.pauses);
  const energy = final('energy');
  const total = truth.at(-1).end;   // well inside the file
  assert.equal(energy.hop, RATE / 1000);
  assert.ok(energy.levels.length * energy.hop >= total);
  // Inside a pause the envelope is digital silence; in speech far above it.
  const mid = Math.floor((truth[1].start + truth[1].end) / 2 / energy.hop);
  assert.ok(energy.levels[mid] <= -140, `silence reads ${energy.levels[mid]} dBFS`);
  assert.ok(Math.max(...energy.levels.slice(0, Math.floor(truth[0].start / energy.hop))) > -30);
  const loudness = final('loudness');
  assert.equal(loudness.stepFrames, RATE / 10);
  assert.ok(loudness.integrated < -5 && loudness.integrated > -50, `speech at ${loudness.integrated} LUFS`);
});

test('a -23 dBFS 1 kHz stereo sine reads -23.0 LUFS integrated and momentary, and -26.0 dBFS in the envelope', async (t) => {
  const page = await openClient(t, 'tone.wav');
  const all = await analyses(page);
  const loudness = all.find((m) => m.kind === 'loudness' && m.final);
  assert.ok(Math.abs(loudness.integrated + 23) <= 0.1, `integrated ${loudness.integrated} LUFS`);
  assert.equal(loudness.momentary.length, 200);
  for (const m of loudness.momentary.slice(5)) assert.ok(Math.abs(m + 23) <= 0.1, `momentary ${m} LUFS`);
  for (const s of loudness.shortTerm.slice(30)) assert.ok(Math.abs(s + 23) <= 0.1, `short-term ${s} LUFS`);
  assert.deepEqual(loudness.jumps, []);
  const energy = all.find((m) => m.kind === 'energy' && m.final);
  // The mean square of a sine is half its peak's square: -23 - 3.01 dB.
  for (const level of energy.levels.slice(10, -10)) assert.ok(Math.abs(level + 26.01) <= 0.1, `envelope ${level} dBFS`);
  const pauses = all.find((m) => m.kind === 'pauses' && m.final);
  assert.deepEqual(pauses.pauses, [], 'a steady tone has no pause');
});

/** Waits for the final pitch piece; returns every core pitch message in order. */
async function pitchPieces(page) {
  await page.waitForFunction(() => window.heard.some((m) => m.type === 'analysis' && m.kind === 'pitch' && m.final), null, { timeout: 60000 });
  return (await analyses(page)).filter((m) => m.kind === 'pitch');
}

/** Until the window's grid points are all there, no piece lies outside the window. */
function assertWindowFirst(pieces, win) {
  const { hop } = pieces[0];
  const [from, to] = [Math.ceil(win[0] / hop), Math.ceil(win[1] / hop)];
  const covered = new Set();
  for (const p of pieces) {
    const inside = p.firstIndex >= from && p.firstIndex + p.hz.length <= to;
    if (covered.size < to - from) assert.ok(inside, `piece [${p.firstIndex}, ${p.firstIndex + p.hz.length}) comes after the window [${from}, ${to})`);
    if (inside) for (let i = 0; i < p.hz.length; i++) covered.add(p.firstIndex + i);
  }
  assert.equal(covered.size, to - from, 'the window is covered');
}

/** The pieces written into one grid: every index exactly once. */
function joined(pieces, length) {
  const hz = new Float32Array(length);
  const seen = new Uint8Array(length);
  for (const p of pieces) {
    p.hz.forEach((v, i) => {
      assert.equal(seen[p.firstIndex + i], 0, `grid index ${p.firstIndex + i} written once`);
      seen[p.firstIndex + i] = 1;
      hz[p.firstIndex + i] = v;
    });
  }
  assert.equal(seen.indexOf(0), -1, 'every grid index written');
  return hz;
}

test('pitch for the window asked comes first, then the rest of the file in pieces that join into the whole grid', async (t) => {
  const win = [10 * RATE, 11 * RATE];
  const page = await openClient(t, 'a220.wav', { window: win });
  // While the whole file's pitch is computed, the worker answers at once (idle slices of a few ms).
  const answers = await page.evaluate(async () => {
    const waits = [];
    const started = performance.now();
    while (!window.heard.some((m) => m.type === 'analysis' && m.kind === 'pitch' && m.final)) {
      const asked = performance.now();
      await window.client.stats();
      waits.push(performance.now() - asked);
    }
    return { waits, ms: performance.now() - started };
  });
  console.log(`pitch of ${TONE_SECONDS} s in ${Math.round(answers.ms)} ms after ready; ${answers.waits.length} stats answered meanwhile, the slowest in ${Math.round(Math.max(...answers.waits))} ms`);
  // (Computed in one go, the pass would let one or two answers through, each waiting for all of it.)
  assert.ok(answers.waits.length >= 5, `the worker answered ${answers.waits.length} times while the pitch was computed`);
  const sorted = answers.waits.sort((a, b) => a - b);
  assert.ok(sorted[Math.floor(sorted.length / 2)] < 50, `half the answers within 50 ms: ${sorted.map(Math.round)}`);
  const pieces = await pitchPieces(page);
  const { hop } = pieces[0];
  assert.equal(hop, RATE / 1000, 'a hop of 1 ms');
  assertWindowFirst(pieces, win);
  assert.ok(pieces.length > 2, `the whole file came in several pieces (${pieces.length})`);
  assert.equal(pieces.filter((p) => p.final).length, 1, 'one final piece, the last');
  assert.ok(pieces.at(-1).final);
  const hz = joined(pieces, TONE_SECONDS * RATE / hop);
  // Away from the ends (where the window reaches past the file) 220 Hz within 1 %.
  for (let i = 100; i < hz.length - 100; i += 97) assert.ok(Math.abs(hz[i] - 220) <= 2.2, `grid ${i}: ${hz[i]} Hz`);
});

test('a boundary snaps to the nearest pause edge, and to a zero crossing', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const pauses = (await analyses(page)).find((m) => m.kind === 'pauses' && m.final).pauses;
  const edge = pauses[1].start;
  const snapped = await page.evaluate(({ frame, radius }) => window.client.snap(1, frame, radius, ['pause']), { frame: edge + 700, radius: 2400 });
  assert.deepEqual(snapped, { frame: edge, kind: 'pause' });
  const far = await page.evaluate(({ frame }) => window.client.snap(1, frame, 100, ['pause']), { frame: edge + 5000 });
  assert.equal(far, null, 'nothing within reach');
  // In speech, the quietest point of the envelope within reach.
  const inSpeech = Math.floor(truth[0].start / 2);
  const quiet = await page.evaluate(({ frame }) => window.client.snap(1, frame, 4800, ['energy']), { frame: inSpeech });
  assert.equal(quiet.kind, 'energy');
  assert.ok(Math.abs(quiet.frame - inSpeech) <= 4800);
  const energy = (await analyses(page)).find((m) => m.kind === 'energy' && m.final);
  const block = (f) => energy.levels[Math.floor(f / energy.hop)];
  for (let f = inSpeech - 4800; f <= inSpeech + 4800; f += energy.hop) assert.ok(block(quiet.frame) <= block(f) + 1e-6, `no quieter block than ${quiet.frame}'s at ${f}`);
  const tone = await openClient(t, 'tone.wav');
  // sin(2 pi 1000 n / 48000) crosses zero every 24 frames.
  const zero = await tone.evaluate(() => window.client.snap(1, 48000 + 7, 20, ['zero']));
  assert.equal(zero.kind, 'zero');
  const phase = ((zero.frame % 24) + 24) % 24;
  assert.ok(phase <= 1 || phase >= 23, `a zero crossing at frame ${zero.frame}`);
});

test('on the page\'s own thread, pauses arrive before ready and pitch for a window first', async (t) => {
  const win = [RATE, 2 * RATE];
  const page = await openClient(t, 'speech.wav', { pageThread: true, window: win });
  assert.equal(await page.evaluate(() => window.thread), 'page');
  const readyIndex = await readyAt(page);
  const pauses = (await analyses(page)).find((m) => m.kind === 'pauses' && m.final);
  assert.ok(pauses.at < readyIndex);
  assertPauses(pauses.pauses);
  assertWindowFirst(await pitchPieces(page), win);
  const snapped = await page.evaluate(({ frame }) => window.client.snap(1, frame, 2400, ['pause']), { frame: pauses.pauses[0].end - 300 });
  assert.deepEqual(snapped, { frame: pauses.pauses[0].end, kind: 'pause' });
});

test('in a classic worker (worker.classic.js), the same: pauses before ready, pitch for a window first, a snap', async (t) => {
  const win = [RATE, 2 * RATE];
  const page = await openClient(t, 'speech.wav', { classic: true, window: win });
  assert.equal(await page.evaluate(() => window.thread), 'classic-worker');
  const pauses = (await analyses(page)).find((m) => m.kind === 'pauses' && m.final);
  assert.ok(pauses.at < await readyAt(page));
  assertPauses(pauses.pauses);
  assertWindowFirst(await pitchPieces(page), win);
  const snapped = await page.evaluate(({ frame }) => window.client.snap(1, frame, 2400, ['pause']), { frame: pauses.pauses[2].start + 500 });
  assert.deepEqual(snapped, { frame: pauses.pauses[2].start, kind: 'pause' });
});

test('the core\'s pauses and loudness in the worker are the native CLI\'s', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const all = await analyses(page);
  const pauses = all.find((m) => m.kind === 'pauses' && m.final);
  const loudness = all.find((m) => m.kind === 'loudness' && m.final);
  assert.equal(pauses.pauses.length, cliSpeech.pauses);
  assert.ok(Math.abs(pauses.speechLevelDb - cliSpeech.speechLevelDb) < 0.01);
  assert.ok(Math.abs(loudness.integrated - cliSpeech.integratedLufs) < 0.01, `${loudness.integrated} against ${cliSpeech.integratedLufs} LUFS`);
});

test('a precomputed analysis file is sent at once, then the core\'s own results replace it; its pitch spares the pitch pass', async (t) => {
  const page = await openClient(t, 'speech.wav', { sidecar: 'speech.avsa', window: [RATE, 2 * RATE] });
  const readyIndex = await readyAt(page);
  const all = await analyses(page);
  for (const kind of ['pauses', 'energy', 'loudness', 'pitch']) {
    const sidecar = all.find((m) => m.kind === kind && m.from === 'sidecar');
    assert.ok(sidecar, `the file's ${kind}`);
    assert.ok(sidecar.at < readyIndex, `the file's ${kind} before ready`);
  }
  const sidecarPauses = all.find((m) => m.kind === 'pauses' && m.from === 'sidecar');
  const corePauses = all.find((m) => m.kind === 'pauses' && m.from === 'core' && m.final);
  assert.ok(corePauses.at > sidecarPauses.at, 'the core\'s pauses come after the file\'s');
  assert.deepEqual(corePauses.pauses, sidecarPauses.pauses, 'the same pauses, natively and in the worker');
  assertPauses(sidecarPauses.pauses);
  const pitch = all.find((m) => m.kind === 'pitch' && m.from === 'sidecar');
  assert.equal(pitch.hz.length, Math.ceil(cliSpeech.frames / pitch.hop));
  // Asked for a window, the worker computes no pitch: the file's covers the media.
  await new Promise((resolve) => { setTimeout(resolve, 1000); });
  assert.deepEqual((await analyses(page)).filter((m) => m.kind === 'pitch' && m.from === 'core'), []);
  const errors = await page.evaluate(() => window.heard.filter((m) => m.type === 'error'));
  assert.deepEqual(errors, []);
});

test('an analysis file that cannot be fetched, is damaged or is another media\'s is said as invalid-analysis, and the core\'s analysis stands', async (t) => {
  for (const [sidecar, why] of [['status/404/speech.avsa', /HTTP 404/], ['cut.avsa', /analysis sidecar: /], ['tone.avsa', /does not match the media/]]) {
    const page = await openClient(t, 'speech.wav', { sidecar });
    const errors = await page.evaluate(() => window.heard.filter((m) => m.type === 'error'));
    assert.equal(errors.length, 1, JSON.stringify(errors));
    assert.equal(errors[0].code, 'invalid-analysis');
    assert.equal(errors[0].fatal, false);
    assert.match(errors[0].message, /^The precomputed analysis \(http:\/\/127\.0\.0\.1:\d+\) /);
    assert.match(errors[0].message, why);
    const pauses = (await analyses(page)).find((m) => m.kind === 'pauses' && m.from === 'core' && m.final);
    assertPauses(pauses.pauses);
  }
});

test('new options find the pauses again: a longer minimum leaves the short pause out', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const before = await page.evaluate(() => window.heard.length);
  await page.evaluate(() => window.client.analysisOptions(1, { pauses: { thresholdDb: -30, minDuration: 0.45 } }));
  await page.waitForFunction((n) => window.heard.slice(n).some((m) => m.type === 'analysis' && m.kind === 'pauses'), before);
  const again = (await analyses(page)).filter((m) => m.kind === 'pauses' && m.at >= before);
  assert.equal(again.length, 1);
  assert.equal(again[0].final, true);
  assert.equal(again[0].minDuration, 0.45);
  const long = truth.filter((p) => p.end - p.start >= 0.45 * RATE);
  assert.equal(again[0].pauses.length, long.length);
  for (const [i, p] of long.entries()) assert.ok(Math.abs(again[0].pauses[i].start - p.start) <= TOLERANCE && Math.abs(again[0].pauses[i].end - p.end) <= TOLERANCE);
});

test('pitch in the speaker\'s range: a wide pass first, then the window and the file in the range it found', async (t) => {
  const win = [RATE, 2 * RATE];
  const page = await openClient(t, 'speech.wav', { window: win, options: { pitch: { floorHz: 50, ceilingHz: 800, range: 'speaker' } } });
  const pieces = await pitchPieces(page);
  assertWindowFirst(pieces, win);
  const { floorHz, ceilingHz } = pieces[0];
  assert.ok(floorHz > 50 || ceilingHz < 800, `the speaker's range ${floorHz}-${ceilingHz} Hz is narrower than 50-800`);
  assert.ok(pieces.every((p) => p.floorHz === floorHz && p.ceilingHz === ceilingHz));
  joined(pieces, Math.ceil((await frames(path.join(tmp, 'speech.wav'))) / pieces[0].hop));
});

test('pictures of a video\'s frames, sent out of order, give its motion and the cut where the picture changes', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const motion = await page.evaluate(async () => {
    const [w, h, n, cut] = [32, 18, 60, 40];
    // A gradient moving a pixel a frame, then another scene (inverted and brighter) from frame `cut` on.
    const picture = (f) => {
      const luma = new Uint8Array(w * h);
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) luma[y * w + x] = f < cut ? (x * 6 + f) & 255 : 255 - ((y * 12 + f) & 127);
      return luma;
    };
    const batch = (first, count) => {
      const luma = new Uint8Array(w * h * count);
      for (let i = 0; i < count; i++) luma.set(picture(first + i), i * w * h);
      return { first, count, width: w, height: h, luma: luma.buffer };
    };
    const done = new Promise((resolve) => {
      const timer = setInterval(() => {
        const m = window.heard.find((x) => x.type === 'analysis' && x.kind === 'motion' && x.final);
        if (m) { clearInterval(timer); resolve({ ...m, motion: Array.from(m.motion) }); }
      }, 20);
    });
    window.client.motionFrames(1, batch(20, 25));
    window.client.motionFrames(1, batch(0, 20));
    window.client.motionFrames(1, batch(40, 20));   // overlaps the one before: frames 40-44 taken once
    window.client.motionFrames(1, { done: true });
    return done;
  });
  assert.equal(motion.from, 'core');
  assert.equal(motion.frames, 60);
  assert.equal(motion.motion.length, 60);
  assert.deepEqual(motion.cuts, [40]);
  assert.ok(motion.motion[40] > 5 * motion.motion[30], `the cut's motion ${motion.motion[40]} against ${motion.motion[30]}`);
});

test('a file read in place: pause edges are refined to the sample from bytes fetched ahead, without synchronous requests', async (t) => {
  const page = await openClient(t, 'long-speech.wav', { rangeThreshold: 1 << 20 });
  const all = await analyses(page);
  const pauses = all.find((m) => m.kind === 'pauses' && m.final).pauses;
  const length = await frames(path.join(tmp, 'speech.wav'));
  const expected = Array.from({ length: 12 }, (_, k) => truth.map((p) => ({ start: p.start + k * length, end: p.end + k * length }))).flat();
  assert.equal(pauses.length, expected.length, JSON.stringify(pauses));
  for (const [i, p] of expected.entries()) {
    assert.ok(Math.abs(pauses[i].start - p.start) <= TOLERANCE && Math.abs(pauses[i].end - p.end) <= TOLERANCE,
      `pause ${i} [${p.start}, ${p.end}) found as [${pauses[i].start}, ${pauses[i].end})`);
  }
  // The edges before the end were let go by the cache as the decode passed them: fetched again,
  // asynchronously, before the core refined them (the load's last progress is said before that).
  const load = await page.evaluate(() => window.heard.filter((m) => m.type === 'progress').at(-1));
  const stats = await page.evaluate(() => window.client.stats());
  assert.ok(stats.remote, 'read in place');
  assert.ok(stats.remote.requests > load.requests, `the edges fetched: ${stats.remote.requests} requests, ${load.requests} by the load`);
  // The frame indexer (load-video-index.js) opens a WAV too, to find it has no video: one synchronous
  // read of the head at most; the analysis' own decoders (the edges', the waveform's) add none.
  assert.ok(stats.remote.syncRequests <= load.syncRequests + 1, `synchronous requests: ${JSON.stringify(stats.remote)}, ${load.syncRequests} by the load`);
});

test('pictures of another size stop the motion where it got to, said as invalid-value', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const out = await page.evaluate(async () => {
    const batch = (first, count, w, h) => ({ first, count, width: w, height: h, luma: new Uint8Array(w * h * count).fill(first).buffer });
    window.client.motionFrames(1, batch(0, 10, 32, 18));
    window.client.motionFrames(1, batch(10, 5, 16, 9));
    window.client.motionFrames(1, { done: true });
    for (;;) {
      const motion = window.heard.find((m) => m.type === 'analysis' && m.kind === 'motion' && m.final);
      const error = window.heard.find((m) => m.type === 'error');
      if (motion && error) return { frames: motion.frames, error };
      await new Promise((resolve) => { setTimeout(resolve, 20); });
    }
  });
  assert.equal(out.frames, 10);
  assert.equal(out.error.code, 'invalid-value');
  assert.equal(out.error.fatal, false);
  assert.match(out.error.message, /stops at frame 10: its pictures \(16×9, 5 frames, 720 bytes\) do not fit/);
});

test('pictures with fewer bytes than they claim stop the motion where it got to (final), said as invalid-value', async (t) => {
  const page = await openClient(t, 'speech.wav');
  const out = await page.evaluate(async () => {
    const luma = (first, count, w, h) => new Uint8Array(w * h * count).fill(first).buffer;
    window.client.motionFrames(1, { first: 0, count: 10, width: 32, height: 18, luma: luma(0, 10, 32, 18) });
    // Says 5 pictures, holds 2.
    window.client.motionFrames(1, { first: 10, count: 5, width: 32, height: 18, luma: luma(10, 2, 32, 18) });
    const deadline = performance.now() + 10000;
    while (performance.now() < deadline) {
      const motion = window.heard.find((m) => m.type === 'analysis' && m.kind === 'motion' && m.final);
      const error = window.heard.find((m) => m.type === 'error');
      if (motion && error) return { frames: motion.frames, error };
      await new Promise((resolve) => { setTimeout(resolve, 20); });
    }
    return { heard: window.heard.filter((m) => m.type === 'error' || m.kind === 'motion') };
  });
  assert.equal(out.frames, 10, JSON.stringify(out));
  assert.equal(out.error.code, 'invalid-value');
  assert.match(out.error.message, /stops at frame 10: its pictures \(32×18, 5 frames, 1152 bytes\) are fewer bytes than/);
});
