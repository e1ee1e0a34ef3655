// SPDX-License-Identifier: MIT
// scripts/precompute end to end on a manifest of clips made at test time: every medium gets its
// peaks and sidecar (which parse), the new manifest names them, a rerun computes nothing, a changed
// source is redone, a bad item is reported with its line and why while the rest go on; and the same
// with s3:// media and output through the loopback S3 endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
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

test('precompute reads local media only inside the media folder (no ../, absolute path, file: URL, link out of it or hidden file), and refuses an --out the local run would not serve', async (t) => {
  const top = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-root-'));
  t.after(() => rm(top, { recursive: true, force: true }));
  const dir = path.join(top, 'job');
  await mkdir(path.join(dir, '.hidden'), { recursive: true });
  await tone(path.join(top, 'private.wav'), 0.2, 150);
  await tone(path.join(dir, 'ok.wav'), 0.2, 150);
  await tone(path.join(dir, '.hidden', 'h.wav'), 0.2, 150);
  await symlink(path.join(top, 'private.wav'), path.join(dir, 'link.wav'));
  const lines = [
    { 'source-ref': '../private.wav' },
    { 'source-ref': path.join(top, 'private.wav') },
    { 'source-ref': pathToFileURL(path.join(top, 'private.wav')).href },
    { 'source-ref': 'link.wav' },
    { 'source-ref': '.hidden/h.wav' },
    { 'source-ref': 'ok.wav' },
  ];
  const manifest = path.join(dir, 'm.jsonl');
  await writeFile(manifest, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
  const run = await precompute([manifest]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /line 1: "\.\.\/private\.wav" is outside the media folder/);
  assert.match(run.stderr, /line 2: ".*private\.wav" is outside the media folder/);
  assert.match(run.stderr, /line 3: "file:.*private\.wav" is outside the media folder/);
  assert.match(run.stderr, /line 4: "link\.wav" is a link to .*private\.wav, outside the media folder/);
  assert.match(run.stderr, /line 5: "\.hidden\/h\.wav": hidden files and folders \(\.hidden\) are never served/);
  assert.match(run.stdout, /: 1 computed, 0 already done; 5 lines kept unchanged/);
  assert.equal((await readdir(path.join(dir, 'precomputed'))).length, 2, 'outputs for ok.wav only: nothing of a private file');
  // What precompute writes, the local run reads: every line it named outputs for is accepted.
  const items = await readManifest(path.join(dir, 'm.precomputed.jsonl')).catch((err) => err);
  assert.ok(!(items instanceof Error) || !/line 6/.test(items.message), String(items.message));

  // --out outside the media folder, or hidden: the local run would refuse every line, so refused up front.
  const away = await precompute([manifest, '--out', path.join(top, 'elsewhere')]);
  assert.equal(away.code, 2);
  assert.match(away.stderr, /--out .*elsewhere is outside the media folder .*job: the local run \(scripts\/run\) serves only files inside it and would refuse every line's peaks-ref and analysis-ref/);
  assert.ok(!existsSync(path.join(top, 'elsewhere')), 'nothing made');
  const hidden = await precompute([manifest, '--out', path.join(dir, '.cache/pre')]);
  assert.equal(hidden.code, 2);
  assert.match(hidden.stderr, /--out .*\.cache\/pre is in a hidden folder \(\.cache\)/);
  // With --media-root holding both, as scripts/run --media-root would serve them.
  const rooted = await precompute([manifest, '--media-root', top, '--out', path.join(top, 'elsewhere')]);
  assert.match(rooted.stdout, /: 5 computed, 0 already done; 1 line kept unchanged/, rooted.stderr);
});

test('precompute gives a video without sound its motion-only sidecar (no peaks, said), stops a medium past --timeout and removes stopped runs\' temporary files', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-robust-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=96x54:rate=25:duration=1', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', path.join(dir, 'silent.mp4')]);
  await tone(path.join(dir, 'a.wav'), 0.3, 150);
  const manifest = path.join(dir, 'm.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'silent.mp4', analysis: 'silent film' })}\n${JSON.stringify({ 'source-ref': 'a.wav' })}\n`);
  // Leftovers of a stopped run (a pid no longer alive), of a live one (this process), and a file not ours.
  const out = path.join(dir, 'precomputed');
  await mkdir(out);
  const dead = await new Promise((resolve) => { const c = spawn(process.execPath, ['-e', '']); c.on('exit', () => resolve(c.pid)); });
  const stale = [`a-0123456789abcdef.dat.part-${dead}-abc123.dat`, `a-0123456789abcdef.avsa.part-${dead}-abc123.avsa`];
  const live = `a-0123456789abcdef.avsa.part-${process.pid}-zz9zz9.avsa`;
  for (const name of [...stale, live, 'notes.part-1.txt']) await writeFile(path.join(out, name), 'x');

  const run = await precompute([manifest]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stderr, /removed 2 temporary files left in .*precomputed by runs that were stopped/);
  assert.match(run.stderr, /m\.jsonl, line 1: no peaks \(the file has video but no audio track, so no peaks were written\); the new manifest names only its analysis-ref/);
  const names = await readdir(out);
  for (const name of stale) assert.ok(!names.includes(name), `${name} removed`);
  assert.ok(names.includes(live) && names.includes('notes.part-1.txt'), 'a live run\'s and other files are kept');
  const [silent, voice] = (await readFile(path.join(dir, 'm.precomputed.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(silent['peaks-ref'], undefined);
  assert.equal(silent.analysis, 'silent film');
  const sidecar = parseAnalysisSidecar(await readFile(path.join(dir, silent['analysis-ref'])));
  assert.deepEqual([sidecar.frames, sidecar.motion.frames], [0, 25]);
  assert.match(voice['peaks-ref'], /\.dat$/);
  // The local run takes the new manifest (the silent item with its sidecar and no peaks).
  const items = await readManifest(path.join(dir, 'm.precomputed.jsonl'));
  assert.deepEqual([items[0].peaks, items[0].analysis.kind, items[1].peaks.kind], [null, 'file', 'file']);
  const again = await precompute([manifest]);
  assert.match(again.stdout, /: 0 computed, 2 already done;/);
  assert.deepEqual(JSON.parse((await readFile(path.join(dir, 'm.precomputed.jsonl'), 'utf8')).split('\n')[0]), silent);

  // A medium that takes longer than --timeout is stopped and reported; the run ends.
  const slow = await precompute([manifest, '--timeout', '0.001', '--no-pitch', '-o', path.join(dir, 'slow.jsonl')]);
  assert.equal(slow.code, 1);
  assert.match(slow.stderr, /m\.jsonl, line 1: avseg-cli analyze did not finish within 0\.001 s and was stopped/);
  const left = (await readdir(out)).filter((n) => n.includes('.part-') && n !== live && n !== 'notes.part-1.txt');
  assert.deepEqual(left, [], 'the stopped analysis left no temporary files');
});
