// SPDX-License-Identifier: MIT
// Media files computed from their byte offsets, so a test can serve a 24-hour WAV (16.6 GB) or a
// 10-hour MP3 without storing it: a source is { size, type, read(start, end) } (end exclusive).
//
// The signal lets a test tell the ends apart: a 1 kHz sine at level `first` during the first
// `edgeSeconds`, `last` during the last `edgeSeconds`, and `middle` everywhere else (levels are
// fractions of full scale, the same on every channel).
import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

export const LEVELS = Object.freeze({ first: 0.9, middle: 0.5, last: 0.25 });
export const TONE_HZ = 1000;
const DEFAULT_EDGE = 60;
const U32 = 0x1_0000_0000;

const edgeFor = (seconds, edgeSeconds = DEFAULT_EDGE) => Math.max(1, Math.min(edgeSeconds, Math.floor(seconds / 3)));

/**
 * The level expected at time `t` (seconds) of a synthesised file of `seconds` — what a test
 * compares the drawn waveform with.
 */
export function levelAt(t, seconds, { edgeSeconds, levels = LEVELS } = {}) {
  const edge = edgeFor(seconds, edgeSeconds);
  if (t < edge) return levels.first;
  if (t >= Math.ceil(seconds) - edge) return levels.last;
  return levels.middle;
}

/**
 * 16-bit PCM WAV. A file whose RIFF size would not fit 32 bits is written as RF64 (EBU Tech 3306,
 * a ds64 chunk holding the 64-bit sizes), as `ffmpeg -rf64 auto` does; libavformat reads it, and
 * so does the project's decoder. sox (14.4, wav.c) writes no RF64: its 32-bit size fields hold
 * 0x7ffff000 ("unspecified") when it cannot seek back, and the byte count modulo 2^32 when it can
 * (more than 2^32 sample frames: 0x7ffff000 again). `rf64: 'never'` writes such a wrapped
 * header, for tests of what those files do; `rf64: 'always'` an RF64 of any size (as
 * `ffmpeg -rf64 always`).
 */
export function synthWav({ seconds, sampleRate = 48000, channels = 2, edgeSeconds, levels = LEVELS, rf64 = 'auto' } = {}) {
  if (!(seconds > 0)) throw new Error('synthWav: seconds must be > 0');
  if (!Number.isInteger(sampleRate) || !Number.isInteger(channels)) throw new Error('synthWav: integer sampleRate and channels');
  const blockAlign = channels * 2;
  const frames = Math.round(seconds * sampleRate);
  const dataSize = frames * blockAlign;
  const big = rf64 === 'always' || (rf64 === 'auto' && 36 + dataSize > 0xffff_ffff);
  const header = big ? rf64Header() : riffHeader();
  const size = header.length + dataSize;
  const edge = edgeFor(frames / sampleRate, edgeSeconds);
  const totalSeconds = Math.ceil(frames / sampleRate);

  // One second of the tone holds a whole number of periods, so a table per level repeats seamlessly.
  const bytesPerSecond = sampleRate * blockAlign;
  const table = (level) => {
    const b = Buffer.alloc(bytesPerSecond);
    for (let n = 0; n < sampleRate; n++) {
      const v = Math.round(level * 32767 * Math.sin((2 * Math.PI * TONE_HZ * n) / sampleRate));
      for (let c = 0; c < channels; c++) b.writeInt16LE(v, n * blockAlign + c * 2);
    }
    return b;
  };
  const tables = { first: table(levels.first), middle: table(levels.middle), last: table(levels.last) };
  const tableOf = (second) => (second < edge ? tables.first : second >= totalSeconds - edge ? tables.last : tables.middle);

  function fmtChunk() {
    const b = Buffer.alloc(24);
    b.write('fmt ', 0, 'latin1');
    b.writeUInt32LE(16, 4);
    b.writeUInt16LE(1, 8);
    b.writeUInt16LE(channels, 10);
    b.writeUInt32LE(sampleRate, 12);
    b.writeUInt32LE(sampleRate * blockAlign, 16);
    b.writeUInt16LE(blockAlign, 20);
    b.writeUInt16LE(16, 22);
    return b;
  }
  function riffHeader() {
    const b = Buffer.alloc(12);
    b.write('RIFF', 0, 'latin1');
    b.writeUInt32LE((36 + dataSize) % U32, 4);
    b.write('WAVE', 8, 'latin1');
    const data = Buffer.alloc(8);
    data.write('data', 0, 'latin1');
    data.writeUInt32LE(dataSize % U32, 4);
    return Buffer.concat([b, fmtChunk(), data]);
  }
  function rf64Header() {
    const b = Buffer.alloc(12 + 36);
    b.write('RF64', 0, 'latin1');
    b.writeUInt32LE(0xffff_ffff, 4);
    b.write('WAVE', 8, 'latin1');
    b.write('ds64', 12, 'latin1');
    b.writeUInt32LE(28, 16);
    // riff size = file size - 8; header is 80 bytes.
    b.writeBigUInt64LE(BigInt(80 - 8 + dataSize), 20);
    b.writeBigUInt64LE(BigInt(dataSize), 28);
    b.writeBigUInt64LE(BigInt(frames), 36);
    b.writeUInt32LE(0, 44);
    const data = Buffer.alloc(8);
    data.write('data', 0, 'latin1');
    data.writeUInt32LE(0xffff_ffff, 4);
    return Buffer.concat([b, fmtChunk(), data]);
  }

  return {
    kind: 'wav', type: 'audio/wav', size, header, dataOffset: header.length, frames, sampleRate, channels,
    seconds: frames / sampleRate, edgeSeconds: edge, levels, rf64: big,
    read(start, end) {
      start = Math.max(0, start);
      end = Math.min(size, end);
      const out = Buffer.allocUnsafe(Math.max(0, end - start));
      let pos = start;
      if (pos < header.length) {
        const n = header.copy(out, 0, pos, Math.min(header.length, end));
        pos += n;
      }
      while (pos < end) {
        const off = pos - header.length;
        const second = Math.floor(off / bytesPerSecond);
        const within = off - second * bytesPerSecond;
        const n = tableOf(second).copy(out, pos - start, within, Math.min(bytesPerSecond, within + end - pos));
        pos += n;
      }
      return out;
    },
  };
}

const clips = new Map();

/**
 * Encodes (once per process and settings) a clip of the three levels with libmp3lame at a
 * constant bit rate (default 128 kbit/s, 48 kHz stereo: 384-byte frames), with no Xing/Info
 * header (the duration then comes from the size, as for a stream) and no bit reservoir
 * (-reservoir 0: every frame's main data starts in the frame itself, so frames taken from
 * anywhere can be joined without a decoder reading into a frame that is not there). The rate
 * must make whole frames (MPEG-1: 144 * bitrate / rate bytes, MPEG-2: 72 * ...), so that no frame
 * has a padding byte.
 */
export function mp3Clip({ edgeSeconds = DEFAULT_EDGE, bodySeconds = 6, levels = LEVELS, sampleRate = 48000, channels = 2, kbps = 128 } = {}) {
  const key = JSON.stringify([edgeSeconds, bodySeconds, levels, sampleRate, channels, kbps]);
  if (!clips.has(key)) clips.set(key, encodeClip({ edge: edgeSeconds, body: bodySeconds, levels, sampleRate, channels, kbps }));
  return clips.get(key);
}

async function encodeClip({ edge, body, levels, sampleRate, channels, kbps }) {
  const mpeg1 = sampleRate >= 32000;
  const frameSamples = mpeg1 ? 1152 : 576;
  const frameBytes = ((mpeg1 ? 144 : 72) * kbps * 1000) / sampleRate;
  if (!Number.isInteger(frameBytes)) throw new Error(`mp3Clip: ${kbps} kbit/s at ${sampleRate} Hz needs padded frames`);
  if ((frameSamples * TONE_HZ) % sampleRate) throw new Error(`mp3Clip: a frame at ${sampleRate} Hz is not a whole number of tone periods`);
  const tail = 1;   // a second after the last part, so its last frames are not the encoder's flush
  const expr = `if(lt(t,${edge}),${levels.first},if(lt(t,${edge + body}),${levels.middle},${levels.last}))*sin(2*PI*${TONE_HZ}*t)`;
  const { stdout } = await promisify(execFile)('ffmpeg', [
    '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `aevalsrc=exprs='${Array(channels).fill(expr).join('|')}':s=${sampleRate}:d=${2 * edge + body + tail}`,
    '-c:a', 'libmp3lame', '-b:a', `${kbps}k`, '-reservoir', '0', '-write_xing', '0', '-id3v2_version', '0',
    '-f', 'mp3', 'pipe:1',
  ], { encoding: 'buffer', maxBuffer: 64 << 20 });
  const frames = stdout.length / frameBytes;
  if (!Number.isInteger(frames)) throw new Error(`mp3Clip: ${stdout.length} bytes is not a whole number of ${frameBytes}-byte frames`);
  for (let i = 0; i < frames; i++) {
    const o = i * frameBytes;
    // The same header as the first frame's (sync, version, layer, rate, no padding), bar the private bit.
    if (stdout[o] !== 0xff || stdout[o + 1] !== stdout[1] || (stdout[o + 2] & 0xfe) !== (stdout[2] & 0xfe) || (stdout[o + 2] & 0x02)
        || (stdout[1] & 0xe6) !== 0xe2) {
      throw new Error(`mp3Clip: frame ${i} is not a ${frameBytes}-byte Layer III frame without padding`);
    }
  }
  const perSecond = sampleRate / frameSamples;
  const at = (t) => Math.round(t * perSecond);
  // Frames well inside each part: the encoder's delay (about 1105 samples) and the MDCT's
  // overlap smear each change of level over a frame or two. Every frame is a whole number of
  // tone periods, so any frames join without a jump in phase.
  const cut = (a, b) => stdout.subarray(a * frameBytes, b * frameBytes);
  const margin = Math.ceil(0.25 * perSecond);
  const bodyFrames = Math.floor((body - 1) * perSecond);
  return {
    edgeSeconds: edge, levels, sampleRate, channels, frameBytes, frameSamples,
    intro: cut(0, at(edge) - 2),
    body: cut(at(edge) + margin, at(edge) + margin + bodyFrames),
    outro: cut(at(edge + body) + margin, at(2 * edge + body)),
  };
}

/**
 * An MP3 of `seconds` (to the frame): the clip's first part, its middle frames repeated, its
 * last part. Any byte is found by arithmetic.
 */
export async function synthMp3({ seconds, edgeSeconds = DEFAULT_EDGE, levels = LEVELS, sampleRate = 48000, channels = 2, kbps = 128 } = {}) {
  const clip = await mp3Clip({ edgeSeconds: edgeFor(seconds, edgeSeconds), levels, sampleRate, channels, kbps });
  const frames = Math.round((seconds * sampleRate) / clip.frameSamples);
  const intro = clip.intro.length;
  const outro = clip.outro.length;
  const body = clip.body.length;
  const size = frames * clip.frameBytes;
  if (size < intro + outro + clip.frameBytes) throw new Error(`synthMp3: ${seconds} s is too short`);
  const outroStart = size - outro;
  return {
    kind: 'mp3', type: 'audio/mpeg', size, frames, sampleRate, channels,
    seconds: (frames * clip.frameSamples) / sampleRate, edgeSeconds: clip.edgeSeconds, levels,
    read(start, end) {
      start = Math.max(0, start);
      end = Math.min(size, end);
      const out = Buffer.allocUnsafe(Math.max(0, end - start));
      let pos = start;
      while (pos < end) {
        let n;
        if (pos < intro) n = clip.intro.copy(out, pos - start, pos, Math.min(intro, end));
        else if (pos >= outroStart) n = clip.outro.copy(out, pos - start, pos - outroStart, end - outroStart);
        else {
          const within = (pos - intro) % body;
          n = clip.body.copy(out, pos - start, within, Math.min(body, within + Math.min(end, outroStart) - pos));
        }
        pos += n;
      }
      return out;
    },
  };
}

const TYPES = {
  '.wav': 'audio/wav', '.mp3': 'audio/mpeg', '.m4a': 'audio/mp4', '.mp4': 'video/mp4', '.flac': 'audio/flac',
  '.ogg': 'audio/ogg', '.opus': 'audio/ogg', '.webm': 'audio/webm', '.mka': 'audio/x-matroska', '.mkv': 'video/x-matroska',
  '.aac': 'audio/aac',
};

/** A file on disk as a source (read synchronously from an open descriptor). */
export async function fileSource(file) {
  const { size } = await stat(file);
  const fh = await open(file, 'r');
  return {
    kind: 'file', type: TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream', size, path: file,
    async read(start, end) {
      start = Math.max(0, start);
      end = Math.min(size, end);
      const out = Buffer.allocUnsafe(Math.max(0, end - start));
      let done = 0;
      while (done < out.length) {
        const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
        if (!bytesRead) throw new Error(`${file} ended at ${start + done} of ${size}`);
        done += bytesRead;
      }
      return out;
    },
    close: () => fh.close(),
  };
}

/** A source from a server's file spec: { synth: 'wav', ... } | { synth: 'mp3-loop', ... } | { path }. */
export async function sourceOf(spec) {
  if (spec.path) return fileSource(spec.path);
  if (spec.synth === 'wav') return synthWav(spec);
  if (spec.synth === 'mp3-loop' || spec.synth === 'mp3') return synthMp3(spec);
  throw new Error(`unknown media spec ${JSON.stringify(spec)}`);
}
