// SPDX-License-Identifier: MIT
// The media side's pure pieces, without a browser: what the render scheduler asks the worker
// for (render-scheduler.js), the strips' colours and amplitude (waveform-strip.js), the rates
// (playback.js) and the status line of a decoded media (load-session.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RenderScheduler } from '../../web/src/render-scheduler.js';
import { clampAmplitude, parseColor } from '../../web/src/waveform-strip.js';
import { RATES, clampRate } from '../../web/src/playback.js';
import { readyStatus } from '../../web/src/load-session.js';

test('colours are read from #rrggbb or #rrggbbaa custom properties, anything else is the default', () => {
  assert.equal(parseColor('#2f6fb3', 0), 0x2f6fb3ff);
  assert.equal(parseColor(' #2F6FB380 ', 0), 0x2f6fb380);
  assert.equal(parseColor('rgb(1, 2, 3)', 7), 7);
  assert.equal(parseColor('', 7), 7);
});

test('the amplitude stays within 0.25..1000 and an unreadable one is 1', () => {
  assert.equal(clampAmplitude(4), 4);
  assert.equal(clampAmplitude(0.1), 0.25);
  assert.equal(clampAmplitude(5000), 1000);
  assert.equal(clampAmplitude('x'), 1);
});

test('the playback rate stays within the offered rates', () => {
  assert.deepEqual([RATES[0], RATES.at(-1)], [0.25, 4]);
  assert.equal(clampRate(1.5), 1.5);
  assert.equal(clampRate(10), 4);
  assert.equal(clampRate(0.1), 0.25);
  assert.equal(clampRate(undefined), 1);
});

test('the status line of a decoded media names its picture and its sound', () => {
  assert.equal(readyStatus({ sampleRate: 48000, channels: 2, codec: 'aac' }, null), '48000 Hz · stereo · aac');
  assert.equal(readyStatus({ sampleRate: 16000, channels: 1, codec: 'pcm_s16le' }, null), '16000 Hz · mono · pcm_s16le');
  assert.equal(readyStatus({ sampleRate: 48000, channels: 6, codec: 'opus' }, null), '48000 Hz · 6 ch · opus');
  const video = { width: 320, height: 240, codec: 'h264', count: 90 };
  assert.equal(readyStatus({ sampleRate: 44100, channels: 2, codec: 'aac' }, video), '320×240 h264, 90 frames · 44100 Hz · stereo · aac');
  assert.equal(readyStatus({ sampleRate: 0 }, video), '320×240 h264, 90 frames · no audio');
});

function scheduler({ ready = true, sampleRate = 48000, duration = 10, view = { start: 2, end: 4 }, audioStart = 0, spectrogram = false } = {}) {
  const asked = [];
  const silent = [];
  const canvases = { main: { width: 1000, height: 100 }, overview: { width: 500, height: 40 }, spectrogram: { width: 1000, height: 200 } };
  const state = { ready, info: { sampleRate }, duration };
  const s = new RenderScheduler({
    client: { render: (load, seq, target, request) => asked.push({ load, seq, target, request }), recycle() {} },
    loadId: () => 7,
    info: () => state.info,
    duration: () => state.duration,
    ready: () => state.ready,
    audioStart: () => audioStart,
    view: () => view,
    strip: { amplitude: 2, canvas: (target) => canvases[target], style: () => ({ wave: 1 }), showSilent: () => silent.push(true) },
    spectrogram: () => ({ shown: spectrogram, options: { windowSize: 2048 } }),
  });
  return { s, asked, silent, state, canvases };
}

test('a stale target is asked for once, for the view in frames of the audio, until its picture comes back', () => {
  const { s, asked } = scheduler({ audioStart: 0.5 });
  s.request('main');
  s.request('main');
  assert.equal(asked.length, 1, 'not again while one is out, nor when not stale');
  const [{ load, seq, target, request }] = asked;
  assert.deepEqual({ load, seq, target }, { load: 7, seq: 1, target: 'main' });
  assert.deepEqual(request, { startFrame: 1.5 * 48000, framesPerPixel: (2 * 48000) / 1000, width: 1000, height: 100, amplitude: 2, wave: 1 });
  s.forgetBusy();
  s.request('main');
  assert.equal(asked.length, 1, 'a render forgotten (link expired) is not stale by itself');
  s.request('overview');
  assert.deepEqual(asked[1].request, { startFrame: -0.5 * 48000, framesPerPixel: (10 * 48000) / 500, width: 500, height: 40, amplitude: 1, wave: 1 });
});

test('nothing is asked before the media facts and duration are known, nor for a canvas of no size; a silent media says so once decoded', () => {
  const { s, asked, silent, state, canvases } = scheduler({ ready: false });
  state.info = null;
  s.request('main');
  state.info = { sampleRate: 48000 };
  state.duration = 0;
  s.request('main');
  state.duration = 10;
  canvases.main.width = 0;
  s.request('main');
  assert.equal(asked.length, 0);
  s.request('spectrogram');
  assert.equal(asked.length, 0, 'the spectrogram waits for the whole file');
  state.info = { sampleRate: 0 };
  s.request('overview');
  assert.equal(silent.length, 0);
  state.ready = true;
  s.request('overview');
  assert.equal(silent.length, 1);
  assert.equal(asked.length, 0);
});

test('the spectrogram is asked with its options instead of the waveform colours', () => {
  const { s, asked } = scheduler({ spectrogram: true });
  s.request('spectrogram');
  assert.deepEqual(asked[0].request, { startFrame: 2 * 48000, framesPerPixel: (2 * 48000) / 1000, width: 1000, height: 200, amplitude: 1, windowSize: 2048, minHz: 0, maxHz: 0 });
});
