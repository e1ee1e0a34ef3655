// SPDX-License-Identifier: MIT
// scripts/precompute end to end on a manifest of clips made at test time: every medium gets its
// peaks and sidecar (which parse), the new manifest names them, a rerun computes nothing, a changed
// source is redone, a bad item is reported with its line and why while the rest go on; and the same
// with s3:// media and output through the loopback S3 endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAnalysisSidecar } from '../../web/src/analysis-sidecar.js';
import { startS3Stub, stubEnv } from './s3-stub.mjs';
import { readManifest } from '../../scripts/lib/labeling/manifest.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/** Runs scripts/precompute; resolves {code, stdout, stderr} whatever the exit code. */
function precompute(args, env = process.env) {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'scripts/precompute'), ...args], { env }, (err, stdout, stderr) => resolve({ code: err ? err.code : 0, stdout, stderr }));
  });
}

const tone = (file, seconds, hz) => exec('sox', ['-n', '-r', '22050', '-c', '1', '-b', '16', file, 'synth', String(seconds), 'sawtooth', String(hz), 'vol', '0.3', ':',
  'synth', '0.4', 'sine', '0', 'vol', '0', ':', 'synth', String(seconds), 'sawtooth', String(hz * 1.2), 'vol', '0.3']);

test('precompute writes peaks and sidecars for every medium of a manifest, resumes, redoes a changed source and reports a bad item', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(path.join(dir, 'clips'));
  for (let i = 0; i < 4; i++) await tone(path.join(dir, 'clips', `c${i}.wav`), 0.5 + 0.1 * i, 120 + 20 * i);
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x54:rate=25:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=200:duration=1',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(dir, 'clips', 'v.mp4')]);
  await writeFile(path.join(dir, 'clips', 'broken.mp3'), 'not an mp3 at all\n'.repeat(100));
  const lines = [
    { 'source-ref': 'clips/c0.wav', transcription: 'zero', analysis: 'the speaker hesitates twice' },
    { 'source-ref': 'clips/c1.wav' },
    { 'source-ref': 'clips/broken.mp3' },
    '{"source-ref": "clips/c2.wav"',
    { prompt: 'which is better?', clips: [{ 'source-ref': 'clips/c3.wav', system: 'a' }, { 'source-ref': 'clips/v.mp4', system: 'b' }] },
    { 'source-ref': 'clips/absent.wav' },
    { 'call-id': 7 },
  ];
  const manifest = path.join(dir, 'job.manifest');
  await writeFile(manifest, `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`);

  const first = await precompute([manifest, '--jobs', '2', '--min-pause', '0.3']);
  assert.equal(first.code, 1, 'some lines had problems');
  const problems = first.stderr.trim().split('\n');
  assert.equal(problems.length, 4, first.stderr);
  assert.match(first.stderr, /job\.manifest, line 4: not valid JSON/);
  assert.match(first.stderr, /job\.manifest, line 7: no media: give "source-ref"/);
  assert.match(first.stderr, /job\.manifest, line 3: (unsupported-format|corrupt-media): /);
  assert.match(first.stderr, /job\.manifest, line 6: the media file .*clips\/absent\.wav does not exist/);
  assert.match(first.stdout, /^precompute: 6 media in 7 lines: 4 computed, 0 already done; 4 lines kept unchanged for the problems above; new manifest /);

  const out = (await readFile(path.join(dir, 'job.precomputed.manifest'), 'utf8')).trim().split('\n');
  assert.equal(out.length, 7, 'every line is in the new manifest, in order');
  const parsed = out.map((l) => { try { return JSON.parse(l); } catch { return l; } });
  assert.equal(parsed[0].transcription, 'zero', 'other fields pass through');
  assert.equal(parsed[0].analysis, 'the speaker hesitates twice', 'a plain "analysis" field is the manifest\'s own: kept beside analysis-ref');
  assert.deepEqual(parsed[2], lines[2], 'a bad line is kept as it was');
  assert.equal(parsed[3], lines[3]);
  for (const target of [parsed[0], parsed[1], ...parsed[4].clips]) {
    assert.match(target['analysis-ref'], /^precomputed\/c\d|^precomputed\/v-/);
    const sidecar = parseAnalysisSidecar(await readFile(path.join(dir, target['analysis-ref'])));
    assert.equal(sidecar.pauses.minDuration, 0.3, 'the options reach the CLI');
    const peaks = await readFile(path.join(dir, target['peaks-ref']));
    assert.equal(peaks.readInt32LE(0), 2);
    assert.equal(peaks.readInt32LE(8), sidecar.sampleRate);
  }
  assert.equal(parseAnalysisSidecar(await readFile(path.join(dir, parsed[4].clips[1]['analysis-ref']))).motion.frames, 25);
  const c0 = parseAnalysisSidecar(await readFile(path.join(dir, parsed[0]['analysis-ref'])));
  assert.ok(c0.pauses.pauses.some((p) => Math.abs(p.start - 11025) < 221 && Math.abs(p.end - 19845) < 221), JSON.stringify(c0.pauses.pauses));
  const files = await readdir(path.join(dir, 'precomputed'));
  assert.equal(files.length, 8, `four media, two files each, no temporary leftovers: ${files}`);

  // A rerun computes nothing; a changed source is redone under a new name; the rest is kept.
  const second = await precompute([manifest, '--min-pause', '0.3']);
  assert.match(second.stdout, /: 0 computed, 4 already done;/);
  assert.deepEqual((await readFile(path.join(dir, 'job.precomputed.manifest'), 'utf8')).trim().split('\n'), out);
  await tone(path.join(dir, 'clips', 'c1.wav'), 0.9, 150);
  const third = await precompute([manifest, '--min-pause', '0.3', '-o', path.join(dir, 'again.jsonl')]);
  assert.match(third.stdout, /: 1 computed, 3 already done;/);
  const again = (await readFile(path.join(dir, 'again.jsonl'), 'utf8')).trim().split('\n');
  assert.notEqual(JSON.parse(again[1])['analysis-ref'], parsed[1]['analysis-ref']);
  // Other options are other outputs.
  const fourth = await precompute([manifest, '--no-pitch', '-o', path.join(dir, 'nopitch.jsonl')]);
  assert.match(fourth.stdout, /: 4 computed, 0 already done;/);
  assert.equal(parseAnalysisSidecar(await readFile(path.join(dir, JSON.parse((await readFile(path.join(dir, 'nopitch.jsonl'), 'utf8')).split('\n')[0])['analysis-ref']))).pitch, undefined);
  // A new manifest in another folder would lose the relative media paths: refused before anything runs.
  const away = await precompute([manifest, '-o', path.join(dir, 'clips', 'away.jsonl')]);
  assert.equal(away.code, 2);
  assert.match(away.stderr, /-o .*clips\/away\.jsonl: the manifest names media relative to its folder \("clips\/c0\.wav"\), so the new manifest must be in that folder too/);
});

test('precompute reads s3:// media and writes its outputs and manifest refs to S3', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-s3-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await tone(path.join(dir, 'a.wav'), 0.6, 130);
  const objects = new Map([['in/calls/a.wav', { body: await readFile(path.join(dir, 'a.wav')), headers: {} }]]);
  const s3 = await startS3Stub(objects);
  t.after(() => s3.close());
  const manifest = path.join(dir, 'm.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 's3://in/calls/a.wav' })}\n${JSON.stringify({ 'source-ref': 's3://in/calls/gone.wav' })}\n`);
  const env = stubEnv(s3.endpoint);
  const run = await precompute([manifest, '--out', 's3://out/pre/'], env);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /m\.jsonl, line 2: s3:\/\/in\/calls\/gone\.wav does not exist/);
  const line = JSON.parse((await readFile(path.join(dir, 'm.precomputed.jsonl'), 'utf8')).split('\n')[0]);
  assert.match(line['analysis-ref'], /^s3:\/\/out\/pre\/a-[0-9a-f]{16}\.avsa$/);
  assert.equal(parseAnalysisSidecar(objects.get(line['analysis-ref'].slice(5)).body).frames, 35280);
  assert.ok(objects.has(line['peaks-ref'].slice(5)));
  const again = await precompute([manifest, '--out', 's3://out/pre/'], env);
  assert.match(again.stdout, /: 0 computed, 1 already done;/);
  const bad = await precompute([manifest, '--out', 's3://out'], env);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--out s3:\/\/out: an S3 output is s3:\/\/bucket\/ or s3:\/\/bucket\/prefix\/ \(ending in \/\)/);
});

test('a medium named twice that cannot be analysed fails each line naming it, never giving one of them outputs', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-twice-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await tone(path.join(dir, 'good.wav'), 0.3, 150);
  await writeFile(path.join(dir, 'bad.mp3'), 'not an mp3 at all\n'.repeat(100));
  const lines = [{ 'source-ref': 'bad.mp3' }, { clips: [{ 'source-ref': 'bad.mp3', system: 'a' }, { 'source-ref': 'good.wav', system: 'b' }] }];
  await writeFile(path.join(dir, 'm.jsonl'), `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const run = await precompute([path.join(dir, 'm.jsonl')]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /m\.jsonl, line 1: (unsupported-format|corrupt-media): /);
  assert.match(run.stderr, /m\.jsonl, line 2, clip 1: (unsupported-format|corrupt-media): /);
  assert.deepEqual((await readFile(path.join(dir, 'm.precomputed.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)), lines);
});

test('the local run reads a line whose plain "analysis" field is text: kept as the line\'s own, no sidecar', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-analysis-field-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await tone(path.join(dir, 'speech.wav'), 0.2, 150);
  await writeFile(path.join(dir, 'm.jsonl'), '{"source-ref":"speech.wav","analysis":"the speaker hesitates twice"}\n');
  const [item] = await readManifest(path.join(dir, 'm.jsonl'));
  assert.equal(item.analysis, null);
  assert.equal(item.line.analysis, 'the speaker hesitates twice');
  await writeFile(path.join(dir, 'c.jsonl'), `${JSON.stringify({ clips: [{ 'source-ref': 'speech.wav', system: 'a', analysis: 'slow' }, { 'source-ref': 'speech.wav', system: 'b' }] })}\n`);
  const [comparison] = await readManifest(path.join(dir, 'c.jsonl'));
  assert.equal(comparison.clips[0].analysis, null);
});
