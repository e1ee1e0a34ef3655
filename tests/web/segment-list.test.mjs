// SPDX-License-Identifier: MIT
// What the segment list shows of a segment's answers: enough to review a whole call from the
// list, as the AWS sample's table does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldsSummary } from '../../web/src/segment-list.js';

const config = [
  { name: 'text', label: 'Transcription', type: 'text' },
  { name: 'emotion', label: 'Emotion', type: 'choice' },
  { name: 'issues', label: 'Issues', type: 'multi' },
  { name: 'naturalness', label: 'Naturalness', type: 'rating' },
  { name: 'clipped', label: 'Clipped', type: 'boolean' },
];

test('every answer in the config\'s order: a transcription by its first line, the chosen emotion, options, a rating and a boolean with their labels', () => {
  const fields = { emotion: 'Worried', clipped: false, naturalness: 4, issues: ['skipped word', 'wrong stress'], text: 'Hello, I would like\nto ask about my bill' };
  assert.equal(fieldsSummary(fields, config), 'Hello, I would like … · Worried · skipped word, wrong stress · Naturalness 4 · Clipped: no');
});

test('unanswered fields are left out; a text starting with a blank line shows its first written line; fields the config lacks come last', () => {
  assert.equal(fieldsSummary({}, config), '');
  assert.equal(fieldsSummary({ text: '', emotion: null, issues: [] }, config), '');
  assert.equal(fieldsSummary({ text: '\n  bye  ' }, config), 'bye …');
  assert.equal(fieldsSummary({ note: 'x', emotion: 'Sad' }, config), 'Sad · x');
  assert.equal(fieldsSummary({ text: 'no config' }), 'no config');
});
