// SPDX-License-Identifier: MIT
// scripts/export on output manifests of both shapes (a local run's raw answers, a consolidated
// job's consensus), and scripts/import feeding the pre-annotation step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { handler } from '../../scripts/aws/lambda/pre-annotation.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const node = (script, args) => promisify(execFile)(process.execPath, [path.join(root, script), ...args]);
const doc = (text) => ({ format: 'avseg.annotation', version: 1, timebase: { rate: 1000, frames: 10000 },
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }], segments: [{ id: 's1', track: 't1', start: 1500, end: 2750, fields: { text } }], classifications: {} });

test('an output manifest exports per item and per worker, or as one consensus', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-export-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const local = { 'source-ref': 'call.wav', calls: { annotationsFromAllWorkers: [
    { workerId: 'local.ada', annotationData: { content: JSON.stringify({ annotations: JSON.stringify(doc('hello')) }) } },
    { workerId: 'local.bob', annotationData: { content: JSON.stringify({ annotations: JSON.stringify(doc('hallo')) }) } },
  ] }, 'calls-metadata': { job_name: 'calls', type: 'groundTruth/custom' } };
  const cloud = { 'source-ref': 's3://b/two.mp3', calls: { consensus: doc('consensus'), workers: [] }, 'calls-metadata': { job_name: 'calls' } };
  await writeFile(path.join(dir, 'output.manifest'), `${JSON.stringify(local)}\n${JSON.stringify(cloud)}\n`);
  const { stdout } = await node('scripts/export', [path.join(dir, 'output.manifest'), '--format', 'vtt', '--out', path.join(dir, 'vtt')]);
  assert.match(stdout, /3 files/);
  const files = (await readdir(path.join(dir, 'vtt'))).sort();
  assert.deepEqual(files, ['0001-call-local.ada.vtt', '0001-call-local.bob.vtt', '0002-two-consensus.vtt']);
  assert.equal(await readFile(path.join(dir, 'vtt', files[2]), 'utf8'), 'WEBVTT\n\n00:00:01.500 --> 00:00:02.750\n<v Customer>consensus\n');
  await node('scripts/export', [path.join(dir, 'output.manifest'), '--format', 'csv', '--out', dir]);
  const csv = (await readFile(path.join(dir, 'annotations.csv'), 'utf8')).trim().split('\r\n');
  assert.equal(csv.length, 4, 'one header, three rows');
  assert.deepEqual(csv.slice(1).map((r) => r.split(',')[0]), ['call.wav', 'call.wav', 's3://b/two.mp3']);
});

test('an imported WebVTT draft reaches the task as pre-annotations', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-import-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(path.join(dir, 'draft.vtt'), 'WEBVTT\n\n00:00:00.500 --> 00:00:01.250\n<v Customer>Hello\n\n00:00:02.000 --> 00:00:03.000\n<v Representative>Hi\n');
  const { stdout } = await node('scripts/import', ['vtt', path.join(dir, 'draft.vtt'), '--rate', '48000']);
  const draft = JSON.parse(stdout);
  assert.deepEqual(draft.tracks.map((x) => x.tag), ['Customer', 'Representative']);
  assert.deepEqual(draft.segments.map((s) => [s.start, s.end, s.fields.text]), [[24000, 60000, 'Hello'], [96000, 144000, 'Hi']]);
  const out = await handler({ version: '2018-10-16', labelingJobArn: 'arn', dataObject: { 'source-ref': 's3://b/a.wav', 'pre-annotations': stdout } });
  assert.equal(out.taskInput.preAnnotations.segments.length, 2);
  await assert.rejects(node('scripts/import', ['textgrid', path.join(dir, 'draft.vtt')]), (e) => /import: .*draft\.vtt: not a TextGrid/.test(e.stderr));
});
