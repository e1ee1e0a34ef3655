// SPDX-License-Identifier: MIT
// The element's analyses belong to the media loaded now (analysis-data.js, worker-analysis.js,
// load-session.js, motion-scan.js): a second load while the first video's motion is scanned gets only
// its own motion; a precomputed analysis file found to be another media's (by its length once
// decoded, or by its energy envelope) is dropped with what came from it and pitch is computed; a file
// whose pitch was found in another range than the config's, or on a grid finer than the core's, is
// not used for pitch. Speech made by espeak-ng, tones by sox, videos by ffmpeg, the files by avseg-cli.
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
const cli = path.join(root, 'build/avseg-cli');
let tmp, env;
const at = (name) => path.join(tmp, name);

/** The sidecar `from` with its JSON header changed by `edit` (padded to the same length, so the arrays stay where they are). */
async function editHeader(from, to, edit) {
  const bytes = await readFile(from);
  const length = bytes.readUInt32LE(12);
  const header = JSON.parse(bytes.subarray(16, 16 + length).toString('utf8'));
  edit(header);
  const text = JSON.stringify(header);
  assert.ok(text.length <= length, 'the edited header fits in place');
  bytes.write(text.padEnd(length, ' '), 16, 'utf8');
  await writeFile(to, bytes);
}

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-reload-'));
  await run('espeak-ng', ['-v', 'en', '-w', at('raw.wav'), 'the quick brown fox jumps over the lazy dog, pack my box with five dozen jugs']);
  await run('sox', ['-R', '-D', '-V1', at('raw.wav'), '-r', String(RATE), '-b', '16', '-c', '1', at('speech.wav')]);
  const frames = Number((await run('soxi', ['-s', at('speech.wav')])).stdout.trim());
  // Another sound of exactly the speech's length (only its envelope tells them apart), and one half a second longer.
  await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', at('same-length.wav'), 'synth', `${frames}s`, 'sine', '220', 'vol', '0.3']);
  await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', at('longer.wav'), 'synth', `${frames + RATE / 2}s`, 'sine', '220', 'vol', '0.3']);
  await run(cli, ['analyze', at('speech.wav'), at('speech.avsa')]);
  await run(cli, ['analyze', at('speech.wav'), at('speech-100-300.avsa'), '--pitch-floor', '100', '--pitch-ceiling', '300']);
  await editHeader(at('speech.avsa'), at('hop-1.avsa'), (h) => { h.pitch.hop = 1; });
  await run(path.join(root, 'tests/fixtures/make-motion-video.sh'), ['25', at('cuts.mp4')]);
  await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=gray:s=320x180:r=25', '-frames:v', '100',
    '-c:v', 'libx264', '-g', '12', '-pix_fmt', 'yuv420p', at('still.mp4')]);
  await run(cli, ['analyze', at('cuts.mp4'), at('cuts.avsa')]);
  env = await startElementPage({ title: 'analysis reload', mediaRoot: tmp });
});

after(async () => {
  await env?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/**
 * Opens `src` with `sidecar` and `config`; resolves once its pitch is final with the element's
 * errors, which pitch was shown (`from` at each pitch event) and the final pitch.
 */
async function openAudio(t, src, sidecar, config) {
  const page = await env.open(t, { width: 1000, height: 900 });
  await page.evaluate(({ src, sidecar, config }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    window.errors = [];
    window.pitchFrom = [];
    el.addEventListener('error', (e) => window.errors.push(e.detail));
    el.addEventListener('analysis', (e) => { if (e.detail.kind === 'pitch') window.pitchFrom.push(el.analysis.pitch?.from); });
    el.addEventListener('ready', resolve, { once: true });
    el.setAttribute('autosave', 'off');
    el.config = config;
    el.setAttribute('analysis', sidecar);
    el.src = src;
  }), { src: env.servers.media.url(`/${src}`), sidecar: env.servers.media.url(`/${sidecar}`), config });
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.pitch?.final, null, { timeout: 60000 });
  const result = await page.evaluate(() => {
    const a = document.querySelector('avseg-editor').analysis;
    const p = a.pitch;
    return {
      errors: window.errors, pitchFrom: window.pitchFrom,
      pitch: { from: p.from, floorHz: p.floorHz, ceilingHz: p.ceilingHz, hop: p.hop, length: p.hz.length, voiced: Array.from(p.hz).filter((v) => v > 0).length },
      pauses: a.pauses && { from: a.pauses.from, final: a.pauses.final },
    };
  });
  t.diagnostic(JSON.stringify({ ...result, errors: result.errors.map((e) => `${e.code}: ${e.message}`), pitchFrom: [...new Set(result.pitchFrom)] }));
  return { page, ...result };
}

const PITCH = { categories: [{ name: 'speaker', tags: ['A'] }], analysis: { show: ['pitch', 'pauses'] } };

test('the media\'s own analysis file is used for pitch (no invalid-analysis): the checks below refuse only other media\'s', async (t) => {
  const { errors, pitch } = await openAudio(t, 'speech.wav', 'speech.avsa', PITCH);
  assert.deepEqual(errors.filter((e) => e.code === 'invalid-analysis'), []);
  assert.equal(pitch.from, 'sidecar');
});

test('a file found to be another media\'s only once decoded (its length): its pitch is dropped and computed for this media', async (t) => {
  const { errors, pitch, pauses } = await openAudio(t, 'longer.wav', 'speech.avsa', PITCH);
  assert.ok(errors.some((e) => e.code === 'invalid-analysis' && /does not match the media/.test(e.message)), 'said as invalid-analysis');
  assert.equal(pitch.from, 'core', 'the other media\'s pitch is not kept');
  assert.equal(pauses.from, 'core');
  // The tone is voiced all along: the speech's pitch had gaps.
  assert.ok(pitch.voiced > 0.9 * pitch.length, `a 220 Hz tone is voiced nearly everywhere (${pitch.voiced} of ${pitch.length})`);
});

test('a file of another media of exactly the same length is told by its energy envelope, dropped, and said', async (t) => {
  const { errors, pitch } = await openAudio(t, 'same-length.wav', 'speech.avsa', PITCH);
  const said = errors.filter((e) => e.code === 'invalid-analysis');
  assert.equal(said.length, 1, 'said once');
  assert.match(said[0].message, /energy level at block \d+/);
  assert.equal(pitch.from, 'core');
});

test('the config\'s pitch range is used when the file\'s pitch was found in another; a file made in that range is used', async (t) => {
  const config = { ...PITCH, analysis: { ...PITCH.analysis, pitch: { floorHz: 100, ceilingHz: 300 } } };
  const other = await openAudio(t, 'speech.wav', 'speech.avsa', config);
  assert.equal(other.pitch.from, 'core');
  assert.deepEqual([other.pitch.floorHz, other.pitch.ceilingHz], [100, 300]);
  assert.ok(!other.pitchFrom.includes('sidecar'), 'the file\'s 50-800 Hz pitch is never shown');
  const same = await openAudio(t, 'speech.wav', 'speech-100-300.avsa', config);
  assert.equal(same.pitch.from, 'sidecar');
  assert.deepEqual([same.pitch.floorHz, same.pitch.ceilingHz], [100, 300]);
});

test('a file whose pitch grid is one frame a point is refused as invalid-analysis (the page would hold an array as long as the samples)', async (t) => {
  const { errors, pitch } = await openAudio(t, 'speech.wav', 'hop-1.avsa', PITCH);
  assert.ok(errors.some((e) => e.code === 'invalid-analysis' && /pitch hop is 1 frames/.test(e.message)));
  assert.equal(pitch.from, 'core');
  assert.equal(pitch.hop, RATE / 1000);
});

test('a second load while the first video\'s motion is scanned gets only its own motion; the first one\'s cuts are never offered', async (t) => {
  const page = await env.open(t, { width: 1000, height: 1200 });
  await page.evaluate((src) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    window.motions = [];
    el.addEventListener('analysis', (e) => {
      const m = el.analysis.motion;
      if (e.detail.kind === 'motion' && m) window.motions.push({ src: el.src, frames: m.frames, cuts: m.cuts.map((c) => c.frame), final: m.final });
    });
    el.addEventListener('ready', resolve, { once: true });
    el.setAttribute('autosave', 'off');
    el.config = { categories: [{ name: 'shot', tags: ['Shot'] }], analysis: { show: ['motion'] } };
    el.src = src;
  }), env.servers.media.url('/cuts.mp4'));
  // Mid-scan: some frames sent to the worker, more in hand.
  await page.waitForFunction(() => {
    const label = document.querySelector('avseg-editor').shadowRoot.querySelector('.analysis-strip[data-kind="motion"] .analysis-label')?.textContent ?? '';
    const m = /(\d+) of (\d+)/.exec(label);
    return m && Number(m[1]) >= 20 && Number(m[1]) < Number(m[2]);
  }, null, { timeout: 60000, polling: 5 });
  await page.evaluate((src) => { document.querySelector('avseg-editor').src = src; }, env.servers.media.url('/still.mp4'));
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.motion?.final, null, { timeout: 90000 });
  // Anything of the first scan still on its way has come by now.
  await page.waitForTimeout(1000);
  const { motion, motions, count } = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const m = el.analysis.motion;
    return { motion: { frames: m.frames, cuts: m.cuts.map((c) => c.frame) }, motions: window.motions, count: el.frames?.count ?? null };
  });
  t.diagnostic(JSON.stringify({ motion, count, motions: motions.map((m) => `${m.src.split('/').pop()} ${m.frames} frames, cuts ${m.cuts}, ${m.final ? 'final' : 'piece'}`) }));
  assert.equal(motion.frames, 100, 'the still video\'s 100 frames');
  assert.deepEqual(motion.cuts, [], 'a still video has no cuts');
  const second = motions.filter((m) => m.src.endsWith('/still.mp4'));
  assert.ok(second.length > 0);
  for (const m of second) {
    assert.ok(m.frames <= 100, `no motion of more frames than the still video's (${m.frames})`);
    assert.deepEqual(m.cuts, [], 'no cut of the first video is offered');
  }
});

test('a file\'s motion for another number of frames than the video\'s is refused as invalid-analysis; the video\'s own is measured', async (t) => {
  const page = await env.open(t, { width: 1000, height: 1200 });
  await page.evaluate(({ src, sidecar }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    window.errors = [];
    window.motions = [];
    el.addEventListener('error', (e) => window.errors.push(e.detail));
    el.addEventListener('analysis', (e) => { if (e.detail.kind === 'motion' && el.analysis.motion) window.motions.push(el.analysis.motion.frames); });
    el.addEventListener('ready', resolve, { once: true });
    el.setAttribute('autosave', 'off');
    el.config = { categories: [{ name: 'shot', tags: ['Shot'] }], analysis: { show: ['motion'] } };
    el.setAttribute('analysis', sidecar);
    el.src = src;
  }), { src: env.servers.media.url('/still.mp4'), sidecar: env.servers.media.url('/cuts.avsa') });
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.motion?.final, null, { timeout: 90000 });
  const { motion, errors, motions } = await page.evaluate(() => {
    const m = document.querySelector('avseg-editor').analysis.motion;
    return { motion: { frames: m.frames, from: m.from, cuts: m.cuts.map((c) => c.frame) }, errors: window.errors, motions: window.motions };
  });
  t.diagnostic(JSON.stringify({ motion, motions, errors: errors.map((e) => `${e.code}: ${e.message}`) }));
  assert.ok(errors.some((e) => e.code === 'invalid-analysis' && /218 frames, the video has 100/.test(e.message)));
  assert.deepEqual(motion, { frames: 100, from: 'core', cuts: [] });
});
