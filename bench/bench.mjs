// SPDX-License-Identifier: MIT
// avseg benchmarks: decode throughput, long-file memory, redraw latency, shipped sizes, consolidation, remote reads, analysis.
// Usage: scripts/bench [--quick] [--only 2,7] [--json [FILE]]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBench } from './browser.mjs';
import { benchDecode, TARGET_RATIO } from './decode.mjs';
import { prepareMedia, mediaDir, MEDIA_VERSION } from './media.mjs';
import { benchMemory, FLAT_LIMIT } from './memory.mjs';
import { benchRedraw, benchZoom, formatZoom } from './redraw.mjs';
import { benchSizes } from './sizes.mjs';
import { benchSegments } from './segments.mjs';
import { benchFrameIndex, prepareVideo } from './video.mjs';
import { benchRemote, prepareRemoteVideos, SERVERS, TARGETS as REMOTE_TARGETS, LATENCY_MS, linkLabel } from './range.mjs';
import { benchSpectrogram } from './spectrogram.mjs';
import { benchConsolidation, formatConsolidation } from './consolidation.mjs';
import { benchAnalysis, formatAnalysis } from './analysis.mjs';
import { formatTable, mb, rate, ratio, ms, clock } from './table.mjs';

// A bare --json writes to build/bench.json.
const argv = process.argv.slice(2);
const bare = argv.indexOf('--json');
if (bare >= 0 && (bare === argv.length - 1 || argv[bare + 1].startsWith('--'))) argv.splice(bare + 1, 0, 'build/bench.json');
const { values: opts } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, only: { type: 'string' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (opts.help) {
  console.log('usage: scripts/bench [--quick] [--only LIST] [--json FILE]\n  --quick  skip the 10-hour files and shorten the loops\n'
    + '  --only   run only these sections, e.g. --only 2,7 (1 decode, 2 memory, 3 redraw, 4 sizes, 5 annotation UI,\n'
    + '           6 frame index, 7 remote reads, 8 spectrogram, 9 consolidation, 10 analysis)\n  --json   also write the figures to FILE');
  process.exit(0);
}
const quick = !!opts.quick;
const only = opts.only ? new Set(opts.only.split(',').map(Number)) : null;
const want = (section) => !only || only.has(section);
const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const out = (text = '') => console.log(text);
const sh = (cmd, args) => { try { return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim(); } catch { return '?'; } };

const machine = {
  cpu: /^model name\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model,
  cores: os.cpus().length,
  memoryBytes: os.totalmem(),
  os: `${os.type()} ${os.release()}, Debian ${sh('cat', ['/etc/debian_version'])}`,
  chromium: sh(process.env.AVSEG_CHROMIUM ?? '/usr/bin/chromium', ['--version']).replace(/ built on .*/, ''),
  node: process.version,
  ffmpeg: sh('ffmpeg', ['-version']).split('\n')[0].replace(/ Copyright.*/, ''),
  avseg: `${sh('git', ['rev-parse', '--short', 'HEAD'])}${sh('git', ['status', '--porcelain']) ? ' (uncommitted changes)' : ''}`,
  loadAverage: os.loadavg(),
};
out(`avseg benchmark${quick ? ' (--quick)' : ''}, ${new Date().toISOString()}`);
out(`machine: ${machine.cpu}, ${machine.cores} cores, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, ${machine.os}`);
out(`versions: ${machine.chromium}; node ${machine.node}; ${machine.ffmpeg}; avseg ${machine.avseg}`);
const secs = (msValue) => `${(msValue / 1000).toFixed(msValue < 10000 ? 2 : 1)} s`;
const busy = (load) => `${load.map((l) => l.toFixed(2)).join(' ')}${load[0] > 0.5 ? '  (something else is running: expect noisy figures)' : ''}`;
out(`load average at start: ${busy(machine.loadAverage)}`);
out(`media: ${mediaDir}`);

const media = prepareMedia({ long: quick ? ['1h', '3h'] : ['1h', '3h', '10h'], log: (f) => log(`media ${f}`) });
const results = { date: new Date().toISOString(), quick, machine, mediaDir, mediaVersion: MEDIA_VERSION };

const sizes = want(4) ? (results.sizes = benchSizes()) : null;
const bench = await startBench(mediaDir);
try {
  if (want(1)) {
    const editor = await bench.newEditor();
    await editor.load(media.warmup); // worker start-up and wasm compilation stay out of the decode figures
    const reps = quick ? 1 : 3;
    const decode = results.decode = await benchDecode({ files: media.formats, editor, reps, log });
    await editor.page.close();
    out();
    out('1. Decode + peak pyramid, ~10-min 48 kHz stereo files: seconds of audio per second, and its ratio to (a) in this run');
    out(`   Best of ${reps}: (a) ffmpeg -threads 1 -f null; (b) avseg-cli decodeMs; (c) wasm core in Node, 64 KiB chunks;`);
    out(`   (d) <avseg-editor> in headless Chromium, src -> ready. Target: (d) >= ${TARGET_RATIO}x ffmpeg for MP3/AAC/FLAC/Opus.`);
    out(formatTable(['format', 'codec', 'size', 'audio', '(a) ffmpeg', '(b) avseg-cli', 'vs (a)', '(c) wasm Node', 'vs (a)', '(d) wasm Chromium', 'vs (a)', 'target'],
      decode.map((r) => [r.format, r.codec, mb(r.bytes), clock(r.audioSeconds), rate(r.ffmpeg.audioPerSecond),
        rate(r.cli.audioPerSecond), ratio(r.cli.ratio), rate(r.wasmNode.audioPerSecond), ratio(r.wasmNode.ratio),
        rate(r.wasmChromium.audioPerSecond), ratio(r.wasmChromium.ratio), r.verdict])));
    out('   CPU time, ffmpeg\'s / ours (robust to other work on the machine): '
      + decode.map((r) => `${r.format} Node ${ratio(r.cpu.node.ratio)}, Chromium (all processes) ${ratio(r.cpu.chromium.ratio)}`).join('; '));
  }

  // The memory section's last tab (the longest MP3, still open with its server) serves the redraw section.
  let redrawTab = null;
  if (want(2) || want(3)) {
    const memory = await benchMemory({ bench, media, quick, only: want(2) ? null : 'longest MP3', log });
    redrawTab = memory;
    if (want(2)) {
      results.memory = { rows: memory.rows.map(({ samples, ...r }) => r), flat: memory.flat, sampleMs: memory.rows[0].sampleMs };
      out();
      out('2. Memory of all Chromium processes (PSS from /proc/*/smaps_rollup, MB) loading long 48 kHz stereo files through the element,');
      out(`   a fresh tab each, from a loopback media server that answers Range requests (WAV synthesised on the fly; MP3 128k).`);
      out(`   Sampled every ${memory.rows[0].sampleMs} ms from src to ${memory.settleMs / 1000} s after ready: before the load -> peak (whole run) / at rest after ready.`);
      out(`   browser = the browser process; renderer = the page with its worker; total adds GPU, network, storage and zygote processes.`);
      out(`   Target: the 10-hour file's total peak <= ${FLAT_LIMIT}x the 10-minute file's, same format.`);
      const mem = (b) => (b / 1e6).toFixed(0);
      out(formatTable(['file', 'size', 'to ready', 'browser process', 'renderer', 'total', 'wasm heap peak'],
        memory.rows.map((r) => [`${r.format} ${r.label}`, mb(r.bytes), r.error ? r.error : `${r.readySeconds.toFixed(1)} s`,
          `${mem(r.before.browser)} -> ${mem(r.peak.browser)} / ${mem(r.afterReady.browser)}`,
          `${mem(r.before.renderer)} -> ${mem(r.peak.renderer)} / ${mem(r.afterReady.renderer)}`,
          `${mem(r.before.total)} -> ${mem(r.peak.total)} / ${mem(r.afterReady.total)}`,
          r.peakWasmHeapBytes ? mb(r.peakWasmHeapBytes) : ''])));
      for (const r of memory.rows) for (const w of r.warnings) out(`   ${r.format} ${r.label}: non-fatal ${w.code}: ${w.message}`);
      for (const f of memory.flat) out(`   ${f.format}: total peak ${f.to} / ${f.from} = ${f.ratio === null ? '-' : ratio(f.ratio)} (target <= ${FLAT_LIMIT}x)  ${f.verdict}`);
    }
  }

  if (want(3)) {
    const redraw = results.redraw = await benchRedraw({ editor: redrawTab.editor, n: quick ? 8 : 30 });
    out();
    out(`3. Redraw of the ${redraw.width}-px main view (DPR 1), ${redrawTab.redrawLabel} file, ${redraw.n} random positions per level:`);
    out(`   zoomTo -> avseg-rendered, called just after a frame, so each includes ~1 animation frame (${ms(redraw.frameMs)} here);`);
    out('   pan = a second zoomTo a tenth of a span over, which can reuse samples decoded for the first');
    out(formatTable(['span', 'samples/px', 'from samples', 'median', 'p95', 'max', 'pan median', 'pan p95'],
      redraw.levels.map((l) => [`${l.whole ? 'whole ' : ''}${clock(l.span)}`, l.samplesPerPixel >= 10 ? Math.round(l.samplesPerPixel) : l.samplesPerPixel.toFixed(3),
        l.fromSamples, ms(l.medianMs), ms(l.p95Ms), ms(l.maxMs), ms(l.panMedianMs), ms(l.panP95Ms)])));
    const last = redrawTab.redrawRow;
    out(`   after the redraws: coreBytes ${mb(redraw.statsAfter.coreBytes)}, wasm heap ${mb(redraw.statsAfter.wasmHeapBytes)}`
      + ` (at ready: ${mb(last.final.coreBytes)}, ${mb(last.final.wasmHeapBytes)})`);
    const zoom = results.zoom = await benchZoom({ editor: redrawTab.editor, ladders: quick ? 3 : 8, pans: quick ? 1 : 3 });
    out();
    out(formatZoom(zoom, `the ${redrawTab.redrawLabel} file`));
  }
  if (redrawTab) {
    await redrawTab.editor.page.close();
    await redrawTab.server.close();
  }

  if (want(5)) {
    const seg = results.segments = await benchSegments({ editor: await bench.newEditor(), file: media.formats.mp3, reps: quick ? 10 : 30 });
    out();
    out(`5. Annotation UI with ${seg.segments} segments over ${seg.tracks} tracks (10-minute MP3), medians and p95:`);
    out(formatTable(['what', 'median', 'p95'], [
      ['load the document (value =)', ms(seg.loadMs), ''],
      ['redraw, whole file', ms(seg.whole.medianMs), ms(seg.whole.p95Ms)],
      ['redraw, 10 s view', ms(seg.tenSeconds.medianMs), ms(seg.tenSeconds.p95Ms)],
      ['one edit (model, validation, autosave, panel, events)', ms(seg.editMedianMs), ms(seg.editP95Ms)],
      ['drag-resize: one pointer move', ms(seg.moveMedianMs), ms(seg.moveP95Ms)],
      ['drag-resize: drop (the edit)', ms(seg.dropMs), ''],
    ]));
  }

  if (want(7)) {
    const videos = prepareRemoteVideos((f) => log(`media ${f}`));
    const remote = results.remote = await benchRemote({ bench, files: videos, timeoutMs: quick ? 120000 : 300000, log });
    const t = REMOTE_TARGETS;
    out();
    out(`7. A one-hour 1080p video (H.264 5 Mbit/s + AAC 128k, ${mb(remote.rows[0].size)}) read in place from a media origin apart from the page:`);
    out('   as a fragmented MP4 (a fragment per 2 s) and as an ordinary faststart MP4 (the same remuxed with -movflags +faststart),');
    out(`   from a server that answers multi-range requests (multi-range, as nginx) and from one that behaves as S3 (S3-like: a multi-range`);
    out(`   request gets the whole file, and Ground Truth's usual CORS rule hides Content-Range), with 0 and ${LATENCY_MS} ms added to every`);
    out('   request. src -> ready: the full waveform and the frame index.');
    out('   requests and bytes: what reached the server from the worker (the element\'s own <video> reads apart); sync: the worker\'s');
    out('   synchronous ones (?: not counted); OPTIONS: CORS preflights of multi-range requests (not in the target\'s count);');
    out('   download: one Range request for as many bytes, read to its last byte in the same tab. link: loopback, or the server\'s');
    out('   link capped (all of a load\'s requests share it, as an annotator\'s connection to CloudFront/S3).');
    out(`   Targets: <= ${t.requests} requests, <= ${t.bytesFraction * 100}% of the file, ready <= ${t.vsDownload}x the download, with ${LATENCY_MS} ms <= ${t.latencyRatio}x the time without.`);
    out(formatTable(['file', 'server', 'link', 'latency', 'src -> ready', 'requests', 'sync', 'bytes', 'download', 'ready/download', 'vs 0 ms', '<video> reqs', 'target'],
      remote.rows.map((r) => [r.shape, SERVERS[r.serverKind].label, linkLabel(r.linkBits), `${r.latencyMs} ms`,
        r.ready ? secs(r.readyMs) : r.error ? `failed: ${r.error.slice(0, 60)}` : `not ready after ${(remote.timeoutMs / 1000).toFixed(0)} s`,
        `${r.atServer.requests}${r.atServer.preflights ? ` +${r.atServer.preflights} OPTIONS` : ''}`, r.worker.syncRequests ?? '?', `${mb(r.atServer.bytes)} (${((100 * r.atServer.bytes) / r.size).toFixed(1)}%)`,
        r.download ? secs(r.download.ms) : '', r.vsDownload ? ratio(r.vsDownload) : '', r.latencyRatio ? ratio(r.latencyRatio) : '',
        String(r.atServer.mediaElementRequests), r.verdict])));
    const floor = Object.entries(remote.singleRangeFloor).map(([shape, f]) => `${f.requests} for the ${shape} file (its sound lies in ${f.runs} runs)`).join(', ');
    out(`   Without multi-range answers, fetching at most ${t.bytesFraction * 100}% takes at least ${floor}: the request target needs multi-range.`);
    out('   Decode floor, no network (wall / CPU): native ffmpeg -threads 1 -map 0:a -f null (the sound only); ffprobe listing the video');
    out('   packets; our wasm core in Node on local reads: read plan, sound decoded with its peaks, frame index (the sound skipped).');
    out(formatTable(['file', 'ffmpeg sound', 'ffprobe packets', 'ours: plan', 'ours: sound + peaks', 'ours: frame index', 'ours ÷ ffmpeg (CPU)'],
      Object.entries(remote.decodeFloor).map(([shape, f]) => {
        const wc = (x) => `${secs(x.ms)} / ${secs(x.cpuMs)}`;
        return [shape, wc(f.ffmpegAudio), wc(f.ffprobePackets), wc(f.plan), wc(f.audio), wc(f.frameIndex),
          ratio((f.plan.cpuMs + f.audio.cpuMs + f.frameIndex.cpuMs) / f.ffmpegAudio.cpuMs)];
      })));
  }

  if (want(8)) {
    const spectro = results.spectrogram = await benchSpectrogram({ file: media.long['1h'] });
    out();
    out(`8. Spectrogram of the one-hour MP3, a ${1920} x 140 view (window 2048, mel), wasm core in Node:`);
    out(formatTable(['view', 'first draw', 'tiles computed', 'drawn again', 'waveform (peaks), same view'],
      spectro.rows.map((r) => [clock(r.span), ms(r.coldMs), r.tiles, ms(r.warmMs), ms(r.waveMs)])));
  }
} finally {
  await bench.close();
}

if (want(6)) {
  const video = results.video = await benchFrameIndex({ file: prepareVideo((f) => log(`media ${f}`)) });
  out();
  out(`6. Frame index of a one-hour H.264 video (640x360, 25 fps, B-frames; ${mb(video.bytes)}), demuxing only:`);
  out(formatTable(['what', 'frames', 'time', 'vs ffprobe -show_frames', 'vs ffprobe -show_packets'], [
    ['ffprobe -show_frames (decodes)', video.frames, ms(video.ffprobeFramesMs), '1.00x', ''],
    ['ffprobe -show_packets (demuxes)', '', ms(video.ffprobePacketsMs), '', '1.00x'],
    ['avseg-cli frames (native core)', video.nativeFrames, ms(video.nativeMs), ratio(video.ffprobeFramesMs / video.nativeMs), ratio(video.ffprobePacketsMs / video.nativeMs)],
    ['VideoIndex, wasm core in Node', video.wasmFrames, ms(video.wasmMs), ratio(video.ffprobeFramesMs / video.wasmMs), ratio(video.ffprobePacketsMs / video.wasmMs)],
  ]));
  out('   (ratios: how many times faster than ffprobe; every count must equal ffprobe\'s)');
}

if (want(9)) {
  const consolidation = results.consolidation = await benchConsolidation({ sizes: quick ? [10000, 100000] : [10000, 30000, 100000], log });
  out();
  out(formatConsolidation(consolidation));
}

if (want(10)) {
  const files = { 'ten-min': media.formats.mp3, 'one-hour': media.long['1h'] };
  const analysis = results.analysis = await benchAnalysis({ files, reps: quick ? 1 : 3, log });
  out();
  out(formatAnalysis(analysis));
}

if (want(4)) {
  out();
  out(`4. Shipped files in dist/ (each gzip -9 on its own). Budget: < ${mb(sizes.budget)} gzipped in total.`);
  out(formatTable(['files', 'raw', 'gzip -9', 'target'], [
    ...sizes.files.map((f) => [`  ${f.name}`, mb(f.raw, 3), mb(f.gzip, 3), '']),
    [`JS (${sizes.js.files} files)`, mb(sizes.js.raw, 3), mb(sizes.js.gzip, 3), ''],
    [`wasm (${sizes.wasm.files})`, mb(sizes.wasm.raw, 3), mb(sizes.wasm.gzip, 3), ''],
    ['total', mb(sizes.total.raw, 3), mb(sizes.total.gzip, 3), sizes.verdict],
  ]));
}

results.loadAverageAtEnd = os.loadavg();
out(`\nload average at end: ${busy(results.loadAverageAtEnd)}`);
if (opts.json) {
  mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
  writeFileSync(opts.json, JSON.stringify(results, null, 1) + '\n');
  out(`\nfigures written to ${path.resolve(opts.json)}`);
}
