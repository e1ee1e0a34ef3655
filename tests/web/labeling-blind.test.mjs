// SPDX-License-Identifier: MIT
// scripts/lib/labeling/blind.mjs: a stored comparison document is given back blinded only when it is this item's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { blindDocument, blindTokens } from '../../scripts/lib/labeling/blind.mjs';

const item = {
  tag: 'line-3',
  line: { id: 'task-3' },
  clips: [{ system: 'tts-a', source: 's3://b/a.wav', tag: 'line-3-0' }, { system: 'tts-b', source: 's3://b/b.wav', tag: 'line-3-1' }],
};
const secret = 'run-secret';
const stored = (systems) => ({ format: 'avseg-comparison', taskId: 'task-3', clips: systems.map((system, k) => ({ system, source: item.clips[k].source, ratings: {} })) });

test('a stored document of the item comes back with its systems as the tokens and its media opaque', () => {
  const doc = blindDocument(stored(['tts-a', 'tts-b']), item, secret);
  assert.deepEqual(doc.clips.map((c) => c.system), blindTokens(secret, item));
  assert.deepEqual(doc.clips.map((c) => c.source), ['clip:line-3-0', 'clip:line-3-1']);
});

test('a stored document whose systems are not the item\'s in the same places is not given back', () => {
  assert.equal(blindDocument(stored(['tts-b', 'tts-a']), item, secret), null, 'the systems in the other order');
  assert.equal(blindDocument(stored(['tts-a', 'tts-c']), item, secret), null, 'another system');
  assert.equal(blindDocument(stored(['tts-a']), item, secret), null, 'fewer clips');
});
