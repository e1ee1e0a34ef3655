// SPDX-License-Identifier: MIT
// Both wasm modules answer a call that can fail with one shape, {ok, code, message, ...}, the
// code one of the listed ones ('none' when ok): the real modules in Node, failing for real.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode } from '../../web/src/error-codes.js';
import { guardModel } from '../../web/src/model-text-guard.js';
import { loadCore, loadModel } from './load-core.mjs';

let core, Annotations;

before(async () => {
  core = await loadCore();
  ({ Annotations } = await loadModel());
});

function assertResult(result, code, what) {
  assert.equal(typeof result.ok, 'boolean', `${what}: ok`);
  assert.equal(result.code, code, `${what}: code (${result.message})`);
  assert.ok(Object.values(ErrorCode).includes(result.code), `${what}: '${result.code}' is a listed code`);
  assert.equal(result.ok, code === ErrorCode.None, `${what}: ok is code === 'none'`);
  assert.equal(typeof result.message, 'string', `${what}: message`);
  assert.equal(result.message.length > 0, !result.ok, `${what}: a message says why, only when refused`);
}

const CONFIG = JSON.stringify({ categories: { speaker: ['Customer', 'Representative'] }, segmentFields: [{ name: 'text', type: 'text' }] });

test('the annotation model answers {ok, code, message, id}', () => {
  const raw = new Annotations();
  try {
    const a = guardModel(raw);
    assertResult(a.setConfig('{"categories": '), ErrorCode.InvalidConfig, 'a config cut short');
    assertResult(a.setConfig(CONFIG), ErrorCode.None, 'a good config');
    a.setTimebase(48000, 480000);
    assertResult(a.load('{"format": "avseg.annotation", "version": 1, "tracks": 3}'), ErrorCode.InvalidDocument, 'a malformed document');
    const track = a.addTrack('speaker', 'Customer');
    assertResult(track, ErrorCode.None, 'a new track');
    assert.equal(track.id, 't1');
    assertResult(a.addTrack('speaker', 'Customer'), ErrorCode.Refused, 'a duplicate track');
    assertResult(a.addSegment('t1', 0, 48000, '[1, 2]'), ErrorCode.InvalidValue, 'fields that are not an object');
    const segment = a.addSegment('t1', 0, 48000, '{}');
    assertResult(segment, ErrorCode.None, 'a new segment');
    assertResult(a.setField(segment.id, 'text', '"cut', false), ErrorCode.InvalidValue, 'a value that is not JSON');
    assertResult(a.setBounds(segment.id, 48000, 1000), ErrorCode.Refused, 'an end before the start');
    assertResult(a.addTrack('speaker', 'Rep\udc00'), ErrorCode.InvalidValue, 'ill-formed text, refused by the guard');
    const refused = a.addTrack('speaker', 'Customer');
    assert.equal(refused.reason, refused.message, 'reason, the older name, says the same');
  } finally {
    raw.delete();
  }
});

test('the media core answers {ok, code, message, ...}', () => {
  const garbage = new Uint8Array(4096).fill(0x5a);
  const read = (at, n) => garbage.subarray(at, at + n);
  const session = new core.Session();
  const seekable = new core.Session();
  const video = new core.VideoIndex();
  try {
    session.push(garbage);
    session.finish();
    const status = session.pump(16);
    assertResult(status, ErrorCode.UnsupportedFormat, 'pump on no medium');
    assert.equal(status.state, -1);
    // Opening only takes the reader; the bytes are read, and refused, by the first pump.
    assertResult(seekable.openSeekable(read, garbage.length), ErrorCode.None, 'openSeekable');
    assertResult(seekable.pump(16), ErrorCode.UnsupportedFormat, 'pump of a seekable copy of no medium');
    const view = { startFrame: 0, framesPerPixel: 64, width: 8, height: 8, windowSize: 1024, scale: 'bark', colorMap: 'magma', minDb: -100, maxDb: 0, minHz: 0, maxHz: 0 };
    assertResult(session.renderSpectrogram(view), ErrorCode.Internal, 'an unknown frequency scale');
    assertResult(video.open(read, garbage.length), ErrorCode.UnsupportedFormat, 'a frame index of no medium');
    assertResult(session.seedPeaksFile(new Uint8Array(0)), ErrorCode.InvalidPeaks, 'an empty peaks file');
  } finally {
    session.delete();
    seekable.delete();
    video.delete();
  }
});

test('a decode that goes on answers ok', () => {
  const session = new core.Session();
  try {
    // The first bytes of a WAV header: not enough to open, not yet a failure.
    session.push(new TextEncoder().encode('RIFF'));
    assertResult(session.pump(16), ErrorCode.None, 'pump with bytes still to come');
  } finally {
    session.delete();
  }
});
