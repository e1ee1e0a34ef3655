// SPDX-License-Identifier: MIT
// scripts/export --format preferences | mos | cmos on comparison answers where scripts/export finds
// answers: a Ground Truth output manifest (inline answers, a referenced worker-response file) and a
// local run's output folder; what cannot be read is named and the rest is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildComparison } from '../../web/src/comparison-doc.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exportCli = (args) => promisify(execFile)(process.execPath, [path.join(root, 'scripts/export'), ...args]);
const failing = (args) => exportCli(args).then(() => assert.fail('expected exit status 1'), (err) => err);

const annotation = (url, segments = []) => ({
  format: 'avseg.annotation', version: 1, media: { url }, timebase: { rate: 16000, frames: 160000 },
  tracks: [{ id: 't1', category: 'issue', tag: 'unnatural pause' }],
  segments: segments.map(([start, end], k) => ({ id: `s${k + 1}`, track: 't1', start, end, fields: { note: `pause ${k + 1}` } })),
  classifications: {},
});

/** A comparison of tts-a and tts-b by `annotator`: shown order, CMOS as set, naturalness per shown clip. */
const comparison = (annotator, order, shownCmos, shownRatings) => buildComparison({
  prompt: 'Hello there.', taskId: 'utt-1', annotator, seed: '1f', order,
  clips: [
    { system: 'tts-a', source: 's3://gen/a.wav', annotation: annotation('s3://gen/a.wav', [[8000, 12000]]) },
    { system: 'tts-b', source: 's3://gen/b.wav', annotation: annotation('s3://gen/b.wav') },
  ],
  panel: { ratings: shownRatings.map((naturalness) => ({ naturalness })), judgement: { type: 'preference', shownCmos, reason: 'a pause' } },
  timings: { openedAt: '2026-11-30T02:00:00.000Z', submittedAt: '2026-11-30T02:01:00.000Z', switches: 3, loops: 0 },
});

const line = { clips: [{ 'source-ref': 's3://gen/a.wav', system: 'tts-a' }, { 'source-ref': 's3://gen/b.wav', system: 'tts-b' }], prompt: 'Hello there.', id: 'utt-1' };
const metadata = { 'job_name': 'j', type: 'groundTruth/custom', 'human-annotated': 'yes' };
const answerOf = (doc) => ({ comparison: JSON.stringify(doc) });

test('an output manifest\'s comparisons export as preference pairs, MOS and CMOS tables', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-cmp-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  // ann-1: shown [1, 0], shown B (tts-a) slightly worse: tts-b preferred, cmos +1.
  // ann-2: shown [0, 1], B (tts-b) much better: cmos +3. ann-3 (a referenced worker-response file): tie.
  const docs = [comparison('ann-1', [1, 0], -1, [4, 3]), comparison('ann-2', [0, 1], 3, [2, 5]), comparison('ann-3', [1, 0], 0, [4, 4])];
  await writeFile(path.join(dir, 'ann-3.json'), JSON.stringify({ answers: [{ workerId: 'w-3', answerContent: answerOf(docs[2]) }] }));
  const manifest = [
    { ...line, cmp: { annotationsFromAllWorkers: [
      { workerId: 'w-1', annotationData: { content: JSON.stringify(answerOf(docs[0])) } },
      { workerId: 'w-2', annotationData: { content: JSON.stringify(answerOf(docs[1])) } },
      { workerId: 'w-3', annotationData: { s3Uri: 'ann-3.json' } },
    ] }, 'cmp-metadata': metadata },
  ];
  await writeFile(path.join(dir, 'output.manifest'), manifest.map((l) => JSON.stringify(l)).join('\n'));
  const out = path.join(dir, 'out');

  const { stdout } = await exportCli([path.join(dir, 'output.manifest'), '--format', 'preferences', '--out', out]);
  assert.match(stdout, /export: 2 pairs from 3 comparisons in .*preferences\.jsonl/);
  const pairs = (await readFile(path.join(out, 'preferences.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  // annotator is the host's worker id (what the report counts by); the document's own (a per-browser id in Ground Truth) is kept beside it.
  assert.deepEqual(pairs.map((p) => [p.annotator, p.documentAnnotator, p.chosen.system, p.rejected.system, p.strength, p.tie]), [['w-1', 'ann-1', 'tts-b', 'tts-a', 1, false], ['w-2', 'ann-2', 'tts-b', 'tts-a', 3, false]]);
  assert.equal(pairs[0].prompt, 'Hello there.');
  assert.equal(pairs[0].taskId, 'utt-1');
  assert.equal(pairs[0].judgementReason, 'a pause');
  assert.deepEqual(pairs[0].reasons, {
    chosen: [],
    rejected: [{ track: { category: 'issue', tag: 'unnatural pause' }, start: 0.5, end: 0.75, startPosition: 8000, endPosition: 12000, rate: 16000, label: 'pause 1', fields: { note: 'pause 1' } }],
  });

  await exportCli([path.join(dir, 'output.manifest'), '--format', 'preferences', '--ties', '--out', out]);
  const withTies = (await readFile(path.join(out, 'preferences.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(withTies.map((p) => [p.annotator, p.tie, p.strength]), [['w-1', false, 1], ['w-2', false, 3], ['w-3', true, 0]]);

  await exportCli([path.join(dir, 'output.manifest'), '--format', 'mos', '--out', out]);
  // tts-a: 3, 2, 4 (mean 3, sd 1, half-width 2.484138); tts-b: 4, 5, 4 (mean 13/3, sd 0.57735, half-width 1.434218).
  assert.equal(await readFile(path.join(out, 'mos.csv'), 'utf8'), [
    'system,criterion,n,mean,ci95_low,ci95_high',
    'tts-a,naturalness,3,3,0.515862,5.484138',
    'tts-b,naturalness,3,4.333333,2.899116,5.767551',
  ].map((l) => `${l}\r\n`).join(''));

  await exportCli([path.join(dir, 'output.manifest'), '--format', 'cmos', '--out', out]);
  // tts-b against tts-a: +1, +3, 0: mean 4/3, sd 1.527525, half-width 4.302653 × 1.527525 / √3 = 3.794583.
  assert.equal(await readFile(path.join(out, 'cmos.csv'), 'utf8'), [
    'system_a,system_b,n,mean,ci95_low,ci95_high,wins,ties,losses',
    'tts-a,tts-b,3,1.333333,-2.46125,5.127916,2,1,0',
  ].map((l) => `${l}\r\n`).join(''));
});

test('a local run\'s output folder exports too; unreadable answers are named and the rest written (status 1)', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-cmp-run-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const responses = path.join(dir, 'annotations/worker-response/iteration-1');
  await mkdir(path.join(responses, '0'), { recursive: true });
  await mkdir(path.join(responses, '1'), { recursive: true });
  const local = (worker, answerContent) => ({ workerId: `local.${worker}`, answerContent, workerMetadata: { identityData: { sub: worker } } });
  await writeFile(path.join(responses, '0/20261130T020000.json'), JSON.stringify({ answers: [local('ann-1', answerOf(comparison('ann-1', [0, 1], 2, [2, 4])))] }));
  await writeFile(path.join(responses, '1/20261130T020100.json'), JSON.stringify({ answers: [local('ann-2', { comparison: '{"format": "avseg-comparison"' })] }));
  const out = path.join(dir, 'out');
  const err = await failing([dir, '--format', 'preferences', '--out', out]);
  assert.equal(err.code, 1);
  assert.match(err.stdout, /export: 1 pair from 1 comparison in/);
  assert.match(err.stderr, /export: not exported: .*1[/\\]20261130T020100\.json, worker ann-2: .*not JSON/);
  const [pair] = (await readFile(path.join(out, 'preferences.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual([pair.chosen.system, pair.strength, pair.annotator], ['tts-b', 2, 'ann-1']);
});

test('a consolidated line without its workers\' answers, or no input, is named', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-cmp-bad-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'output.manifest'), JSON.stringify({ ...line, cmp: { consensus: { format: 'avseg-comparison-consensus' } }, 'cmp-metadata': metadata }));
  const err = await failing([path.join(dir, 'output.manifest'), '--format', 'mos', '--out', dir]);
  assert.match(err.stderr, /line 1: the line holds only a consolidated answer, not each worker's/);
  assert.equal(await readFile(path.join(dir, 'mos.csv'), 'utf8'), 'system,criterion,n,mean,ci95_low,ci95_high\r\n');
  const missing = await failing([path.join(dir, 'nothing.manifest'), '--format', 'cmos', '--out', dir]);
  assert.match(missing.stderr, /export: .*nothing\.manifest: no such file or folder/);
});

test('preference records escape U+2028 and U+2029, so a line splitter (Python\'s str.splitlines) keeps each record whole', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-cmp-ls-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const doc = comparison('ann-1', [0, 1], 2, [2, 4]);
  doc.prompt = 'line\u2028separator';
  doc.judgement.reason = 'paragraph\u2029separator';
  const manifest = { ...line, cmp: { annotationsFromAllWorkers: [{ workerId: 'w-1', annotationData: { content: JSON.stringify(answerOf(doc)) } }] }, 'cmp-metadata': metadata };
  await writeFile(path.join(dir, 'output.manifest'), JSON.stringify(manifest));
  const out = path.join(dir, 'out');
  await exportCli([path.join(dir, 'output.manifest'), '--format', 'preferences', '--out', out]);
  const text = await readFile(path.join(out, 'preferences.jsonl'), 'utf8');
  assert.doesNotMatch(text, /[\u2028\u2029]/, 'no raw separator');
  assert.match(text, /"prompt":"line\\u2028separator"/);
  const records = (await promisify(execFile)('python3', ['-c', 'import sys, json; print(json.dumps([json.loads(l) for l in open(sys.argv[1], encoding="utf-8").read().splitlines()]))', path.join(out, 'preferences.jsonl')])).stdout;
  const [pair, ...rest] = JSON.parse(records);
  assert.equal(rest.length, 0);
  assert.equal(pair.prompt, 'line\u2028separator');
  assert.equal(pair.judgementReason, 'paragraph\u2029separator');
});

test('a preference given only as "preferred" (no cmos) is refused and named by every export, as the report refuses it', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-cmp-pref-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const good = comparison('ann-1', [0, 1], 2, [2, 4]);
  const bare = { ...comparison('ann-2', [0, 1], 2, [2, 4]), judgement: { type: 'preference', preferred: 1 } };
  const manifest = { ...line, cmp: { annotationsFromAllWorkers: [good, bare].map((d, w) => ({ workerId: `w-${w + 1}`, annotationData: { content: JSON.stringify(answerOf(d)) } })) }, 'cmp-metadata': metadata };
  await writeFile(path.join(dir, 'output.manifest'), JSON.stringify(manifest));
  for (const format of ['preferences', 'cmos']) {
    const err = await failing([path.join(dir, 'output.manifest'), '--format', format, '--out', path.join(dir, format)]);
    assert.equal(err.code, 1);
    assert.match(err.stderr, /worker w-2: .*the preference is not answered \(no "cmos"; "preferred" alone/, format);
  }
  const pairs = (await readFile(path.join(dir, 'preferences', 'preferences.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(pairs.map((p) => p.annotator), ['w-1']);
  const cmos = await readFile(path.join(dir, 'cmos', 'cmos.csv'), 'utf8');
  assert.match(cmos.split('\r\n')[1], /^tts-a,tts-b,1,2,/);
});
