// SPDX-License-Identifier: MIT
// The annotation model's wasm module in Node: the JS boundary of tracks, segments, undo and validation.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './load-core.mjs';

let Annotations;

before(async () => {
  ({ Annotations } = await loadModel());
});

const CONFIG = JSON.stringify({
  categories: { speaker: ['Customer', 'Representative'] },
  segmentFields: [
    { name: 'transcription', type: 'text', required: true },
    { name: 'emotion', type: 'choice', options: ['Happy', 'Angry', 'Neutral', 'Sad', 'Worried'] },
  ],
  classifications: [{ name: 'speech', type: 'choice', options: ['speech', 'non-speech'], required: true }],
});

function fresh() {
  const a = new Annotations();
  assert.equal(a.setConfig(CONFIG).ok, true);
  a.setTimebase(48000, 48000 * 30);
  a.setMedia(JSON.stringify({ url: 'https://media.example/call.wav' }), 'task-1');
  return a;
}

test('edits go through the core and come back as the versioned document', () => {
  const a = fresh();
  try {
    const customer = a.addTrack('speaker', 'Customer');
    assert.equal(customer.ok, true);
    assert.equal(a.addTrack('speaker', 'Customer').reason, 'a track speaker/Customer already exists');
    const seg = a.addSegment(customer.id, 24000, 96000, JSON.stringify({ transcription: 'Hello' }));
    assert.equal(seg.ok, true, seg.reason);
    assert.equal(a.setField(seg.id, 'emotion', '"Happy"', false).ok, true);
    const doc = JSON.parse(a.save());
    assert.equal(doc.format, 'avseg.annotation');
    assert.equal(doc.taskId, 'task-1');
    assert.equal(doc.media.url, 'https://media.example/call.wav');
    assert.deepEqual(doc.segments[0].fields, { transcription: 'Hello', emotion: 'Happy' });
    assert.equal(doc.segments[0].start, 24000);
    assert.equal(doc.segments[0].endTime, 2);
  } finally {
    a.delete();
  }
});

test('undo and redo restore exactly; refused edits say why', () => {
  const a = fresh();
  try {
    const t = a.addTrack('speaker', 'Representative').id;
    const s = a.addSegment(t, 0, 48000, '').id;
    const before = a.save();
    assert.equal(a.setBounds(s, 48000, 1000).reason, 'the segment must end after it starts');
    assert.equal(a.setBounds(s, 0, 48000 * 31).reason, 'the segment ends after the media');
    assert.equal(a.save(), before);
    assert.equal(a.splitSegment(s, 12000).ok, true);
    assert.equal(JSON.parse(a.save()).segments.length, 2);
    assert.equal(a.undo(), true);
    assert.equal(a.save(), before);
    assert.equal(a.redo(), true);
    assert.equal(JSON.parse(a.save()).segments.length, 2);
    assert.equal(a.canRedo(), false);
  } finally {
    a.delete();
  }
});

test('validation lists what blocks submitting; a bad config or document is refused with the key', () => {
  const a = fresh();
  try {
    const t = a.addTrack('speaker', 'Customer').id;
    const s = a.addSegment(t, 0, 4800, '{"emotion":"Furious"}').id;
    const problems = JSON.parse(a.validate());
    assert.deepEqual(problems.map((p) => [p.segment, p.field]), [[s, 'transcription'], [s, 'emotion'], ['', 'speech']]);
    const bad = a.setConfig('{"segmentFields":[{"name":"x","type":"choice","options":[]}]}');
    assert.equal(bad.ok, false);
    assert.equal(bad.code, 'invalid-config');
    assert.match(bad.reason, /^segmentFields\[0\]\.options: /);
    const doc = a.load('{"format":"avseg.annotation","version":1,"segments":[{"id":"s","track":"nope","start":0,"end":5}]}');
    assert.equal(doc.code, 'invalid-document');
    assert.equal(doc.reason, "segments[0]: there is no track 'nope'");
    assert.equal(JSON.parse(a.save()).segments[0].id, s, 'a refused document replaces nothing');
  } finally {
    a.delete();
  }
});

test('spans for drawing cover the visible range only, with ids by index', () => {
  const a = fresh();
  try {
    const t = a.addTrack('speaker', 'Customer').id;
    const u = a.addTrack('speaker', 'Representative').id;
    const ids = [];
    for (let i = 0; i < 2000; i++) ids.push(a.addSegment(i % 2 ? u : t, i * 600, i * 600 + 500, '').id);
    const spans = a.spans(48000, 96000);
    assert.ok(spans instanceof Float64Array);
    assert.equal(spans.length / 3, 80);
    assert.deepEqual([...spans.slice(0, 3)], [48000, 48500, 0]);
    assert.equal(a.spanId(0), ids[80]);
    assert.equal(a.spanId(1), ids[81]);
    assert.equal(spans[5], 1);
  } finally {
    a.delete();
  }
});
