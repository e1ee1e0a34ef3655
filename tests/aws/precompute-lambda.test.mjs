// SPDX-License-Identifier: MIT
// The precompute Lambda from its package (scripts/package-lambdas): unzipped, run by node in a
// process of its own against the loopback S3 endpoint (the repository's pinned AWS SDK standing in
// for the runtime's), with the static avseg-cli inside: each item's peaks and sidecar land in S3
// and parse, a rerun keeps them, a medium that cannot be analysed is reported and its line kept,
// and writeManifest turns the Distributed Map's result files into the new manifest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { parseAnalysisSidecar } from '../../web/src/analysis-sidecar.js';
import { startS3Stub, stubEnv } from './s3-stub.mjs';
import { permanentProblem } from '../../scripts/aws/lambda/precompute.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

/** Calls the packaged module's export `fn` with `event` in a fresh node process, as Lambda would. */
async function invoke(dir, endpoint, fn, event) {
  const script = `const m = await import(${JSON.stringify(pathToFileURL(path.join(dir, 'precompute.mjs')).href)});
    process.stdout.write(JSON.stringify(await m.${fn}(JSON.parse(process.argv[1]))));`;
  const { stdout } = await exec(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(event)], { env: stubEnv(endpoint, { TMPDIR: dir }) });
  return JSON.parse(stdout);
}

test('the packaged precompute Lambda writes peaks and sidecars to S3 with its static CLI, keeps them on a rerun, reports a bad medium', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-lambda-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await exec(path.join(root, 'scripts/package-lambdas'));
  const pkg = path.join(dir, 'pkg');
  await exec('unzip', ['-q', path.join(root, 'build/lambda/precompute.zip'), '-d', pkg]);
  const listing = (await exec('unzip', ['-Z1', path.join(root, 'build/lambda/precompute.zip')])).stdout.trim().split('\n').sort();
  assert.deepEqual(listing, ['avseg-cli', 'package.json', 'precompute-item.mjs', 'precompute.mjs']);
  assert.match((await exec('file', ['-b', path.join(pkg, 'avseg-cli')])).stdout, /statically linked/, 'runs on Amazon Linux 2023 whatever its glibc');
  await assert.rejects(exec('ldd', [path.join(pkg, 'avseg-cli')]), (err) => /not a dynamic executable/.test(err.stdout + err.stderr));
  // The runtime provides the AWS SDK; here the repository's pinned one stands in.
  await symlink(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));

  const wav = path.join(dir, 'voice.wav');
  await exec('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', wav, 'synth', '0.8', 'sawtooth', '140', 'vol', '0.3', ':', 'synth', '0.5', 'sine', '0', 'vol', '0', ':', 'synth', '0.7', 'sawtooth', '180', 'vol', '0.3']);
  const mp4 = path.join(dir, 'cut.mp4');
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=128x72:rate=25:duration=1', '-f', 'lavfi', '-i', 'smptebars=size=128x72:rate=25:duration=1',
    '-f', 'lavfi', '-i', 'sine=frequency=300:duration=2', '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-map', '2:a',
    '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', mp4]);
  const objects = new Map([
    ['media/calls/voice.wav', { body: await readFile(wav), headers: {} }],
    ['media/cut.mp4', { body: await readFile(mp4), headers: {} }],
    ['media/broken.mp3', { body: Buffer.from('this is not an mp3 file at all, only text'.repeat(40)), headers: {} }],
  ]);
  const s3 = await startS3Stub(objects);
  t.after(() => s3.close());

  const output = 's3://media/precomputed/';
  const items = [
    { line: { 'source-ref': 's3://media/calls/voice.wav', 'call-id': 'C-1' }, index: 0, output },
    { line: { prompt: 'which?', clips: [{ 'source-ref': 's3://media/cut.mp4', system: 'a' }, { 'source-ref': 's3://media/calls/voice.wav', system: 'b' }] }, index: 1, output },
    { line: { 'source-ref': 's3://media/broken.mp3' }, index: 2, output },
    { line: { 'source-ref': 's3://media/nothing-here.wav' }, index: 3, output },
    { line: { 'source-ref': 'calls/local.wav' }, index: 4, output },
  ];
  const results = [];
  for (const item of items) results.push(await invoke(pkg, s3.endpoint, 'handler', item));

  const [voice, comparison, broken, missing, local] = results;
  assert.equal(voice.index, 0);
  assert.equal(voice.line['call-id'], 'C-1', 'the line\'s other fields pass through');
  assert.match(voice.line['analysis-ref'], /^s3:\/\/media\/precomputed\/voice-[0-9a-f]{16}\.avsa$/);
  assert.equal(voice.line['peaks-ref'], voice.line['analysis-ref'].replace(/\.avsa$/, '.dat'));
  const stored = (uri) => objects.get(uri.slice('s3://'.length)).body;
  const sidecar = parseAnalysisSidecar(stored(voice.line['analysis-ref']));
  assert.equal(sidecar.sampleRate, 16000);
  assert.equal(sidecar.frames, 32000);
  assert.ok(sidecar.pauses.pauses.some((p) => Math.abs(p.start - 12800) < 160 && Math.abs(p.end - 20800) < 160), JSON.stringify(sidecar.pauses.pauses));
  assert.equal(stored(voice.line['peaks-ref']).readInt32LE(0), 2, 'audiowaveform .dat version 2');
  assert.equal(objects.get(voice.line['analysis-ref'].slice(5)).headers['content-type'], 'application/vnd.avseg.analysis');
  // A comparison's clips each get theirs; the video's sidecar has its cut.
  assert.equal(comparison.line.clips[1]['analysis-ref'], voice.line['analysis-ref'], 'the same medium, the same outputs');
  assert.deepEqual(comparison.line.clips.map((c) => c.system), ['a', 'b']);
  // The video's motion and cuts as the packaged CLI's own motion scan finds them.
  const scanned = JSON.parse((await exec(path.join(pkg, 'avseg-cli'), ['motion', mp4])).stdout);
  const motion = parseAnalysisSidecar(stored(comparison.line.clips[0]['analysis-ref'])).motion;
  assert.equal(motion.frames, 50);
  assert.deepEqual([motion.cuts, motion.jerks], [scanned.cuts, scanned.jerks]);
  assert.deepEqual(Array.from(motion.motion, (v) => v.toFixed(5)), scanned.motion.map((v) => v.toFixed(5)));
  assert.equal(comparison.kept, 1, 'the voice was done already');
  // Bad media: reported, the line unchanged, nothing written.
  assert.deepEqual(broken.line, items[2].line);
  assert.match(broken.error, /^s3:\/\/media\/broken\.mp3: (unsupported-format|corrupt-media): /);
  assert.equal(missing.error, 's3://media/nothing-here.wav does not exist');
  assert.equal(local.error, '"calls/local.wav": the Lambda reads s3:// media only');
  assert.ok(![...objects.keys()].some((k) => k.includes('broken-')), 'no outputs for a medium that failed');

  // A rerun reads nothing and writes nothing: the outputs are there for the same ETag.
  const before = s3.requests.length;
  const again = await invoke(pkg, s3.endpoint, 'handler', items[0]);
  assert.deepEqual(again.line, voice.line);
  assert.equal(again.kept, 1);
  assert.deepEqual(s3.requests.slice(before).map((r) => r.method), ['HEAD', 'HEAD', 'HEAD']);
  // A changed source is computed again, under a new name.
  objects.set('media/calls/voice.wav', { body: Buffer.concat([objects.get('media/calls/voice.wav').body, Buffer.alloc(3200)]), headers: {} });
  const changed = await invoke(pkg, s3.endpoint, 'handler', items[0]);
  assert.notEqual(changed.line['analysis-ref'], voice.line['analysis-ref']);
  assert.equal(changed.computed, 1);

  // S3 out of reach is thrown, not reported: the state machine's Retry runs the item again.
  await assert.rejects(invoke(pkg, 'http://127.0.0.1:9', 'handler', items[0]), (err) => {
    assert.match(err.stderr, /Error: cannot look at s3:\/\/media\/calls\/voice\.wav: /);
    return true;
  });

  // writeManifest: the Map's ResultWriter files (as Step Functions writes them) into the new manifest, in order.
  const run = (item, result) => ({ Input: JSON.stringify(item), Output: JSON.stringify(result), Status: 'SUCCEEDED' });
  const put = (key, value) => objects.set(`media/${key}`, { body: Buffer.from(JSON.stringify(value)), headers: {} });
  put('results/run-1/SUCCEEDED_0.json', [run(items[1], comparison), run(items[0], voice), run(items[2], broken)]);
  put('results/run-1/FAILED_0.json', [{ Input: JSON.stringify(items[3]), Error: 'Lambda.Unknown', Cause: 'timed out', Status: 'FAILED' }]);
  put('results/run-1/manifest.json', { DestinationBucket: 'media', MapRunArn: 'arn:aws:states:us-east-1:123456789012:mapRun:x', ResultFiles: {
    FAILED: [{ Key: 'results/run-1/FAILED_0.json', Size: 1 }], PENDING: [], SUCCEEDED: [{ Key: 'results/run-1/SUCCEEDED_0.json', Size: 1 }] } });
  const summary = await invoke(pkg, s3.endpoint, 'writeManifest', { results: { Bucket: 'media', Key: 'results/run-1/manifest.json' }, newManifest: 's3://media/jobs/new.manifest' });
  assert.equal(summary.lines, 4);
  assert.equal(summary.failed, 2);
  assert.deepEqual(summary.problems.map((p) => p.index), [2, 3]);
  assert.match(summary.problems[1].error, /^Lambda\.Unknown: timed out$/);
  const manifest = objects.get('media/jobs/new.manifest').body.toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(manifest, [voice.line, comparison.line, items[2].line, items[3].line]);
});

test('the packaged Lambda gives a video without sound its motion-only sidecar and no peaks; S3 refusing access or no room in /tmp is the item\'s error, not retried; a failed Map gets a report', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-lambda-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const zip = path.join(root, 'build/lambda/precompute.zip');
  if (!existsSync(zip)) await exec(path.join(root, 'scripts/package-lambdas'));
  const pkg = path.join(dir, 'pkg');
  await exec('unzip', ['-q', zip, '-d', pkg]);
  await symlink(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
  const mp4 = path.join(dir, 'silent.mp4');
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=128x72:rate=25:duration=1', '-f', 'lavfi', '-i', 'smptebars=size=128x72:rate=25:duration=1',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-an', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', mp4]);
  const wav = path.join(dir, 'a.wav');
  await exec('sox', ['-n', '-r', '16000', '-c', '1', '-b', '16', wav, 'synth', '0.3', 'sawtooth', '140', 'vol', '0.3']);
  const objects = new Map([
    ['media/silent.mp4', { body: await readFile(mp4), headers: {} }],
    ['media/a.wav', { body: await readFile(wav), headers: {} }],
    ['private/b.wav', { body: await readFile(wav), headers: {} }],
  ]);
  const s3 = await startS3Stub(objects, { deny: (method, bucket, key) => bucket === 'private' || (method === 'PUT' && key.startsWith('readonly/')) });
  t.after(() => s3.close());

  const silent = await invoke(pkg, s3.endpoint, 'handler', { line: { 'source-ref': 's3://media/silent.mp4', analysis: 'no sound at all' }, index: 0, output: 's3://media/pre/' });
  assert.equal(silent.error, undefined, JSON.stringify(silent));
  assert.equal(silent.line['peaks-ref'], undefined, 'no peaks for a video without sound');
  assert.equal(silent.line.analysis, 'no sound at all', 'the line\'s own "analysis" field is kept');
  const sidecar = parseAnalysisSidecar(objects.get(silent.line['analysis-ref'].slice(5)).body);
  assert.deepEqual([sidecar.sampleRate, sidecar.frames, sidecar.motion.frames, sidecar.pauses], [1, 0, 50, undefined]);
  assert.ok(![...objects.keys()].some((k) => k.endsWith('.dat')));
  const again = await invoke(pkg, s3.endpoint, 'handler', { line: { 'source-ref': 's3://media/silent.mp4' }, index: 0, output: 's3://media/pre/' });
  assert.deepEqual([again.kept, again.line['analysis-ref'], again.line['peaks-ref']], [1, silent.line['analysis-ref'], undefined], 'found done by its sidecar');

  // Refused access: reported for the item (another try would be refused again), nothing thrown.
  const source = await invoke(pkg, s3.endpoint, 'handler', { line: { 'source-ref': 's3://private/b.wav' }, index: 1, output: 's3://media/pre/' });
  assert.match(source.error, /^s3:\/\/private\/b\.wav: access refused: /);
  const put = await invoke(pkg, s3.endpoint, 'handler', { line: { 'source-ref': 's3://media/a.wav' }, index: 2, output: 's3://media/readonly/' });
  assert.match(put.error, /^s3:\/\/media\/a\.wav: access refused: .*AccessDenied/);
  assert.deepEqual(put.line, { 'source-ref': 's3://media/a.wav' });

  // The state machine's Catch on a failed Map: a report beside the manifests, naming the error and where the outputs are.
  const failure = { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'The specified tolerated failure threshold was exceeded' };
  const reported = await invoke(pkg, s3.endpoint, 'writeManifest', { failure, report: 's3://media/manifests/run-2.failed.json', outputs: 's3://media/pre/' });
  const stored = JSON.parse(objects.get('media/manifests/run-2.failed.json').body.toString());
  assert.deepEqual(stored, { failed: true, error: failure.Error, cause: failure.Cause, outputs: 's3://media/pre/', rerun: stored.rerun });
  assert.match(stored.rerun, /outputs already written are kept/);
  assert.equal(reported.report, 's3://media/manifests/run-2.failed.json');

  // No room left: a real ENOSPC (writing to /dev/full) is the item's; a network failure is not.
  const full = await writeFile('/dev/full', Buffer.alloc(4096)).then(() => null, (err) => err);
  assert.equal(full?.code, 'ENOSPC');
  assert.match(permanentProblem(full), /^no room left in .* \(ENOSPC\)/);
  assert.match(permanentProblem(new Error(`cannot read s3://m/a.wav: ${full.message}`)), /ENOSPC/);
  assert.equal(permanentProblem(new Error('cannot look at s3://m/a.wav: TimeoutError: socket hang up')), null);
  assert.equal(permanentProblem(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })), null);
});
