// SPDX-License-Identifier: MIT
// Section 7: the waveform of a one-hour 1080p video read in place through HTTP Range requests:
// the bytes fetched against the file's size, and the time to the full waveform against native
// ffmpeg decoding the same audio track from a local disk.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { makeMp4 } from './media.mjs';

export function prepareBigVideo(log = () => {}) {
  log('1080p clip');
  const clip = makeMp4('clip-1080p.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-maxrate', '5M', '-bufsize', '10M', '-g', '50', '-c:a', 'aac', '-b:a', '128k']);
  log('one-hour 1080p video');
  // Fragmented (a fragment per key frame, 2 s), as streaming encoders write them: each
  // fragment holds its pictures, then its sound.
  return makeMp4('one-hour-1080p.mp4', ['-stream_loop', '359', '-i', clip, '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof']);
}

export async function benchRange({ editor, file, url }) {
  const bytes = statSync(file).size;
  const t0 = process.hrtime.bigint();
  execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-threads', '1', '-i', file, '-map', '0:a:0', '-f', 'null', '-']);
  const ffmpegMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const result = await editor.page.evaluate((src) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    let progress = null;
    const started = performance.now();
    el.addEventListener('progress', (e) => { progress = e.detail; });
    el.addEventListener('ready', () => resolve({ readyMs: performance.now() - started, progress, frames: el.frames?.count ?? 0, duration: el.duration }), { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    el.src = src;
  }), url);
  return { bytes, ffmpegMs, ...result };
}
