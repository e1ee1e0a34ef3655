// SPDX-License-Identifier: MIT
// The wasm FFmpeg (SIMD128 FLAC LPC filters, configure features forced in config.h) decodes lossless
// media to exactly the samples native ffmpeg decodes, bit for bit, across the FLAC filter paths:
// lpc32 (24-bit, side channels, 15-bit coefficients up to order 32), lpc16 (16-bit, 12-bit
// coefficients), fixed and verbatim subframes, libFLAC's choices, and ALAC in MP4.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCore, decodeBytes } from './load-core.mjs';

const run = promisify(execFile);
const seconds = 8;
let core, dir;

// Loud: a sweep plus white noise summing past full scale (clipped), so the LPC sums use the
// accumulator's whole width; the second channel differs, so stereo files get side channels.
function loud(rate, channels) {
  const exprs = [
    '0.6*sin(2*PI*(40*t+900*t*t))+0.45*(2*random(0)-1)',
    '0.7*sin(2*PI*(9000*t-700*t*t))+0.35*(2*random(1)-1)',
  ].slice(0, channels).join('|');
  return ['-f', 'lavfi', '-i', `aevalsrc=exprs='${exprs}':s=${rate}:d=${seconds}`];
}

const s24 = ['-sample_fmt', 's32', '-bits_per_raw_sample', '24'];
const ffmpegMade = {
  'ffmpeg-s16-level12.flac': [...loud(48000, 2), '-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '12'],
  'ffmpeg-s16-level12-precision12.flac': [...loud(48000, 2), '-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '12', '-lpc_coeff_precision', '12'],
  'ffmpeg-s24-level12.flac': [...loud(48000, 2), '-c:a', 'flac', ...s24, '-compression_level', '12'],
  'ffmpeg-s16-level0.flac': [...loud(48000, 2), '-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '0'],
  'ffmpeg-s24-level0.flac': [...loud(48000, 2), '-c:a', 'flac', ...s24, '-compression_level', '0'],
  'ffmpeg-mono-96k-s24-level12.flac': [...loud(96000, 1), '-c:a', 'flac', ...s24, '-compression_level', '12'],
  'ffmpeg-mono-96k-s16-level12-precision12.flac': [...loud(96000, 1), '-c:a', 'flac', '-sample_fmt', 's16', '-compression_level', '12', '-lpc_coeff_precision', '12'],
  'alac-s16.m4a': [...loud(44100, 2), '-c:a', 'alac', '-sample_fmt', 's16p'],
  'alac-s24.m4a': [...loud(44100, 2), '-c:a', 'alac', '-sample_fmt', 's32p'],
  'source-s16.wav': [...loud(44100, 2), '-c:a', 'pcm_s16le'],
  'source-s24.wav': [...loud(44100, 2), '-c:a', 'pcm_s24le'],
};
// libFLAC through sox: its own block sizes, orders (up to 12) and coefficient precisions.
const soxMade = {
  'sox-s16-C8.flac': ['source-s16.wav', '-b', '16', '-C', '8'],
  'sox-s24-C8.flac': ['source-s24.wav', '-b', '24', '-C', '8'],
};

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'avseg-decode-exact-'));
  await Promise.all([
    loadCore().then((c) => { core = c; }),
    ...Object.entries(ffmpegMade).map(([file, args]) => run('ffmpeg', ['-v', 'error', '-y', ...args, path.join(dir, file)])),
  ]);
  await Promise.all(Object.entries(soxMade).map(([file, [source, ...args]]) =>
    run('sox', [path.join(dir, source), ...args, path.join(dir, file)])));
});

after(() => dir && rm(dir, { recursive: true, force: true }));

// Native ffmpeg's decode as 32-bit integers, interleaved: 16-bit samples shifted up by 16, 24-bit by 8.
async function nativeDecode(file) {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:a:0', '-f', 's32le', '-c:a', 'pcm_s32le', '-'],
    { encoding: 'buffer', maxBuffer: 1 << 28 });
  return new Int32Array(stdout.buffer, stdout.byteOffset, stdout.length / 4);
}

// The core's samples of the whole file, planar, decoded in wasm as the page decodes them.
function wasmDecode(bytes) {
  const { session, status } = decodeBytes(core, bytes);
  try {
    assert.equal(status.state, 2, `${status.code} ${status.message}`);
    assert.deepEqual(session.problems(), []);
    const { frames, channels } = session.info();
    const samples = session.samples(0, frames);
    assert.equal(samples.length, frames * channels, 'samples() covers the whole file');
    return { frames, channels, samples };
  } finally {
    session.delete();
  }
}

// The core turns integer samples into floats as swresample does (times 2^-15 or 2^-31), exactly:
// no sample has more than 24 significant bits. So the floats must match bit for bit.
function firstDifference(native, { frames, channels, samples }) {
  const expected = new Float32Array(frames * channels);
  for (let c = 0; c < channels; c++)
    for (let i = 0; i < frames; i++) expected[c * frames + i] = native[i * channels + c] / 2147483648;
  const want = new Uint32Array(expected.buffer), got = new Uint32Array(samples.buffer, samples.byteOffset, samples.length);
  let differing = 0, first = -1;
  for (let k = 0; k < want.length; k++) {
    if (want[k] !== got[k]) {
      differing++;
      if (first < 0) first = k;
    }
  }
  if (!differing) return null;
  const c = Math.floor(first / frames), i = first % frames;
  return `${differing} of ${want.length} samples differ; first at frame ${i} channel ${c}: ` +
    `native ${native[i * channels + c]}, wasm ${samples[first] * 2147483648}`;
}

for (const file of [...Object.keys(ffmpegMade).filter((f) => !f.endsWith('.wav')), ...Object.keys(soxMade)]) {
  test(`${file} decodes in wasm to native ffmpeg's samples exactly`, async () => {
    const full = path.join(dir, file);
    const [native, bytes] = await Promise.all([nativeDecode(full), readFile(full)]);
    const decoded = wasmDecode(bytes);
    assert.equal(decoded.frames * decoded.channels, native.length, 'as many samples as native ffmpeg');
    assert.ok(decoded.frames >= seconds * 44100, `${decoded.frames} frames`);
    assert.equal(firstDifference(native, decoded), null);
  });
}
