// SPDX-License-Identifier: MIT
// avseg benchmarks: decode throughput, long-file memory, redraw latency, shipped sizes, consolidation.
// Usage: scripts/bench [--quick] [--json [FILE]]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startBench } from './browser.mjs';
import { benchDecode, TARGET_RATIO } from './decode.mjs';
import { prepareMedia, mediaDir, MEDIA_VERSION } from './media.mjs';
import { benchMemory, HEAP_BUDGET, GROWTH_LIMIT } from './memory.mjs';
import { benchRedraw } from './redraw.mjs';
import { benchSizes } from './sizes.mjs';
import { benchSegments } from './segments.mjs';
import { benchFrameIndex, prepareVideo } from './video.mjs';
import { benchRange, prepareBigVideo } from './range.mjs';
import { benchSpectrogram } from './spectrogram.mjs';
import { benchConsolidation, formatConsolidation } from './consolidation.mjs';
import { formatTable, mb, rate, ratio, ms, clock } from './table.mjs';

// A bare --json writes to build/bench.json.
const argv = process.argv.slice(2);
const bare = argv.indexOf('--json');
if (bare >= 0 && (bare === argv.length - 1 || argv[bare + 1].startsWith('--'))) argv.splice(bare + 1, 0, 'build/bench.json');
const { values: opts } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, json: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
if (opts.help) {
  console.log('usage: scripts/bench [--quick] [--json FILE]\n  --quick  skip the 10-hour file and shorten the loops\n  --json   also write the figures to FILE');
  process.exit(0);
}
const quick = !!opts.quick;
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
const busy = (load) => `${load.map((l) => l.toFixed(2)).join(' ')}${load[0] > 0.5 ? '  (something else is running: expect noisy figures)' : ''}`;
out(`load average at start: ${busy(machine.loadAverage)}`);
out(`media: ${mediaDir}`);

const media = prepareMedia({ long: quick ? ['1h'] : ['1h', '10h'], log: (f) => log(`media ${f}`) });
const results = { date: new Date().toISOString(), quick, machine, mediaDir, mediaVersion: MEDIA_VERSION };

const sizes = results.sizes = benchSizes();
const bench = await startBench(mediaDir);
try {
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

  const memory = await benchMemory({ bench, files: media.long, sampleMs: 250, log });
  results.memory = { rows: memory.rows, growth: memory.growth };
  out();
  out('2. Long 48 kHz stereo MP3 (128k) through the element, a fresh tab each; stats() polled every 250 ms during the load');
  out(`   Target: wasm heap < ${mb(HEAP_BUDGET)} and not growing with duration (longest <= ${1 + GROWTH_LIMIT}x shortest).`);
  out('   browser PSS: proportional set size of all Chromium processes, before the load and at its peak during it');
  out(formatTable(['file', 'size', 'audio', 'to ready', 'load rate', 'coreBytes end', 'coreBytes peak', 'wasm heap end', 'wasm heap peak', 'browser PSS', 'target'],
    memory.rows.map((r) => [r.label, mb(r.bytes), clock(r.audioSeconds), `${r.readySeconds.toFixed(1)} s`, rate(r.audioPerSecond),
      mb(r.final.coreBytes), mb(r.peakCoreBytes), mb(r.final.wasmHeapBytes), mb(r.peakWasmHeapBytes),
      `${mb(r.browserPssBeforeBytes, 0)} -> ${mb(r.browserPssPeakBytes, 0)}`, r.verdict])));
  for (const r of memory.rows) for (const w of r.warnings) out(`   ${r.label}: non-fatal ${w.code}: ${w.message}`);
  const g = memory.growth;
  if (g) out(`   growth ${g.from} -> ${g.to}: peak wasm heap ${ratio(g.ratio)} (${mb(g.bytesPerHour, 2)} per hour of audio)  ${g.verdict}`);

  const redraw = results.redraw = await benchRedraw({ editor: memory.editor, n: quick ? 8 : 30 });
  out();
  out(`3. Redraw of the ${redraw.width}-px main view (DPR 1), ${memory.rows.at(-1).label} file, ${redraw.n} random positions per level:`);
  out(`   zoomTo -> avseg-rendered, called just after a frame, so each includes ~1 animation frame (${ms(redraw.frameMs)} here);`);
  out('   pan = a second zoomTo a tenth of a span over, which can reuse samples decoded for the first');
  out(formatTable(['span', 'samples/px', 'from samples', 'median', 'p95', 'max', 'pan median', 'pan p95'],
    redraw.levels.map((l) => [`${l.whole ? 'whole ' : ''}${clock(l.span)}`, l.samplesPerPixel >= 10 ? Math.round(l.samplesPerPixel) : l.samplesPerPixel.toFixed(3),
      l.fromSamples, ms(l.medianMs), ms(l.p95Ms), ms(l.maxMs), ms(l.panMedianMs), ms(l.panP95Ms)])));
  const last = memory.rows.at(-1);
  out(`   after the redraws: coreBytes ${mb(redraw.statsAfter.coreBytes)}, wasm heap ${mb(redraw.statsAfter.wasmHeapBytes)}`
    + ` (at ready: ${mb(last.final.coreBytes)}, ${mb(last.final.wasmHeapBytes)})  ${redraw.statsAfter.wasmHeapBytes < HEAP_BUDGET ? 'PASS' : 'MISS'}`);

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
  const bigVideo = prepareBigVideo((f) => log(`media ${f}`));
  const range = results.range = await benchRange({ editor: await bench.newEditor(), file: bigVideo, url: bench.mediaUrl(bigVideo) });
  out();
  out(`7. A one-hour 1080p video (H.264 5 Mbit/s + AAC 128k, fragmented MP4, ${mb(range.bytes)}) read in place with Range requests:`);
  out(formatTable(['what', 'value'], [
    ['bytes the worker fetched', `${mb(range.progress.loadedBytes)} (${((100 * range.progress.loadedBytes) / range.bytes).toFixed(1)}% of the file)`],
    ['range requests', String(range.progress.rangeRequests)],
    ['src -> ready (full waveform and frame index)', ms(range.readyMs)],
    ['native ffmpeg decoding the audio track from disk', ms(range.ffmpegMs)],
    ['ready vs ffmpeg', ratio(range.ffmpegMs / range.readyMs)],
    ['frames indexed', String(range.frames)],
  ]));
  const spectro = results.spectrogram = await benchSpectrogram({ file: media.long['1h'] });
  out();
  out(`8. Spectrogram of the one-hour MP3, a ${1920} x 140 view (window 2048, mel), wasm core in Node:`);
  out(formatTable(['view', 'first draw', 'tiles computed', 'drawn again', 'waveform (peaks), same view'],
    spectro.rows.map((r) => [clock(r.span), ms(r.coldMs), r.tiles, ms(r.warmMs), ms(r.waveMs)])));
} finally {
  await bench.close();
}

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

const consolidation = results.consolidation = await benchConsolidation({ sizes: quick ? [10000, 100000] : [10000, 30000, 100000], log });
out();
out(formatConsolidation(consolidation));

out();
out(`4. Shipped files in dist/ (each gzip -9 on its own). Budget: < ${mb(sizes.budget)} gzipped in total.`);
out(formatTable(['files', 'raw', 'gzip -9', 'target'], [
  ...sizes.files.map((f) => [`  ${f.name}`, mb(f.raw, 3), mb(f.gzip, 3), '']),
  [`JS (${sizes.js.files} files)`, mb(sizes.js.raw, 3), mb(sizes.js.gzip, 3), ''],
  [`wasm (${sizes.wasm.files})`, mb(sizes.wasm.raw, 3), mb(sizes.wasm.gzip, 3), ''],
  ['total', mb(sizes.total.raw, 3), mb(sizes.total.gzip, 3), sizes.verdict],
]));

results.loadAverageAtEnd = os.loadavg();
out(`\nload average at end: ${busy(results.loadAverageAtEnd)}`);
if (opts.json) {
  mkdirSync(path.dirname(path.resolve(opts.json)), { recursive: true });
  writeFileSync(opts.json, JSON.stringify(results, null, 1) + '\n');
  out(`\nfigures written to ${path.resolve(opts.json)}`);
}
