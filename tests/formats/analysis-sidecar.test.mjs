// SPDX-License-Identifier: MIT
// The analysis sidecar across languages: what avseg-cli analyze writes, the JS reader
// (web/src/analysis-sidecar.js) reads into exactly the worker's analysis message shapes and to
// the same values the core's reader gives (avseg-cli read-analysis); damaged files are refused by
// both with the same message. Media are made at test time by sox and ffmpeg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { parseAnalysisSidecar } from '../../web/src/analysis-sidecar.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = process.env.AVSEG_CLI ?? path.join(root, 'build/avseg-cli');
const exec = promisify(execFile);

async function runCli(...args) {
  try {
    return JSON.parse((await exec(cli, args)).stdout);
  } catch (err) {
    if (err.stdout) return JSON.parse(err.stdout);
    throw err;
  }
}

async function tempDir(t) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-sidecar-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Speech-like voiced audio: a 150 Hz buzz, 0.6 s of silence at 1.0 s, then a 220 Hz buzz. */
async function speechWithPause(dir) {
  const file = path.join(dir, 'voice.wav');
  await exec('sox', ['-n', '-r', '48000', '-c', '1', '-b', '16', file,
    'synth', '1.0', 'sawtooth', '150', 'vol', '0.3', ':', 'synth', '0.6', 'sine', '0', 'vol', '0', ':', 'synth', '1.4', 'sawtooth', '220', 'vol', '0.3']);
  return file;
}

/** A 2 s video at 25 fps cutting from one test picture to another at frame 25, with a tone. */
async function videoWithCut(dir) {
  const file = path.join(dir, 'cut.mp4');
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25:duration=1',
    '-f', 'lavfi', '-i', 'smptebars=size=160x90:rate=25:duration=1', '-f', 'lavfi', '-i', 'sine=frequency=300:duration=2:sample_rate=44100',
    '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]', '-map', '2:a', '-c:v', 'libx264', '-g', '100', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-shortest', file]);
  return file;
}

const MESSAGE_KEYS = {
  pauses: ['sampleRate', 'speechLevelDb', 'thresholdDb', 'minDuration', 'pauses'],
  energy: ['sampleRate', 'hop', 'levels'],
  loudness: ['sampleRate', 'stepFrames', 'momentary', 'shortTerm', 'integrated', 'range', 'jumps'],
  pitch: ['sampleRate', 'hop', 'firstIndex', 'hz', 'clarity', 'floorHz', 'ceilingHz'],
  motion: ['frames', 'motion', 'cuts', 'jerks'],
};

test('what avseg-cli analyze writes reads in JS as the worker\'s analysis messages, with the core reader\'s values', async (t) => {
  const dir = await tempDir(t);
  const media = await speechWithPause(dir);
  const out = path.join(dir, 'voice.avsa');
  const summary = await runCli('analyze', media, out, '--pause-threshold-db', '-25', '--min-pause', '0.3', '--pitch-floor', '75', '--pitch-ceiling', '500');
  assert.equal(summary.output, out);
  assert.equal(summary.video, null, 'a sound file has no motion part');
  const sidecar = parseAnalysisSidecar(await readFile(out));
  const core = await runCli('read-analysis', out);
  assert.deepEqual(Object.keys(sidecar).sort(), ['energy', 'frames', 'loudness', 'pauses', 'pitch', 'sampleRate']);
  for (const [kind, keys] of Object.entries(MESSAGE_KEYS)) if (sidecar[kind]) assert.deepEqual(Object.keys(sidecar[kind]).sort(), [...keys].sort(), kind);
  assert.equal(sidecar.sampleRate, 48000);
  assert.equal(sidecar.frames, 144000);
  assert.equal(sidecar.frames, core.frames);
  // Pauses: the options used, and the one pause between the buzzes, exactly as the core read it.
  assert.equal(sidecar.pauses.thresholdDb, -25);
  assert.equal(sidecar.pauses.minDuration, 0.3);
  assert.equal(sidecar.pauses.speechLevelDb, core.pauses.speechLevelDb);
  assert.deepEqual(sidecar.pauses.pauses, core.pauses.pauses);
  const gap = sidecar.pauses.pauses.find((p) => p.start < 76800 && p.end > 48000);
  assert.ok(gap && Math.abs(gap.start - 48000) < 480 && Math.abs(gap.end - 76800) < 480, `the silence at 1.0-1.6 s is a pause: ${JSON.stringify(sidecar.pauses.pauses)}`);
  // Energy and loudness: typed arrays on the core's grid.
  assert.ok(sidecar.energy.levels instanceof Float32Array);
  assert.equal(sidecar.energy.hop, core.energy.hop);
  assert.equal(sidecar.energy.levels.length, core.energy.levels);
  assert.ok(sidecar.loudness.momentary instanceof Float32Array && sidecar.loudness.shortTerm instanceof Float32Array);
  assert.equal(sidecar.loudness.momentary.length, core.loudness.momentary);
  assert.equal(sidecar.loudness.stepFrames, 4800);
  assert.equal(sidecar.loudness.integrated.toFixed(6), core.loudness.integrated.toFixed(6));
  assert.equal(sidecar.loudness.integrated.toFixed(6), summary.integratedLufs.toFixed(6));
  assert.deepEqual(sidecar.loudness.jumps.map((j) => j.frame), core.loudness.jumps.map((j) => j.frame));
  // Pitch: the range asked for, the buzzes' frequencies where voiced.
  assert.equal(sidecar.pitch.floorHz, 75);
  assert.equal(sidecar.pitch.ceilingHz, 500);
  assert.ok(sidecar.pitch.hz instanceof Float32Array && sidecar.pitch.clarity instanceof Float32Array);
  assert.equal(sidecar.pitch.hz.length, core.pitch.points);
  const at = (seconds) => sidecar.pitch.hz[Math.round(seconds * 48000 / sidecar.pitch.hop) - sidecar.pitch.firstIndex];
  assert.ok(Math.abs(at(0.5) - 150) < 1.5, `150 Hz at 0.5 s, got ${at(0.5)}`);
  assert.ok(Math.abs(at(2.3) - 220) < 2.2, `220 Hz at 2.3 s, got ${at(2.3)}`);
  assert.equal(at(1.3), 0, 'unvoiced in the pause');
});

test('a video\'s motion and cuts travel in the sidecar; --peaks writes the same peaks as audiowaveform in the same decode', async (t) => {
  const dir = await tempDir(t);
  const media = await videoWithCut(dir);
  const out = path.join(dir, 'cut.avsa');
  const summary = await runCli('analyze', media, out, '--no-pitch', '--peaks', path.join(dir, 'cut.dat'));
  assert.equal(summary.pitch, null);
  const sidecar = parseAnalysisSidecar((await readFile(out)).buffer);
  const core = await runCli('read-analysis', out);
  assert.equal(sidecar.pitch, undefined);
  assert.equal(sidecar.motion.frames, 50);
  assert.equal(sidecar.motion.motion.length, 50);
  assert.deepEqual(sidecar.motion.cuts, core.motion.cuts);
  assert.deepEqual(sidecar.motion.jerks, core.motion.jerks);
  assert.deepEqual(sidecar.motion.cuts, summary.video.cuts);
  // As the CLI's own motion scan finds them (MotionAnalyzer's decisions are tested in tests/native).
  const scanned = await runCli('motion', media);
  assert.deepEqual([sidecar.motion.cuts, sidecar.motion.jerks], [scanned.cuts, scanned.jerks]);
  assert.deepEqual(Array.from(sidecar.motion.motion, (v) => v.toFixed(5)), scanned.motion.map((v) => v.toFixed(5)));
  await runCli('audiowaveform', media, path.join(dir, 'alone.dat'));
  assert.deepEqual(await readFile(path.join(dir, 'cut.dat')), await readFile(path.join(dir, 'alone.dat')));
});

test('a video without sound gets a motion-only sidecar (sampleRate 1, frames 0) and no peaks, the reason in problems', async (t) => {
  const dir = await tempDir(t);
  const media = path.join(dir, 'silent.mp4');
  await exec('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=25:duration=1',
    '-f', 'lavfi', '-i', 'smptebars=size=160x90:rate=25:duration=1', '-filter_complex', '[0:v][1:v]concat=n=2:v=1:a=0[v]', '-map', '[v]',
    '-an', '-c:v', 'libx264', '-g', '100', '-pix_fmt', 'yuv420p', media]);
  const out = path.join(dir, 'silent.avsa');
  const dat = path.join(dir, 'silent.dat');
  const summary = await runCli('analyze', media, out, '--peaks', dat);
  assert.equal(summary.error, undefined, JSON.stringify(summary));
  assert.equal(summary.audio, false);
  assert.equal(summary.peaks, null);
  assert.deepEqual(summary.problems.map((p) => p.code), ['no-audio']);
  assert.match(summary.problems[0].message, /^peaks: the file has video but no audio track/);
  await assert.rejects(readFile(dat), { code: 'ENOENT' }, 'no peaks file');
  const sidecar = parseAnalysisSidecar(await readFile(out));
  assert.deepEqual(Object.keys(sidecar).sort(), ['frames', 'motion', 'sampleRate']);
  assert.equal(sidecar.sampleRate, 1);
  assert.equal(sidecar.frames, 0);
  assert.equal(sidecar.motion.frames, 50);
  const scanned = await runCli('motion', media);
  assert.deepEqual(sidecar.motion.cuts, scanned.cuts);
  const core = await runCli('read-analysis', out);
  assert.deepEqual([core.sampleRate, core.frames, core.motion.cuts, core.pauses], [1, 0, scanned.cuts, undefined]);
  // Without video analysis there is nothing to write: refused as before.
  assert.equal((await runCli('analyze', media, path.join(dir, 'none.avsa'), '--no-video')).error.code, 'no-audio');
});

test('a pitch ceiling above a quarter of the sample rate is lowered to it and said in problems; pauses, loudness and peaks stay', async (t) => {
  const dir = await tempDir(t);
  const media = path.join(dir, 'narrow.wav');
  await exec('sox', ['-n', '-r', '8000', '-c', '1', '-b', '16', media,
    'synth', '0.6', 'sawtooth', '150', 'vol', '0.3', ':', 'synth', '0.5', 'sine', '0', 'vol', '0', ':', 'synth', '0.6', 'sawtooth', '180', 'vol', '0.3']);
  const out = path.join(dir, 'narrow.avsa');
  const summary = await runCli('analyze', media, out, '--pitch-ceiling', '2500', '--peaks', path.join(dir, 'narrow.dat'));
  assert.equal(summary.error, undefined, JSON.stringify(summary));
  assert.deepEqual(summary.problems, [{ code: 'invalid-value', message: 'pitch: the ceiling 2500 Hz is above a quarter of the 8000 Hz sample rate; pitch was tracked up to 2000 Hz' }]);
  const sidecar = parseAnalysisSidecar(await readFile(out));
  assert.equal(sidecar.pitch.ceilingHz, 2000);
  assert.ok(sidecar.pauses.pauses.length >= 1, 'pauses kept');
  assert.ok(sidecar.loudness.integrated !== null, 'loudness kept');
  assert.equal((await readFile(path.join(dir, 'narrow.dat'))).readInt32LE(8), 8000, 'peaks kept');
  const mid = Math.round(0.3 * 8000 / sidecar.pitch.hop) - sidecar.pitch.firstIndex;
  assert.ok(Math.abs(sidecar.pitch.hz[mid] - 150) < 3, `150 Hz tracked: ${sidecar.pitch.hz[mid]}`);
  // A floor the rate leaves no room above: no pitch, the rest kept.
  const none = await runCli('analyze', media, path.join(dir, 'none.avsa'), '--pitch-floor', '2100', '--pitch-ceiling', '3000');
  assert.equal(none.error, undefined, JSON.stringify(none));
  assert.equal(none.pitch, null);
  assert.ok(none.problems.some((p) => /^pitch: .*no pitch/.test(p.message)), JSON.stringify(none.problems));
  const rest = parseAnalysisSidecar(await readFile(path.join(dir, 'none.avsa')));
  assert.equal(rest.pitch, undefined);
  assert.ok(rest.pauses && rest.loudness && rest.energy);
});

/** The file with its JSON header changed (the arrays' offsets are relative to the data, so they still hold). */
function withHeader(bytes, from, to) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getUint32(12, true);
  const header = Buffer.from(bytes.subarray(16, 16 + n)).toString('utf8');
  assert.ok(header.includes(from), `the header has ${from}`);
  const changed = Buffer.from(header.replace(from, to));
  const pad = (k) => (k + 7) & ~7;
  const out = Buffer.alloc(pad(16 + changed.length) + bytes.length - pad(16 + n));
  Buffer.from(bytes.subarray(0, 12)).copy(out);
  out.writeUInt32LE(changed.length, 12);
  changed.copy(out, 16);
  Buffer.from(bytes.subarray(pad(16 + n))).copy(out, pad(16 + changed.length));
  return out;
}

test('damaged sidecars are refused by the JS and the core readers alike, with code invalid-analysis and what is wrong', async (t) => {
  const dir = await tempDir(t);
  const media = await speechWithPause(dir);
  const good = path.join(dir, 'good.avsa');
  await runCli('analyze', media, good, '--min-pause', '0.3');
  const bytes = await readFile(good);
  const cases = {
    empty: Buffer.alloc(0),
    short: bytes.subarray(0, 10),
    foreign: Buffer.concat([Buffer.from('RIFF\x24\0\0\0'), bytes.subarray(8)]),
    newer: Buffer.concat([bytes.subarray(0, 8), Buffer.from([2, 0, 0, 0]), bytes.subarray(12)]),
    'cut in the header': bytes.subarray(0, 100),
    'cut in the arrays': bytes.subarray(0, bytes.length - 1000),
    'bytes after the arrays': Buffer.concat([bytes, Buffer.alloc(8)]),
    'no sample rate': withHeader(bytes, '"sampleRate":48000', '"sampleRate":0'),
    'a key twice': withHeader(bytes, '"sampleRate":48000', '"sampleRate":48000,"sampleRate":44100'),
    'wrong array type': withHeader(bytes, '"type":"f32"', '"type":"f64"'),
    'pitch floor above ceiling': withHeader(bytes, '"floorHz":50.0', '"floorHz":900.0'),
    'fewer frames than the energy covers': withHeader(bytes, '"frames":144000', '"frames":14400'),
  };
  for (const [name, damaged] of Object.entries(cases)) {
    const file = path.join(dir, 'damaged.avsa');
    await writeFile(file, damaged);
    const core = await runCli('read-analysis', file);
    assert.equal(core.error?.code, 'invalid-analysis', `${name}: the core refuses it`);
    assert.throws(() => parseAnalysisSidecar(damaged), (err) => {
      assert.equal(err.code, 'invalid-analysis', name);
      assert.equal(err.message, core.error.message, `${name}: the same message from both readers`);
      return true;
    });
  }
  assert.throws(() => parseAnalysisSidecar(cases['cut in the arrays']), /analysis sidecar: pitch\.clarity: its \d+ values at data byte \d+ end past the end of the file \(\d+ bytes of data\): the file is truncated/);
  assert.throws(() => parseAnalysisSidecar('AVSEGANL'), /expected the file's bytes/);
});
