// SPDX-License-Identifier: MIT
// Section 7: a one-hour 1080p video read in place through HTTP Range requests from a media origin apart from
// the page (tests/lib/media-server.mjs), as a fragmented MP4 and as an ordinary faststart MP4, from a server
// that answers multi-range requests (as nginx) and from one that behaves as S3 (single ranges only, and
// Ground Truth's usual CORS rule hiding Content-Range), without and with 50 ms added to every request.
// Each is set beside a single streamed download of the same number of bytes in the same browser.
// Loopback delivers ~75 MB in about a second, so there ready is bound by the CPU (decoding an hour
// of AAC): rows with the server's link capped at an annotator's speed to CloudFront/S3 show when
// the network binds instead, and the decode floor (native ffmpeg and our core on the same file,
// no network) shows what no reader can go below.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { makeMp4 } from './media.mjs';
import { startMediaServer } from '../tests/lib/media-server.mjs';
import { loadCore } from '../tests/wasm/load-core.mjs';

export const TARGETS = { requests: 200, bytesFraction: 0.06, vsDownload: 2, latencyRatio: 3 };
export const LATENCY_MS = 50;
// Links shared by all of a load's requests at once (the media server's linkBytesPerSecond), in bit/s;
// 0 = loopback, nothing capped. Capped rows: multi-range server only (the S3-like one reads the whole
// 2.5 GB file: over 3 minutes at 100 Mbit/s).
export const LINKS = [1e9, 100e6];
export const linkLabel = (bits) => (bits ? (bits >= 1e9 ? `${bits / 1e9} Gbit/s` : `${bits / 1e6} Mbit/s`) : 'loopback');
export const SERVERS = {
  multi: { label: 'multi-range', options: {} },
  s3: { label: 'S3-like', options: { multiRange: false, exposeHeaders: [] } },
};

export function prepareBigVideo(log = () => {}) {
  log('1080p clip');
  const clip = makeMp4('clip-1080p.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=1920x1080:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '5M', '-maxrate', '5M', '-bufsize', '10M', '-g', '50', '-c:a', 'aac', '-b:a', '128k']);
  log('one-hour 1080p video');
  // Fragmented (a fragment per key frame, 2 s), as streaming encoders write them: each
  // fragment holds its pictures, then its sound.
  return makeMp4('one-hour-1080p.mp4', ['-stream_loop', '359', '-i', clip, '-c', 'copy', '-movflags', '+frag_keyframe+empty_moov+default_base_moof']);
}

/** Both shapes of the one-hour video: fragmented, and the same remuxed into the most common shape (moov first). */
export function prepareRemoteVideos(log = () => {}) {
  const fragmented = prepareBigVideo(log);
  log('one-hour 1080p video, faststart');
  const faststart = makeMp4('one-hour-1080p-faststart.mp4', ['-i', fragmented, '-c', 'copy', '-movflags', '+faststart']);
  return { fragmented, faststart };
}

/**
 * The fewest single-range requests that fetch the audio track's packets (ffprobe's positions) within the
 * bytes target: the packets' runs, joined across the smallest gaps first while the bytes stay within it.
 * A server that answers no multi-range request cannot do with fewer (not counting the index boxes).
 */
export function singleRangeFloor(file, size = statSync(file).size) {
  const csv = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'packet=pos,size', '-of', 'csv=p=0', file],
    { encoding: 'utf8', maxBuffer: 64 << 20 });
  const runs = [];
  let audio = 0;
  for (const line of csv.split('\n')) {
    const [bytes, pos] = line.split(',').map(Number);
    if (!(bytes > 0) || !(pos >= 0)) continue;
    audio += bytes;
    const last = runs.at(-1);
    if (last && pos <= last.end) last.end = Math.max(last.end, pos + bytes);
    else runs.push({ start: pos, end: pos + bytes });
  }
  const gaps = runs.slice(1).map((r, i) => r.start - runs[i].end).sort((a, b) => a - b);
  let spare = TARGETS.bytesFraction * size - audio;
  let joined = 0;
  while (joined < gaps.length && gaps[joined] <= spare) spare -= gaps[joined++];
  return { runs: runs.length, audioBytes: audio, requests: runs.length - joined };
}

/** A load of `src` in the tab, until `ready`, a fatal error or `timeoutMs`; the worker's last progress message. */
function loadRemote(editor, src, timeoutMs) {
  return editor.page.evaluate(({ src, timeoutMs }) => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const warnings = [];
    const t0 = performance.now();
    let timer = 0;
    const done = async (outcome) => {
      const ms = performance.now() - t0;
      clearTimeout(timer);
      const progress = window.benchWorker.progress;
      let stats = null;
      try { stats = await el.stats(); } catch { /* the worker is gone */ }
      if (outcome.timedOut) el.src = '';
      resolve({ ms, ...outcome, progress, stats, warnings, frames: el.frames?.count ?? 0, duration: el.duration });
    };
    timer = setTimeout(() => done({ timedOut: true }), timeoutMs);
    el.addEventListener('ready', () => done({ ready: true }), { once: true });
    el.addEventListener('error', (e) => (e.detail.fatal ? done({ error: `${e.detail.code}: ${e.detail.message}` }) : warnings.push(`${e.detail.code}: ${e.detail.message}`)));
    el.src = src;
  }), { src, timeoutMs }).catch(editor.withConsole);
}

/** One Range request for the first `bytes` bytes, read to its last byte in the page. */
function streamedDownload(editor, url, bytes) {
  return editor.page.evaluate(async ({ url, bytes }) => {
    const t0 = performance.now();
    const response = await fetch(url, { credentials: 'omit', cache: 'no-store', headers: { Range: `bytes=0-${bytes - 1}` } });
    const reader = response.body.getReader();
    let received = 0;
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += chunk.value.length;
    return { ms: performance.now() - t0, bytes: received, status: response.status };
  }, { url, bytes });
}

/**
 * files: { fragmented, faststart } paths. Every combination of file, server and latency in a fresh tab
 * (a fresh worker and cache). The media server's log gives what reached it; the worker's progress
 * messages what the reader counted (sync requests among them).
 */
export async function benchRemote({ bench, files, latencies = [0, LATENCY_MS], servers = Object.keys(SERVERS), links = LINKS, floor = true, timeoutMs = 300000, log = () => {} }) {
  const rows = [];
  const floors = {};
  const decodeFloors = {};
  for (const [shape, file] of Object.entries(files)) {
    const size = statSync(file).size;
    floors[shape] = singleRangeFloor(file, size);
    if (floor) {
      log(`decode floor, ${shape}`);
      decodeFloors[shape] = await decodeFloor(file);
    }
    for (const kind of servers) {
      const server = await startMediaServer({ files: { '/video.mp4': { path: file } }, ...SERVERS[kind].options });
      // Loopback at every latency; capped links on the multi-range server.
      const runs = latencies.map((latencyMs) => ({ latencyMs, linkBits: 0 }));
      if (kind === 'multi') for (const linkBits of links) for (const latencyMs of latencies) runs.push({ latencyMs, linkBits });
      try {
        for (const { latencyMs, linkBits } of runs) {
          log(`remote ${shape}, ${kind}, ${linkLabel(linkBits)}, ${latencyMs} ms`);
          server.configure({ latencyMs, linkBytesPerSecond: linkBits / 8 });
          let editor = await bench.newEditor();
          try {
            server.reset();
            const load = await loadRemote(editor, `${server.url('/video.mp4')}?load=${rows.length}`, timeoutMs);
            // The element's own <video> reads the file too (its metadata); those requests are the browser's, not the reader's.
            const seen = server.requests.slice();
            const reader = seen.filter((r) => r.dest !== 'video' && r.dest !== 'audio');
            const gets = reader.filter((r) => r.method === 'GET');
            // The reader's own counts: its stats() at ready when the worker gives them, else its last progress message.
            const p = load.progress ?? {};
            const own = load.stats?.remote ?? {};
            const fetched = own.bytesFetched ?? p.loadedBytes ?? 0;
            const row = {
              shape, serverKind: kind, latencyMs, linkBits, size,
              ready: !!load.ready, error: load.error ?? null, timedOut: !!load.timedOut, readyMs: load.ms,
              frames: load.frames, duration: load.duration, warnings: load.warnings,
              worker: {
                requests: own.requests ?? p.requests ?? null, syncRequests: own.syncRequests ?? p.syncRequests ?? null,
                bytesFetched: fetched, multiRange: own.multiRange ?? p.multiRange ?? null,
              },
              atServer: {
                requests: gets.length, preflights: reader.filter((r) => r.method === 'OPTIONS').length,
                bytes: gets.reduce((n, r) => n + r.bytes, 0), mediaElementRequests: seen.length - reader.length,
                multipartAnswers: gets.filter((r) => r.range?.includes(',') && r.status === 206).length,
              },
            };
            const baselineBytes = row.atServer.bytes || fetched;
            // In a tab of its own: the loaded element's <video> keeps reading the file after ready, and
            // on a capped link would share it with the download.
            await editor.page.close();
            editor = await bench.newEditor();
            row.download = baselineBytes > 0 ? await streamedDownload(editor, `${server.url('/video.mp4')}?download=${rows.length}`, Math.min(size, baselineBytes)) : null;
            rows.push(row);
            if (!row.ready) log(`remote ${shape}, ${kind}, ${linkLabel(linkBits)}, ${latencyMs} ms: ${row.error ?? `not ready after ${(timeoutMs / 1000).toFixed(0)} s`}`);
          } finally {
            await editor.page.close();
          }
        }
      } finally {
        await server.close();
      }
    }
  }
  for (const row of rows) verdicts(row, rows);
  return { rows, targets: TARGETS, timeoutMs, singleRangeFloor: floors, decodeFloor: decodeFloors };
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };

/** A command's wall and CPU (user + system) milliseconds, as bash's `time` reports them. */
function timed(cmd, args) {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const out = execFileSync('bash', ['-c', `TIMEFORMAT='%R %U %S'; { time ${quoted} >/dev/null 2>&1; } 2>&1`], { encoding: 'utf8' });
  const [real, user, sys] = out.trim().split(/\s+/).slice(-3).map(Number);
  return { ms: real * 1000, cpuMs: (user + sys) * 1000 };
}

/**
 * What the load of `file` costs without any network: native ffmpeg decoding only its sound
 * (`-threads 1 -map 0:a`) and listing its video packets (ffprobe), and our wasm core in Node on
 * local reads: the read plan, the sound's decode with its peaks, the frame index (the sound skipped,
 * as the worker does). CPU milliseconds are steadier than wall time on a busy machine.
 */
export async function decodeFloor(file) {
  const ffmpegAudio = timed('ffmpeg', ['-v', 'error', '-threads', '1', '-i', file, '-map', '0:a', '-f', 'null', '-']);
  const ffprobePackets = timed('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=pts,flags', '-of', 'csv', file]);
  const M = await loadCore();
  const fd = openSync(file, 'r');
  const size = statSync(file).size;
  const read = (position, length) => {
    const bytes = new Uint8Array(Math.max(0, Math.min(length, size - position)));
    readSync(fd, bytes, 0, bytes.length, position);
    return bytes;
  };
  const phase = (fn) => {
    const c0 = cpuMs();
    const t0 = performance.now();
    const result = fn();
    return { ms: performance.now() - t0, cpuMs: cpuMs() - c0, result };
  };
  try {
    const plan = phase(() => {
      const p = new M.ReadPlan(size);
      try {
        p.feed(0, read(0, 1 << 20));
        for (let round = 0; round < 10000; round++) {
          const wants = p.wants();
          if (!wants.length) break;
          for (let i = 0; i < wants.length; i += 2) p.feed(wants[i], read(wants[i], wants[i + 1] - wants[i]));
        }
        return p.mediaRanges();
      } finally {
        p.delete();
      }
    });
    const media = plan.result;
    const audio = phase(() => {
      const session = new M.Session();
      try {
        const opened = session.openSeekable(read, size);
        if (opened.state < 0) throw new Error(opened.message);
        let status;
        do status = session.pump(32); while (status.state === 1);
        if (status.state < 0) throw new Error(status.message);
        return session.info().frames;
      } finally {
        session.delete();
      }
    });
    // The sound's runs read as zeros, as load-video-index.js's skippingSound.
    const runEnd = (position) => {
      let lo = 0;
      let hi = media.length >> 1;
      while (lo < hi) { const mid = (lo + hi) >> 1; if (media[2 * mid + 1] <= position) lo = mid + 1; else hi = mid; }
      return lo < media.length >> 1 && media[2 * lo] <= position ? media[2 * lo + 1] : -1;
    };
    const frames = phase(() => {
      const index = new M.VideoIndex();
      try {
        const facts = index.open((p, n) => { const end = runEnd(p); return end >= 0 ? new Uint8Array(Math.min(n, end - p)) : read(p, n); }, size);
        if (!facts.ok) throw new Error(facts.message);
        while (index.step(256));
        return index.frames().length - 1;
      } finally {
        index.delete();
      }
    });
    const strip = ({ result, ...t }) => t;
    return { ffmpegAudio, ffprobePackets, plan: strip(plan), audio: { ...strip(audio), frames: audio.result }, frameIndex: { ...strip(frames), frames: frames.result } };
  } finally {
    closeSync(fd);
  }
}

function verdicts(row, rows) {
  const requests = row.atServer.requests;
  const fraction = row.atServer.bytes / row.size;
  row.checks = {
    requests: row.ready && requests <= TARGETS.requests,
    bytes: row.ready && fraction <= TARGETS.bytesFraction,
  };
  row.vsDownload = row.ready && row.download ? row.readyMs / row.download.ms : null;
  if (row.latencyMs === 0) {
    row.checks.vsDownload = row.ready && row.vsDownload <= TARGETS.vsDownload;
  } else {
    const base = rows.find((r) => r.shape === row.shape && r.serverKind === row.serverKind && r.linkBits === row.linkBits && r.latencyMs === 0);
    row.latencyRatio = row.ready && base?.ready ? row.readyMs / base.readyMs : null;
    row.checks.latency = row.ready && row.latencyRatio !== null && row.latencyRatio <= TARGETS.latencyRatio;
  }
  row.verdict = Object.values(row.checks).every(Boolean) ? 'PASS' : `MISS (${Object.entries(row.checks).filter(([, ok]) => !ok).map(([k]) => k).join(', ')})`;
}
