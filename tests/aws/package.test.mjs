// SPDX-License-Identifier: MIT
// scripts/package-lambdas: each zip runs on its own, with the core's model inside it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));
const exec = promisify(execFile);

test('the packaged Lambdas hold their handler, its imports and the model, and run from the unzipped folder', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-lambda-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const { stdout } = await exec(path.join(root, 'scripts/package-lambdas'));
  assert.deepEqual(stdout.trim().split('\n'), ['build/lambda/pre-annotation.zip', 'build/lambda/consolidation.zip', 'build/lambda/precompute.zip']);
  for (const name of ['pre-annotation', 'consolidation']) {
    const listing = (await exec('unzip', ['-Z1', path.join(root, 'build/lambda', `${name}.zip`)])).stdout.trim().split('\n').sort();
    assert.deepEqual(listing, [`${name}.mjs`, 'blind-systems.mjs', 'avseg-model.js', 'avseg-model.wasm', 'package.json', ...(name === 'consolidation' ? ['consolidate.mjs', 'consolidate-comparison.mjs', 'preference-stats.js'] : ['model-text-guard.js'])].sort());
    await exec('unzip', ['-q', path.join(root, 'build/lambda', `${name}.zip`), '-d', path.join(dir, name)]);
  }
  delete process.env.AVSEG_MODEL_DIR;
  const { handler } = await import(pathToFileURL(path.join(dir, 'pre-annotation/pre-annotation.mjs')).href);
  const doc = { format: 'avseg.annotation', version: 1, timebase: { rate: 1000, frames: 5000 }, tracks: [{ id: 't1', category: 'speaker', tag: 'A' }],
    segments: [{ id: 's1', track: 't1', start: 100, end: 900, fields: {} }] };
  const out = await handler({ version: '2018-10-16', labelingJobArn: 'arn', dataObject: { 'source-ref': 's3://b/a.wav', 'pre-annotations': doc } });
  assert.equal(out.taskInput.preAnnotations.segments[0].end, 900, 'the packaged model read the draft');
  const consolidation = await import(pathToFileURL(path.join(dir, 'consolidation/consolidation.mjs')).href);
  assert.equal(typeof consolidation.handler, 'function');
  // A comparison's agreement comes from the statistics packaged beside it.
  const { consolidateComparison } = await import(pathToFileURL(path.join(dir, 'consolidation/consolidate-comparison.mjs')).href);
  const stats = await import(pathToFileURL(path.join(dir, 'consolidation/preference-stats.js')).href);
  const comparison = (cmos, ratings) => ({ comparison: { format: 'avseg-comparison', version: 1, clips: ratings.map((r, i) => ({ system: `s${i}`, ratings: { q: r } })),
    judgement: { type: 'preference', cmos } }, clipDocuments: [null, null] });
  const { consensus, agreement } = consolidateComparison([comparison(2, [2, 4]), comparison(1, [2, 5])], stats);
  assert.equal(consensus.judgement.preferred, 1);
  assert.equal(agreement.fleissKappa, null, 'two workers agreeing on one item: kappa undefined');
  assert.ok(agreement.krippendorffAlpha.q > 0.8);
});
