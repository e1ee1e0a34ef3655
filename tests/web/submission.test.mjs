// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleCategories, sampleStreams, submission } from '../../web/src/submission.js';

const config = {
  categories: [{ name: 'speaker', tags: ['Customer', 'Representative'] }, { name: 'language', tags: ['English'] }],
  segmentFields: [{ name: 'transcription', type: 'text' }, { name: 'emotion', type: 'choice', options: ['Sad'] }],
};
const doc = {
  format: 'avseg.annotation', version: 1, timebase: { rate: 48000, frames: 480000 },
  tracks: [{ id: 't1', category: 'speaker', tag: 'Customer' }, { id: 't2', category: 'speaker', tag: 'Representative' }],
  segments: [
    { id: 's2', track: 't2', start: 96000, end: 144000, startTime: 2, endTime: 3, fields: { transcription: 'Of course.' } },
    { id: 's1', track: 't1', start: 24000, end: 72001, startTime: 0.5, endTime: 72001 / 48000, fields: { transcription: 'Hello', emotion: 'Sad' } },
  ],
  classifications: {},
};

test('streams are keyed by category, in time order, with the tag as id and seconds', () => {
  assert.deepEqual(sampleStreams(doc, config), {
    speaker: [
      { transcription: 'Hello', emotion: 'Sad', id: 'Customer', start: 0.5, end: 72001 / 48000, text: 'Hello' },
      { transcription: 'Of course.', id: 'Representative', start: 2, end: 3, text: 'Of course.', emotion: '' },
    ],
    language: [],
  });
});

test('a field named text wins over the first text field; missing ones are empty strings', () => {
  const d = { ...doc, segments: [{ ...doc.segments[0], fields: { text: 'typed', transcription: 'other' } }] };
  assert.equal(sampleStreams(d, config).speaker[0].text, 'typed');
  assert.equal(sampleStreams({ ...doc, segments: [{ ...doc.segments[0], fields: {} }] }, { categories: config.categories }).speaker[0].text, '');
});

test('the submission is the document plus the sample\'s keys and times', () => {
  const out = submission(doc, config, { startTimestamp: 1730764800000, endTimestamp: 1730765100000 });
  for (const key of Object.keys(doc)) assert.deepEqual(out[key], doc[key], key);
  assert.deepEqual(out.categories, sampleCategories(config));
  assert.deepEqual(out.categories, { speaker: ['Customer', 'Representative'], language: ['English'] });
  assert.equal(out.startUTCTime, 'Tue, 05 Nov 2024 00:00:00 GMT');
  assert.equal(out.endUTCTime, 'Tue, 05 Nov 2024 00:05:00 GMT');
  assert.equal(out.elapsedTime, 300000);
});
