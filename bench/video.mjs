// SPDX-License-Identifier: MIT
// Section 6: building the frame index of a one-hour video (H.264 with B-frames, 25 fps, 90,000
// frames), against ffprobe on the same file: -show_frames (what frame-level tools do: it
// decodes) and -show_packets (demuxing only, as the index does).
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeMp4 } from './media.mjs';
import { loadCore } from '../tests/wasm/load-core.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

export function prepareVideo(log = () => {}) {
  log('video clip');
  const clip = makeMp4('clip-360p.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'veryfast', '-bf', '2', '-g', '50', '-b:v', '600k', '-c:a', 'aac', '-b:a', '96k']);
  log('one-hour video');
  // Looped by stream copy: encoding an hour would take longer than the benchmark.
  return makeMp4('one-hour-360p.mp4', ['-stream_loop', '359', '-i', clip, '-c', 'copy', '-movflags', '+faststart']);
}

const time = (fn) => {
  const t0 = process.hrtime.bigint();
  const result = fn();
  return { ms: Number(process.hrtime.bigint() - t0) / 1e6, result };
};

export async function benchFrameIndex({ file }) {
  const size = statSync(file).size;
  const probeFrames = time(() => execFileSync('ffprobe', ['-v', 'error', '-threads', '1', '-select_streams', 'v:0', '-show_entries', 'frame=pts', '-of', 'csv', file], { maxBuffer: 1 << 28 }));
  const probePackets = time(() => execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv', file], { maxBuffer: 1 << 28 }));
  // One line per frame (a key frame with side data adds a blank line after its own).
  const frameCount = probeFrames.result.toString().split('\n').filter((l) => l.startsWith('frame,')).length;
  const native = time(() => JSON.parse(execFileSync(path.join(root, 'build/avseg-cli'), ['frames', file]).toString()));
  const M = await loadCore();
  const fd = openSync(file, 'r');
  const wasm = time(() => {
    const index = new M.VideoIndex();
    const facts = index.open((position, length) => {
      const buf = Buffer.allocUnsafe(length);
      const n = readSync(fd, buf, 0, length, position);
      return new Uint8Array(buf.buffer, buf.byteOffset, n);
    }, size);
    if (!facts.ok) throw new Error(facts.message);
    while (index.step(256));
    const count = index.frames().length - 1;
    index.delete();
    return count;
  });
  closeSync(fd);
  return {
    bytes: size, frames: frameCount,
    ffprobeFramesMs: probeFrames.ms, ffprobePacketsMs: probePackets.ms,
    nativeMs: native.ms, nativeFrames: native.result.frames, wasmMs: wasm.ms, wasmFrames: wasm.result,
  };
}
