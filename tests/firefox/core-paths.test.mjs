// SPDX-License-Identifier: MIT
// The element's core paths in Debian's Firefox ESR (puppeteer-core over WebDriver BiDi): audio and
// video made by sox and ffmpeg at test time load and draw, play moves the time, seekFrame shows the
// frame it names, segments are made through the API, the pointer and the keyboard, the draft
// survives a reload, and an annotator submits in the local run (a real `scripts/label.mjs`).
// One browser for the file (its start is most of the cost); each test its own tab.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from '../browser/harness.mjs';
import { loadMedia, openTab, startFirefoxPage, waitFor, whenReady } from './harness.mjs';

const run = promisify(execFile);
const WIDTH = 160;
const HEIGHT = 90;
const BITS = 10;
// Block b of a frame is white when bit b of its number N is set (as tests/browser/frames.test.mjs draws them).
const BLOCKS = `geq=lum='if(bitand(N\\,pow(2\\,floor(X*${BITS}/W)))\\,235\\,16)':cb=128:cr=128`;

let dir;
let harness;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'avseg-firefox-media-'));
  process.env.AVSEG_STATE_DIR = path.join(dir, 'state'); // the local run's secrets, never in the real home
  const at = (name) => path.join(dir, name);
  const video = (name, rate, frames) => run('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=gray:size=${WIDTH}x${HEIGHT}:rate=${rate},format=yuv420p,${BLOCKS}`,
    '-f', 'lavfi', '-t', String(frames / rate), '-i', 'sine=frequency=330:sample_rate=48000',
    '-frames:v', String(frames), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '12', '-g', '15', '-pix_fmt', 'yuv420p',
    '-c:a', 'aac', '-b:a', '64k', '-movflags', '+faststart', at(name),
  ]);
  // A steady tone, so that every column of the whole-file view has ink.
  await run('sox', ['-n', '-r', '48000', '-c', '2', '-b', '16', at('tone.wav'), 'synth', '4', 'sine', '440', 'vol', '0.5']);
  await Promise.all([
    run('ffmpeg', ['-v', 'error', '-y', '-i', at('tone.wav'), '-c:a', 'libmp3lame', '-b:a', '128k', at('tone.mp3')]),
    video('30fps.mp4', 30, 60),
    video('25fps.mp4', 25, 50),
  ]);
  harness = await startFirefoxPage({ mediaRoot: dir, title: 'avseg firefox' });
});
after(async () => {
  await harness?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Columns of the main waveform that have ink (anything but the background and the zero line), near each end. */
function inkAtEnds(page) {
  return page.evaluate(() => new Promise((resolve) => {
    const el = document.querySelector('avseg-editor');
    const canvas = el.shadowRoot.querySelector('.wave canvas');
    const read = () => {
      const { width, height } = canvas;
      const data = canvas.getContext('2d').getImageData(0, 0, width, height).data;
      const zero = Math.round(0.5 * (height - 1));
      const bg = data.slice(0, 4).join();
      const inked = (x) => {
        for (let y = 0; y < height; y++) {
          const i = (y * width + x) * 4;
          if (y !== zero && data.slice(i, i + 4).join() !== bg) return true;
        }
        return false;
      };
      const band = Math.max(4, Math.round(width * 0.02));
      const count = (from) => Array.from({ length: band }, (_, k) => inked(from + k)).filter(Boolean).length;
      return { width, band, left: count(0), right: count(width - band), fromSamples: canvas.dataset.fromSamples };
    };
    // The view is drawn from peaks first, then from the samples: read once painting has paused.
    let timer;
    const done = () => { clearTimeout(timer); timer = setTimeout(() => resolve(read()), 200); };
    el.addEventListener('avseg-rendered', done);
    done();
  }));
}

for (const name of ['tone.wav', 'tone.mp3']) {
  test(`${name} loads, and the waveform is drawn at both ends of the whole-file view`, async (t) => {
    const page = await harness.openMedia(t, name);
    const info = await page.evaluate(() => {
      const el = document.querySelector('avseg-editor');
      return { duration: el.duration, sampleRate: el.sampleRate, channels: el.channels, view: el.view, frames: el.frames };
    });
    assert.ok(Math.abs(info.duration - 4) < 0.06, `duration ${info.duration}`);
    assert.equal(info.sampleRate, 48000);
    assert.equal(info.channels, 2);
    assert.equal(info.frames, null, 'audio has no frames');
    assert.equal(info.view.start, 0);
    assert.ok(Math.abs(info.view.end - info.duration) < 1e-9, JSON.stringify(info.view));
    const ink = await inkAtEnds(page);
    assert.equal(ink.left, ink.band, `every column of the first ${ink.band} px has ink: ${JSON.stringify(ink)}`);
    assert.equal(ink.right, ink.band, `every column of the last ${ink.band} px has ink: ${JSON.stringify(ink)}`);
  });
}

test('play moves currentTime on, and pause stops it', async (t) => {
  const page = await harness.openMedia(t, 'tone.mp3');
  const played = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const media = el.shadowRoot.querySelector('audio, video');
    let timeupdates = 0;
    el.addEventListener('timeupdate', () => { timeupdates++; });
    await el.play();
    const t0 = performance.now();
    while (el.currentTime < 0.4 && performance.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    const playing = { time: el.currentTime, paused: media.paused, timeupdates };
    el.pause();
    const stopped = el.currentTime;
    await new Promise((r) => setTimeout(r, 300));
    return { ...playing, stopped, later: el.currentTime };
  });
  assert.ok(played.time >= 0.4 && played.time < 3, `currentTime ${played.time} after playing`);
  assert.equal(played.paused, false);
  assert.ok(played.timeupdates > 0, 'timeupdate events while playing');
  assert.ok(Math.abs(played.later - played.stopped) < 0.05, `paused at ${played.stopped}, then ${played.later}`);
});

/**
 * Runs each action (['seek', n] or ['step', delta]) in the page, waits until the picture has been
 * presented, and returns what the element says (`frame`) and the number drawn in the picture.
 */
function act(page, actions) {
  return page.evaluate(async (actions, width, height, bits) => {
    const el = document.querySelector('avseg-editor');
    const video = el.shadowRoot.querySelector('video');
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    const drawn = () => {
      ctx.drawImage(video, 0, 0, width, height);
      const row = ctx.getImageData(0, height >> 1, width, 1).data;
      let n = 0;
      for (let b = 0; b < bits; b++) if (row[Math.floor(((b + 0.5) * width) / bits) * 4] > 128) n |= 1 << b;
      return n;
    };
    const results = [];
    for (const [op, arg] of actions) {
      const presented = new Promise((resolve) => video.requestVideoFrameCallback(() => resolve(true)));
      const seeked = new Promise((resolve) => video.addEventListener('seeked', () => resolve(true), { once: true }));
      if (op === 'seek') el.seekFrame(arg);
      else el.stepFrame(arg);
      const settled = await Promise.race([
        Promise.all([presented, seeked]),
        new Promise((resolve) => setTimeout(() => resolve(false), 10000)),
      ]);
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      results.push({ op, arg, settled: Boolean(settled), frame: el.frame, drawn: drawn(), time: el.currentTime });
    }
    return results;
  }, actions, WIDTH, HEIGHT, BITS);
}

/** ffprobe's own account: every frame's start in seconds, in presentation order. */
async function probe(name) {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=time_base:packet=pts', '-of', 'json', path.join(dir, name)]);
  const p = JSON.parse(stdout);
  const [num, den] = p.streams[0].time_base.split('/').map(Number);
  return p.packets.map((x) => (x.pts * num) / den).sort((a, b) => a - b);
}

for (const [name, count] of [['30fps.mp4', 60], ['25fps.mp4', 50]]) {
  test(`${name}: its frames are indexed as ffprobe reads them; seekFrame(n) shows frame n and frame === n, for every n`, async (t) => {
    const truth = await probe(name);
    assert.equal(truth.length, count);
    const page = await harness.open(t);
    // At `ready` (in its handler, as a host reading `frame` or taking a screenshot would) the first frame is shown.
    const atReady = await page.evaluate((src) => new Promise((resolve, reject) => {
      const el = document.querySelector('avseg-editor');
      el.addEventListener('ready', () => {
        const video = el.shadowRoot.querySelector('video');
        resolve({ ready: el.ready, hidden: video.hidden, videoWidth: video.videoWidth, haveFrame: video.readyState >= 2, frame: el.frame });
      }, { once: true });
      el.addEventListener('error', (e) => reject(new Error(`${e.detail.code}: ${e.detail.message}`)));
      el.config = { categories: [{ name: 'Dog', tags: ['Dog #1'] }] };
      el.src = src;
    }), harness.servers.media.url(`/${name}`));
    assert.deepEqual(atReady, { ready: true, hidden: false, videoWidth: WIDTH, haveFrame: true, frame: 0 }, 'at ready the <video> shows frame 0');
    // The times are a Float64Array, which WebDriver BiDi does not carry: as a plain array.
    const frames = await page.evaluate(() => {
      const { count, times } = document.querySelector('avseg-editor').frames;
      return { count, times: Array.from(times) };
    });
    assert.equal(frames.count, count, 'as many frames as ffprobe reads');
    for (let i = 0; i < count; i++) assert.ok(Math.abs(frames.times[i] - truth[i]) < 1e-9, `frame ${i} starts at ffprobe's ${truth[i]}, not ${frames.times[i]}`);

    // Every frame, in an order that jumps forwards and backwards across key frames (every 15th).
    const order = Array.from({ length: count }, (_, i) => (i * 7) % count);
    const seeks = await act(page, order.map((n) => ['seek', n]));
    const wrong = (results, expected) => results.map((r, i) => ({ ...r, expected: expected(i) }))
      .filter((r) => r.frame !== r.expected || r.drawn !== r.expected || !r.settled);
    assert.deepEqual(wrong(seeks, (i) => order[i]), [], 'seekFrame(n) shows and reports frame n');
    const steps = await act(page, [['seek', 13], ['step', 1], ['step', 1], ['step', -1]]);
    assert.deepEqual(wrong(steps, (i) => [13, 14, 15, 14][i]), [], 'stepFrame moves one frame at a time (across a key frame)');
  });
}

/** Presses a chord written as in keys.js ('Alt+Shift+ArrowLeft', 'Control+z'), holding its modifiers. */
async function chord(page, keys) {
  const parts = keys.split('+');
  const key = parts.pop();
  for (const m of parts) await page.keyboard.down(m);
  await page.keyboard.press(key);
  for (const m of parts.reverse()) await page.keyboard.up(m);
}

const value = (page) => page.evaluate(() => document.querySelector('avseg-editor').value);

test('segments are made through the API, by dragging on a lane and by recording with the keyboard; keys nudge, undo and delete', async (t) => {
  const page = await harness.openMedia(t, 'tone.wav');
  const { track, first } = await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.snapping = false;
    const id = el.addTrack('Dog', 'Dog #1');
    return { track: id, first: el.addSegment(id, 0.5, 1.25, { text: 'bark' }) };
  });
  let v = await value(page);
  assert.deepEqual(v.segments.map((s) => [s.id, s.track, s.start, s.end, s.fields.text]), [[first, track, 24000, 60000, 'bark']]);

  // Pointer: a drag from 2 s to 3 s on the lane's empty space draws a new segment there.
  const box = await page.evaluate(() => {
    const r = document.querySelector('avseg-editor').shadowRoot.querySelector('.lanes').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  });
  assert.ok(box.h > 0, `the lane is laid out: ${JSON.stringify(box)}`);
  const duration = await page.evaluate(() => document.querySelector('avseg-editor').duration);
  const x = (s) => box.x + (s / duration) * box.w;
  await page.mouse.move(x(2), box.y + 14);
  await page.mouse.down();
  await page.mouse.move(x(2.5), box.y + 14, { steps: 3 });
  await page.mouse.move(x(3), box.y + 14, { steps: 3 });
  await page.mouse.up();
  v = await value(page);
  assert.equal(v.segments.length, 2, 'the drag made a segment');
  const dragged = v.segments.find((s) => s.start > 60000);
  const px = (duration * 48000) / box.w;   // frames per CSS pixel
  assert.ok(Math.abs(dragged.start - 2 * 48000) <= 2 * px, `start ${dragged.start}`);
  assert.ok(Math.abs(dragged.end - 3 * 48000) <= 2 * px, `end ${dragged.end}`);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), dragged.id, 'the new segment is selected');

  // Keyboard: record from 3.2 s while playing (the track is selected by the drag), then nudge the start.
  await page.focus('avseg-editor');
  await page.evaluate(() => { document.querySelector('avseg-editor').currentTime = 3.2; });
  await page.keyboard.press('r');
  // Stop once playback has gone on half a second (however long it took to start on a busy machine).
  await waitFor(page, () => document.querySelector('avseg-editor').currentTime >= 3.7);
  await page.keyboard.press('r');
  await page.keyboard.press(' ');   // pause (puppeteer's BiDi keyboard knows the space only as ' ')
  v = await value(page);
  assert.equal(v.segments.length, 3, 'recording made a segment');
  const recorded = v.segments.find((s) => s.start > dragged.end - 1);
  assert.ok(recorded, JSON.stringify(v.segments));
  assert.ok(Math.abs(recorded.startTime - 3.05) < 0.06, `recorded from ${recorded.startTime} (3.2 s less the reaction time)`);
  assert.ok(recorded.endTime - recorded.startTime > 0.3, `recorded ${recorded.endTime - recorded.startTime} s`);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').selectedSegment), recorded.id);

  await chord(page, 'Alt+ArrowRight');   // start +10 ms
  v = await value(page);
  assert.equal(v.segments.find((s) => s.id === recorded.id).start, recorded.start + 480);
  await chord(page, 'Control+z');
  v = await value(page);
  assert.equal(v.segments.find((s) => s.id === recorded.id).start, recorded.start, 'undone');
  await page.keyboard.press('Delete');
  v = await value(page);
  assert.deepEqual(v.segments.map((s) => s.id).sort(), [first, dragged.id].sort(), 'Delete took the selected (recorded) segment away');
});

test('the draft is autosaved, and comes back after a reload', async (t) => {
  const page = await harness.open(t);
  const src = harness.servers.media.url('/tone.mp3');
  assert.equal((await loadMedia(page, src)).restored, false);
  await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #2'), 1, 2, { text: 'kept over a reload' });
    await el.flushDraft();
  });
  await page.reload();
  await waitFor(page, () => customElements.get('avseg-editor'));
  assert.equal((await loadMedia(page, src)).restored, true, 'a `restored` event');
  const v = await value(page);
  assert.deepEqual(v.tracks.map((tr) => tr.tag), ['Dog #2']);
  assert.deepEqual(v.segments.map((s) => [s.start, s.end, s.fields.text]), [[48000, 96000, 'kept over a reload']]);
});

/** Starts `scripts/label.mjs` on ephemeral ports; resolves once it says where to open it. */
function startRun(args) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

function stop(r) {
  return new Promise((resolve) => {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return resolve();
    r.child.once('exit', () => resolve());
    r.child.kill('SIGTERM');
  });
}

const editor = 'avseg-editor >>> ';
const problems = (page) => page.evaluate(() => document.querySelector('avseg-editor').validate().map((p) => p.message));

/** Clicks the template's submit and waits for the page the run sends the annotator to next. */
async function submit(page) {
  await Promise.all([page.waitForNavigation({ timeout: 20000 }), page.click('crowd-button[form-action="submit"]')]);
}

test('local run: an audio and a video item are annotated and submitted in Firefox, and land in the output manifest', async (t) => {
  const manifest = path.join(dir, 'job.jsonl');
  const lines = [{ 'source-ref': 'tone.wav', 'call-id': 'C-1' }, { 'source-ref': '30fps.mp4', 'clip-id': 'D-1' }];
  await writeFile(manifest, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const output = path.join(dir, 'out');
  const r = await startRun([manifest, '--output', output, '--job', 'firefox-1', '--label-attribute', 'segments']);
  t.after(() => stop(r));
  const page = await openTab(harness.firefox, t);

  await page.goto(r.url);
  await page.type('input[name="worker"]', 'Ada L');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  assert.match(page.url(), /\/task\/0\?worker=Ada(\+|%20)L/);
  await whenReady(page);

  // The audio item: a track and a segment through the API, its text typed into the panel, the whole-file questions.
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.selectedSegment = el.addSegment(el.addTrack('speaker', 'Customer'), 0.5, 2.5);
    el.setClassification('speechNonSpeech', 'Speech');
    el.setClassification('rate', 4);
  });
  await page.type(`${editor}.segment-editor .field[data-field="text"] .control`, 'Hello from Firefox');
  await page.select(`${editor}.segment-editor .field[data-field="emotion"] select`, 'Worried');
  assert.deepEqual(await problems(page), []);
  await submit(page);
  assert.match(page.url(), /\/task\/1\?/);

  // The video item: its picture is shown and the video template's questions are asked.
  await whenReady(page);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('video').hidden), false, 'the picture is shown at ready');
  await page.select(`${editor}.classifications .field[data-field="videoQuality"] select`, 'Poor');
  await page.select(`${editor}.classifications .field[data-field="primaryIncidents"] select`, '2');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('Dog', 'Dog #2'), el.frames.times[6], el.frames.times[30], { text: 'trots past' });
  });
  assert.deepEqual(await problems(page), []);
  await submit(page);
  await waitFor(page, () => document.body.textContent.includes('All done, Ada L'));

  const out = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 2);
  for (const [i, line] of out.entries()) {
    for (const [k, v] of Object.entries(lines[i])) assert.deepEqual(line[k], v, `the input line's ${k} is kept`);
    assert.equal(line['segments-metadata'].job_name, 'firefox-1');
    assert.equal(line.segments.annotationsFromAllWorkers[0].workerId, 'local.Ada L');
  }
  const answer = (i) => JSON.parse(JSON.parse(out[i].segments.annotationsFromAllWorkers[0].annotationData.content).annotations);
  const audio = answer(0);
  assert.deepEqual(audio.streams.speaker.map((s) => [s.id, s.start, s.end, s.text, s.emotion]), [['Customer', 0.5, 2.5, 'Hello from Firefox', 'Worried']]);
  assert.deepEqual([audio.classifications.speechNonSpeech, audio.classifications.rate], ['Speech', 4]);
  const video = answer(1);
  assert.deepEqual(video.classifications, { videoQuality: 'Poor', primaryIncidents: '2' });
  assert.deepEqual(video.segments.map((s) => [s.startFrame, s.endFrame, s.fields.text]), [[6, 30, 'trots past']]);
  assert.deepEqual([audio.media.url, video.media.url], ['tone.wav', '30fps.mp4']);
});
