// SPDX-License-Identifier: MIT
// Restoring an earlier answer: a preference whose shown side disagrees with its cmos is refused,
// since the panel shows shownCmos and resubmitting would flip which clip won.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRestorable, panelValueOf } from '../../web/src/compare-restore.js';
import { ComparisonError } from '../../web/src/comparison-doc.js';

const settings = { judgement: 'preference', criteria: [{ name: 'naturalness', scale: [1, 5] }] };
const clips = [{ system: 'tts-a', sources: ['a.wav'] }, { system: 'tts-b', sources: ['b.wav'] }];
const doc = (judgement) => ({
  format: 'avseg-comparison', version: 1, seed: 'ab12', order: [1, 0],
  clips: [{ system: 'tts-a', source: 'a.wav', ratings: {} }, { system: 'tts-b', source: 'b.wav', ratings: {} }],
  judgement,
});

test('a preference whose shownCmos, cmos and order agree is restored with the shown value', () => {
  const d = doc({ type: 'preference', cmos: 2, shownCmos: -2, preferred: 1 });
  const { order } = checkRestorable(d, { clips, settings });
  assert.equal(panelValueOf(d, order).judgement.shownCmos, -2);
});

test('a preference whose shownCmos or preferred contradicts its cmos and order is refused, naming the key', () => {
  const refused = (judgement, path, message) => assert.throws(() => checkRestorable(doc(judgement), { clips, settings }), (err) => {
    assert.ok(err instanceof ComparisonError);
    assert.equal(err.path, path);
    assert.match(err.message, message);
    assert.match(err.message, /the answer was not restored/);
    return true;
  });
  refused({ type: 'preference', cmos: 2, shownCmos: 2, preferred: 1 }, 'judgement.shownCmos', /is 2, but cmos 2 with the order \[1,0\] means -2/);
  refused({ type: 'preference', cmos: 2, shownCmos: -2, preferred: 0 }, 'judgement.preferred', /is 0, but cmos 2 means 1/);
  refused({ type: 'preference', cmos: null, shownCmos: 3, preferred: null }, 'judgement.shownCmos', /is 3, but there is no cmos/);
});

test('a partly answered preference (a reason, no cmos) is still restorable', () => {
  const d = doc({ type: 'preference', cmos: null, shownCmos: null, preferred: null, reason: 'hmm' });
  const { order } = checkRestorable(d, { clips, settings });
  assert.deepEqual(panelValueOf(d, order).judgement, { type: 'preference', shownCmos: null, reason: 'hmm' });
});
