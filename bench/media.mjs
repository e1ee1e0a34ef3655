// SPDX-License-Identifier: MIT
// Benchmark media, generated once into a cache keyed by MEDIA_VERSION (bump it when the recipe changes).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const MEDIA_VERSION = 'v1';
export const mediaDir = path.join(process.env.AVSEG_CACHE ?? path.join(os.homedir(), '.cache/avseg'), 'bench-media', MEDIA_VERSION);

const RATE = 48000;
const FF = ['ffmpeg', '-nostdin', '-hide_banner', '-v', 'error', '-y'];
const TEXT = 'Annotators mark where each speaker starts and stops. The waveform has to appear quickly, '
  + 'even for a recording that lasts for hours, and zooming in must reach single samples. '
  + 'Numbers like three hundred and twelve, or nine point five, are read out in full.';

export const FORMATS = {
  mp3: { file: 'ten-min.mp3', args: ['-c:a', 'libmp3lame', '-b:a', '128k'] },
  aac: { file: 'ten-min.m4a', args: ['-c:a', 'aac', '-b:a', '128k'] },
  flac: { file: 'ten-min.flac', args: ['-c:a', 'flac'] },
  opus: { file: 'ten-min.ogg', args: ['-c:a', 'libopus', '-b:a', '96k'] },
  wav: { file: 'ten-min.wav', args: ['-c:a', 'pcm_s16le'] },
};
export const LONG = { '1h': { file: 'one-hour.mp3', repeat: 6 }, '3h': { file: 'three-hours.mp3', repeat: 18 }, '10h': { file: 'ten-hours.mp3', repeat: 60 } };
export const WARMUP = 'warmup.wav';

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });

// Writes through a temporary name so an interrupted run never leaves a half-made file behind.
function make(name, build) {
  const dst = path.join(mediaDir, name);
  if (existsSync(dst)) return dst;
  const tmp = path.join(mediaDir, `.tmp-${name}`);
  build(tmp);
  renameSync(tmp, dst);
  return dst;
}

// Ten minutes of 48 kHz stereo: repeated espeak speech over two slow sine sweeps and pink noise,
// different in each channel so joint-stereo coding has real work to do.
function source() {
  return make('source.wav', (dst) => {
    const work = mkdtempSync(path.join(mediaDir, '.work-'));
    try {
      const w = (f) => path.join(work, f);
      run('espeak-ng', ['-w', w('raw.wav'), TEXT]);
      run('sox', ['-R', '-V1', w('raw.wav'), '-r', RATE, '-c', '2', '-b', '16', w('speech.wav'), 'pad', '0', '1.5', 'repeat', '60', 'trim', '0', '600'].map(String));
      run('sox', ['-R', '-V1', '-n', '-r', RATE, '-c', '2', '-b', '16', w('tones.wav'), 'synth', '600', 'sine', '80-2000', 'sine', '3000-120', 'vol', '0.25'].map(String));
      run('sox', ['-R', '-V1', '-n', '-r', RATE, '-c', '2', '-b', '16', w('noise.wav'), 'synth', '600', 'pinknoise', 'vol', '0.05'].map(String));
      run('sox', ['-R', '-V1', '-m', w('speech.wav'), w('tones.wav'), w('noise.wav'), '-t', 'wav', dst, 'vol', '2']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
}

function concat(name, input, repeat) {
  return make(name, (dst) => {
    const list = `${dst}.txt`;
    writeFileSync(list, `file '${input.replaceAll("'", "'\\''")}'\n`.repeat(repeat));
    try {
      run(FF[0], [...FF.slice(1), '-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy', '-map_metadata', '-1', '-f', 'mp3', dst]);
    } finally {
      rmSync(list, { force: true });
    }
  });
}

/** A file made once by ffmpeg (its arguments before the output) as MP4 in the media cache. */
export function makeMp4(name, args) {
  return make(name, (dst) => run(FF[0], [...FF.slice(1), ...args, '-f', 'mp4', dst]));
}

export function prepareMedia({ long = Object.keys(LONG), log = () => {} } = {}) {
  mkdirSync(mediaDir, { recursive: true });
  const files = { formats: {}, long: {} };
  log('source');
  const src = source();
  files.warmup = make(WARMUP, (dst) => run(FF[0], [...FF.slice(1), '-i', src, '-t', '5', '-c:a', 'pcm_s16le', '-f', 'wav', dst]));
  for (const [key, { file, args }] of Object.entries(FORMATS)) {
    log(file);
    const fmt = { mp3: 'mp3', aac: 'ipod', flac: 'flac', opus: 'ogg', wav: 'wav' }[key];
    files.formats[key] = make(file, (dst) => run(FF[0], [...FF.slice(1), '-i', src, ...args, '-map_metadata', '-1', '-f', fmt, dst]));
  }
  for (const key of long) {
    log(LONG[key].file);
    files.long[key] = concat(LONG[key].file, files.formats.mp3, LONG[key].repeat);
  }
  return files;
}
