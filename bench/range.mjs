// SPDX-License-Identifier: MIT
// Section 7: a one-hour 1080p video read in place through HTTP Range requests from a media origin apart from
// the page (tests/lib/media-server.mjs), as a fragmented MP4 and as an ordinary faststart MP4, from a server
// that answers multi-range requests (as nginx) and from one that behaves as S3 (single ranges only, and
// Ground Truth's usual CORS rule hiding Content-Range), without and with 50 ms added to every request.
// Each is set beside a single streamed download of the same number of bytes in the same browser.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { makeMp4 } from './media.mjs';
import { startMediaServer } from '../tests/lib/media-server.mjs';

export const TARGETS = { requests: 200, bytesFraction: 0.06, vsDownload: 2, latencyRatio: 3 };
export const LATENCY_MS = 50;
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
export async function benchRemote({ bench, files, latencies = [0, LATENCY_MS], servers = Object.keys(SERVERS), timeoutMs = 300000, log = () => {} }) {
  const rows = [];
  const floors = {};
  for (const [shape, file] of Object.entries(files)) {
    const size = statSync(file).size;
    floors[shape] = singleRangeFloor(file, size);
    for (const kind of servers) {
      const server = await startMediaServer({ files: { '/video.mp4': { path: file } }, ...SERVERS[kind].options });
      try {
        for (const latencyMs of latencies) {
          log(`remote ${shape}, ${kind}, ${latencyMs} ms`);
          server.configure({ latencyMs });
          const editor = await bench.newEditor();
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
              shape, serverKind: kind, latencyMs, size,
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
            row.download = baselineBytes > 0 ? await streamedDownload(editor, `${server.url('/video.mp4')}?download=${rows.length}`, Math.min(size, baselineBytes)) : null;
            rows.push(row);
            if (!row.ready) log(`remote ${shape}, ${kind}, ${latencyMs} ms: ${row.error ?? `not ready after ${(timeoutMs / 1000).toFixed(0)} s`}`);
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
  return { rows, targets: TARGETS, timeoutMs, singleRangeFloor: floors };
}

function verdicts(row, rows) {
  const requests = row.atServer.requests;
  const fraction = row.atServer.bytes / row.size;
  row.checks = {
    requests: row.ready && requests <= TARGETS.requests,
    bytes: row.ready && fraction <= TARGETS.bytesFraction,
  };
  if (row.latencyMs === 0) {
    row.vsDownload = row.ready && row.download ? row.readyMs / row.download.ms : null;
    row.checks.vsDownload = row.ready && row.vsDownload <= TARGETS.vsDownload;
  } else {
    const base = rows.find((r) => r.shape === row.shape && r.serverKind === row.serverKind && r.latencyMs === 0);
    row.latencyRatio = row.ready && base?.ready ? row.readyMs / base.readyMs : null;
    row.checks.latency = row.ready && row.latencyRatio !== null && row.latencyRatio <= TARGETS.latencyRatio;
  }
  row.verdict = Object.values(row.checks).every(Boolean) ? 'PASS' : `MISS (${Object.entries(row.checks).filter(([, ok]) => !ok).map(([k]) => k).join(', ')})`;
}
