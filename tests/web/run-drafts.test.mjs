// SPDX-License-Identifier: MIT
// The local run's draft store (scripts/lib/labeling/drafts.mjs) on a real folder: drafts by
// annotator and item, for the user alone, and a submit's removal that spares a draft written
// after the answer arrived.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { isDraft, RunDrafts } from '../../scripts/lib/labeling/drafts.mjs';

const draft = (text, savedAt = Date.now()) => ({ text, savedAt });

test('drafts are kept per annotator and item, in folders and files for the user alone, named by hashes only', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-run-drafts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const drafts = new RunDrafts(path.join(dir, 'run.drafts'));
  await drafts.save('ann', 'item-a', draft('a by ann'));
  await drafts.save('bob', 'item-a', draft('a by bob'));
  await drafts.save('ann', '../../item-b', draft('b by ann'));
  assert.equal((await drafts.load('ann', 'item-a')).text, 'a by ann');
  assert.equal((await drafts.load('bob', 'item-a')).text, 'a by bob');
  assert.equal((await drafts.load('ann', '../../item-b')).text, 'b by ann');
  assert.equal(await drafts.load('bob', '../../item-b'), null);
  const entries = await readdir(path.join(dir, 'run.drafts'), { recursive: true, withFileTypes: true });
  for (const e of entries) {
    assert.match(e.name, /^[0-9a-f]{32}(\.json)?$/, 'no name from a request becomes a path');
    assert.equal((await stat(path.join(e.parentPath, e.name))).mode & 0o777, e.isDirectory() ? 0o700 : 0o600);
  }
  assert.equal(isDraft({ text: 'x' }), false);
  assert.equal(isDraft(draft('x')), true);
});

test('a submit removes the draft written before the answer arrived, not one written after', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-run-drafts-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const drafts = new RunDrafts(dir);
  await drafts.save('ann', 'item', draft('before'));
  await new Promise((r) => { setTimeout(r, 20); });
  const received = Date.now();
  await drafts.remove('ann', 'item', { before: received });
  assert.equal(await drafts.load('ann', 'item'), null);
  await drafts.save('ann', 'item', draft('after'));
  await drafts.remove('ann', 'item', { before: received - 1 });
  assert.equal((await drafts.load('ann', 'item')).text, 'after', 'an edit saved while the answer was stored keeps its draft');
  await drafts.remove('ann', 'item');
  assert.equal(await drafts.load('ann', 'item'), null);
});
