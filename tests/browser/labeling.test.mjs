// SPDX-License-Identifier: MIT
// The Ground Truth templates and the local labeling run in headless Chromium: the template's
// answer (the document and the published sample's shape), submit blocked by problems, and a
// two-item run by a real `scripts/label.mjs` process that is killed mid-item and restarted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, copyFile, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser, collectConsole } from './browser.mjs';
import { fixtures } from './harness.mjs';
import { startServers } from '../../scripts/lib/servers.mjs';
import { secretsIn, secretsOf } from './run-secrets.mjs';
import { mkdir } from 'node:fs/promises';

const root = fileURLToPath(new URL('../..', import.meta.url));
let browser, tmp;

before(async () => {
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-labeling-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state'); // the runs' secrets, never in the real home
  await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, 'call.wav'));
  await copyFile(path.join(fixtures, 'dogs.webm'), path.join(tmp, 'dogs.webm'));
});

after(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

let nextPort = 18300;

/** Starts `scripts/label.mjs` as its own process; resolves once it listens. */
function startRun(args, port = (nextPort += 10), env = process.env) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--port', String(port), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], port, output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}

function stop(run, signal = 'SIGKILL') {
  return new Promise((resolve) => {
    if (run.child.exitCode !== null || run.child.signalCode !== null) return resolve(); // ended (a killed one has no exit code)
    run.child.once('exit', () => resolve());
    run.child.kill(signal);
  });
}

async function openPage(t) {
  const page = await browser.newPage();
  const log = collectConsole(page);
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI}`));
    // The editor's own events, caught on the way down whether or not they bubble.
    window.editorEvents = [];
    for (const type of ['error', 'peaks', 'ready']) {
      window.addEventListener(type, (e) => {
        if (e.target?.localName === 'avseg-editor') window.editorEvents.push({ type, code: e.detail?.code, message: e.detail?.message });
      }, true);
    }
  });
  t.after(async () => {
    if (t.passed === false || process.env.AVSEG_VERBOSE) console.log(JSON.stringify(log, null, 1));
    await page.close();
  });
  return page;
}

const editor = 'avseg-editor >> css=';
const whenReady = (page) => page.waitForFunction(() => document.querySelector('avseg-editor')?.ready, undefined, { timeout: 20000 });

/** Annotates the call as an annotator would, mostly through the UI: a track, a segment, its fields, the whole-file questions. */
async function annotateCall(page, { text }) {
  await page.selectOption(`${editor}select.track-category`, 'speaker');
  await page.selectOption(`${editor}select.track-tag`, 'Customer');
  await page.click(`${editor}button.add-track`);
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.selectedSegment = el.addSegment(el.selectedTrack, 0.3, 2.9);
  });
  await page.fill(`${editor}.segment-editor .field[data-field="text"] .control`, text);
  await page.selectOption(`${editor}.segment-editor .field[data-field="emotion"] select`, 'Worried');
  await page.selectOption(`${editor}.classifications .field[data-field="speechNonSpeech"] select`, 'Speech');
  await page.check(`${editor}.classifications .field[data-field="rate"] input[value="4"]`);
}

test('preview: problems block submit with a crowd-alert; the answer holds the document and the sample\'s shape', async (t) => {
  const manifest = path.join(tmp, 'preview.jsonl');
  // The sample's pre-annotation Lambda names the media taskObject: the template accepts it.
  await writeFile(manifest, `${JSON.stringify({ taskObject: 'call.wav', transcription: 'Hello, I would like to ask about my bill.', 'call-id': 'C-7' })}\n`);
  const run = await startRun(['--preview', manifest]);
  t.after(() => stop(run));
  const page = await openPage(t);
  await page.goto(run.url);
  await whenReady(page);
  // Everything runs under the page's strict CSP (no eval, no inline script).
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.match((await (await fetch(run.url.replace(/\/$/, '/task/0?worker=preview'))).headers.get('content-security-policy')), /script-src http:\/\/127\.0\.0\.1:\d+ 'wasm-unsafe-eval';/);
  // The config shows the task input's call id, as text.
  assert.deepEqual(await page.locator('.avseg-task-info').evaluate((dl) => [...dl.children].map((c) => c.textContent)), ['call-id', 'C-7']);
  // The whole-file transcription starts from the manifest's.
  assert.equal(await page.inputValue(`${editor}.classifications .field[data-field="textTranslationFinal"] .control`), 'Hello, I would like to ask about my bill.');

  // The submit button the form adds comes after the task, as Ground Truth places it.
  assert.equal(await page.evaluate(() => document.querySelector('crowd-form').lastElementChild.getAttribute('form-action')), 'submit');
  await page.click('crowd-button[form-action="submit"]');
  const alert = page.locator('crowd-alert[data-avseg-alert]');
  await alert.waitFor({ state: 'visible' });
  assert.match(await alert.textContent(), /Please fix these before submitting:\n• .*Is there speech\? is required/s);
  assert.equal(await page.locator('#avseg-preview-output').count(), 0, 'nothing was submitted');

  const t0 = Date.now();
  await annotateCall(page, { text: 'Hello, I would like' });
  // The last keystroke, straight before submitting, is in the answer.
  await page.type(`${editor}.segment-editor .field[data-field="text"] .control`, ' to ask');
  await page.click('crowd-button[form-action="submit"]');
  await page.locator('#avseg-preview-output').waitFor();
  assert.equal(await alert.isVisible(), false, 'the alert goes once the problems are fixed');
  const answer = JSON.parse(await page.locator('#avseg-preview-output').textContent());
  assert.deepEqual(Object.keys(answer), ['annotations']);
  const a = JSON.parse(answer.annotations);
  // The full document...
  assert.equal(a.format, 'avseg.annotation');
  assert.equal(a.timebase.rate, 48000);
  assert.equal(a.segments.length, 1);
  assert.equal(a.segments[0].start, 14400);
  assert.equal(a.segments[0].end, 139200);
  assert.deepEqual(a.segments[0].fields, { text: 'Hello, I would like to ask', emotion: 'Worried' });
  assert.deepEqual(a.classifications, { speechNonSpeech: 'Speech', rate: 4, textTranslationFinal: 'Hello, I would like to ask about my bill.' });
  assert.equal(a.taskId.split('\n').at(-1), 'call.wav');
  // ...and the published sample's shape beside it.
  assert.deepEqual(a.categories, { speaker: ['Customer', 'Representative'], language: ['English', 'Spanish', 'French', 'German', 'Other'] });
  assert.deepEqual(a.streams, { speaker: [{ text: 'Hello, I would like to ask', emotion: 'Worried', id: 'Customer', start: 0.3, end: 2.9 }], language: [] });
  assert.ok(a.startTimestamp <= t0 && a.endTimestamp >= t0, 'start when the task opened, end at submit');
  assert.equal(a.elapsedTime, a.endTimestamp - a.startTimestamp);
  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.equal(a.startUTCTime, new Date(a.startTimestamp).toUTCString());
  assert.equal(a.endUTCTime, new Date(a.endTimestamp).toUTCString());
});

test('local run: two items, killed mid-item and restarted, output manifest and worker responses line by line', async (t) => {
  const manifest = path.join(tmp, 'job.jsonl');
  const lines = [
    { 'source-ref': 'call.wav', transcription: 'Hello', 'call-id': 'C-1' },
    { 'source-ref': 'dogs.webm', 'clip-id': 'D-1' },
  ];
  await writeFile(manifest, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  const output = path.join(tmp, 'out');
  const args = [manifest, '--output', output, '--job', 'calls-1', '--label-attribute', 'segments'];
  let run = await startRun(args);
  t.after(() => stop(run));
  const page = await openPage(t);

  await page.goto(run.url);
  await page.fill('input[name="worker"]', 'Ada L');
  await page.click('button[type="submit"]');
  await page.waitForURL(/\/task\/0\?worker=Ada(\+|%20)L/);
  assert.match(await page.locator('.item-progress').textContent(), /^Item 1 of 2 · 0 of 2 done by you$/);
  await whenReady(page);
  await annotateCall(page, { text: 'Hello' });
  await page.click('crowd-button[form-action="submit"]');
  await page.waitForURL(/\/task\/1\?/);

  // Item 2 is a video: its picture is shown, and the video template's questions are asked.
  await whenReady(page);
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').shadowRoot.querySelector('video').hidden), false);
  assert.ok(await page.locator(`${editor}.classifications .field[data-field="videoQuality"]`).count());
  await page.selectOption(`${editor}.classifications .field[data-field="videoQuality"] select`, 'Poor');
  await page.evaluate(() => document.querySelector('avseg-editor').flushDraft());

  // Killed mid-item: the first answer is on disk, the half-done second survives in the browser.
  await stop(run, 'SIGKILL');
  let out = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n');
  assert.equal(out.length, 1);
  run = await startRun(args, run.port);   // the same address, as a restarted run has
  await page.goto(`${run.url}next?worker=Ada%20L`);
  await page.waitForURL(/\/task\/1\?/);
  await whenReady(page);
  await page.waitForFunction(() => document.querySelector('avseg-editor').value.classifications.videoQuality === 'Poor');
  await page.selectOption(`${editor}.classifications .field[data-field="primaryIncidents"] select`, '2');
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    const dog = el.addTrack('Dog', 'Dog #2');
    el.addSegment(dog, 1.04, 3.2, { text: 'trots past' });
  });
  await page.click('crowd-button[form-action="submit"]');
  await page.waitForURL(/\/next\?|\/task\//);
  await page.getByText('All done, Ada L').waitFor();

  // Going back shows the item as answered, with the answer in the editor even without the browser's draft.
  await page.goto(`${run.url}task/0?worker=Ada%20L`);
  assert.match(await page.locator('.item-progress').textContent(), /answered/);
  // The task input names the job (drafts are kept per job) and when the answer given here was submitted.
  const reopened = JSON.parse(await page.locator('avseg-editor').getAttribute('data-task-input'));
  assert.equal(reopened.avsegJob, 'calls-1');
  const stored = JSON.parse(await readFile(path.join(output, 'annotations/worker-response/iteration-1/0', (await readdir(path.join(output, 'annotations/worker-response/iteration-1/0')))[0]), 'utf8'));
  assert.equal(reopened.preAnnotationsTime, stored.answers[0].submissionTime);
  assert.equal(reopened.preAnnotations, stored.answers[0].answerContent.annotations);
  await whenReady(page);
  await page.evaluate(() => document.querySelector('avseg-editor').discardDraft());
  assert.deepEqual(await page.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => [s.startTime, s.endTime, s.fields.text])), [[0.3, 2.9, 'Hello']]);

  out = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(out.length, 2);
  for (const [i, line] of out.entries()) {
    for (const [k, v] of Object.entries(lines[i])) assert.deepEqual(line[k], v, `the input line's ${k} is kept`);
    assert.deepEqual(Object.keys(line['segments-metadata']).sort(), ['creation_date', 'human-annotated', 'job_name', 'type']);
    assert.equal(line['segments-metadata'].job_name, 'calls-1');
    assert.equal(line['segments-metadata'].type, 'groundTruth/custom');
    assert.equal(line['segments-metadata']['human-annotated'], 'yes');
    assert.ok(!Number.isNaN(Date.parse(line['segments-metadata'].creation_date)));
    const workers = line.segments.annotationsFromAllWorkers;
    assert.equal(workers.length, 1);
    assert.equal(workers[0].workerId, 'local.Ada L');
  }
  const first = JSON.parse(JSON.parse(out[0].segments.annotationsFromAllWorkers[0].annotationData.content).annotations);
  assert.deepEqual(first.streams.speaker.map((s) => [s.id, s.start, s.end, s.text, s.emotion]), [['Customer', 0.3, 2.9, 'Hello', 'Worried']]);
  const second = JSON.parse(JSON.parse(out[1].segments.annotationsFromAllWorkers[0].annotationData.content).annotations);
  assert.deepEqual(second.classifications, { videoQuality: 'Poor', primaryIncidents: '2' });
  // The answers name their media as the manifest does: the run's addresses, which hold its secrets, are not kept.
  assert.deepEqual([first.media.url, second.media.url], ['call.wav', 'dogs.webm']);
  // Nor does any other file of the output folder (it is what gets copied and shared): the tokens are kept in the user's state folder.
  const secrets = await secretsOf(output);
  assert.equal(secrets.length, 2);
  assert.deepEqual(await secretsIn(output, secrets), []);
  assert.deepEqual(second.streams.Dog.map((s) => [s.id, s.start, s.text]), [['Dog #2', second.segments[0].startTime, 'trots past']]);

  // The raw worker responses, one file per item, as Ground Truth writes them.
  for (const i of [0, 1]) {
    const dir = path.join(output, 'annotations/worker-response/iteration-1', String(i));
    const files = await readdir(dir);
    assert.equal(files.length, 1, `item ${i}: ${files}`);
    const { answers, avsegItem } = JSON.parse(await readFile(path.join(dir, files[0]), 'utf8'));
    assert.equal(answers.length, 1);
    // Each file names the item it answers: its media, its line's hash, where the line was.
    assert.equal(avsegItem.source, lines[i]['source-ref']);
    assert.match(avsegItem.lineHash, /^[0-9a-f]{64}$/);
    assert.equal(avsegItem.lineNumber, i + 1);
    const [ans] = answers;
    assert.deepEqual(Object.keys(ans).sort(), ['acceptanceTime', 'answerContent', 'submissionTime', 'timeSpentInSeconds', 'workerId', 'workerMetadata']);
    assert.equal(ans.workerMetadata.identityData.sub, 'Ada L');
    assert.ok(ans.timeSpentInSeconds >= 0);
    assert.equal(JSON.stringify(ans.answerContent), out[i].segments.annotationsFromAllWorkers[0].annotationData.content);
  }

  // Nothing outside the manifest's media is served, however the path is spelled, with the run's media token or without.
  const media = new URL(await page.locator('avseg-editor').getAttribute('data-src'));
  const [, token, , tag] = media.pathname.split('/');
  assert.match(token, /^[A-Za-z0-9_-]{43}$/, `the media URL carries the run's token: ${media}`);
  assert.equal((await fetch(media)).status, 200);
  for (const [port, p] of [[run.port + 2, '/media/0/..%2F..%2Fjob.jsonl'], [run.port + 2, '/media/0/../../job.jsonl'], [run.port + 2, '/media/0/job.jsonl'],
    [run.port + 1, '/../package.json'], [run.port + 1, '/%2e%2e/package.json'], [run.port + 2, '/media/5/call.wav'], [run.port + 2, '/media/0/call.wav'],
    [run.port + 2, `/${token}/media/${tag}/..%2F..%2Fjob.jsonl`], [run.port + 2, `/${token}/media/${tag}/job.jsonl`], [run.port + 2, `/${token}/media/0/call.wav`],
    [run.port + 2, `/${token}/peaks/${tag}/call.wav`], [run.port + 2, `/${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}/media/${tag}/call.wav`]]) {
    const status = await new Promise((resolve, reject) => {
      import('node:http').then(({ request }) => {
        const req = request({ host: '127.0.0.1', port, path: p }, (res) => { res.resume(); resolve(res.statusCode); });
        req.on('error', reject);
        req.end();
      });
    });
    assert.ok(status === 404 || status === 400 || status === 403, `${p} on :${port} answered ${status}`);
  }
});

test('a draft follows its item when the lines are reordered, never restored into another line on the same media', async (t) => {
  const manifest = path.join(tmp, 'drafts.jsonl');
  const lines = [{ 'source-ref': 'call.wav', 'call-id': 'first' }, { 'source-ref': 'call.wav', 'call-id': 'second' }];
  const write = (ls) => writeFile(manifest, ls.map((l) => `${JSON.stringify(l)}\n`).join(''));
  await write(lines);
  const args = [manifest, '--output', path.join(tmp, 'out-drafts')];
  let run = await startRun(args);
  t.after(() => stop(run));
  const page = await openPage(t);
  await page.goto(`${run.url}task/0?worker=ann`);
  await whenReady(page);
  await page.evaluate(() => {
    const el = document.querySelector('avseg-editor');
    el.addSegment(el.addTrack('speaker', 'Customer'), 0.5, 1.5, { text: 'heard in the first' });
    return el.flushDraft();
  });
  await page.close();
  await stop(run);

  // Nothing was answered, so the reordered manifest starts at once, at the same address.
  await write([lines[1], lines[0]]);
  run = await startRun(args, run.port);
  const texts = async (index) => {
    const p = await openPage(t);
    await p.goto(`${run.url}task/${index}?worker=ann`);
    await whenReady(p); // after the draft, if any, is restored
    const found = await p.evaluate(() => document.querySelector('avseg-editor').value.segments.map((s) => s.fields.text));
    await p.close();
    return found;
  };
  assert.deepEqual(await texts(0), [], 'the second line, now first, starts clean');
  assert.deepEqual(await texts(1), ['heard in the first'], 'the draft is back on its own line');
});

test('two annotators on one item: each answer is recorded with who gave it', async (t) => {
  const manifest = path.join(tmp, 'two.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const output = path.join(tmp, 'out-two');
  const run = await startRun([manifest, '--output', output, '--workers-per-item', '2']);
  t.after(() => stop(run));
  for (const [who, text] of [['alice', 'first'], ['bob', 'second']]) {
    const page = await openPage(t);
    await page.goto(`${run.url}next?worker=${who}`);
    await whenReady(page);
    await annotateCall(page, { text });
    await page.click('crowd-button[form-action="submit"]');
    await page.getByText(`All done, ${who}`).waitFor();
    const out = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim();
    // The item is finished only when both have answered.
    assert.equal(out ? out.split('\n').length : 0, who === 'alice' ? 0 : 1);
  }
  const [line] = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const answers = line['avseg-local'].annotationsFromAllWorkers.map((w) => [w.workerId, JSON.parse(JSON.parse(w.annotationData.content).annotations).streams.speaker[0].text]);
  assert.deepEqual(answers, [['local.alice', 'first'], ['local.bob', 'second']]);
});

test('--workers-per-item: an item with its answers refuses another annotator\'s, and the page says why', async (t) => {
  const manifest = path.join(tmp, 'one.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const output = path.join(tmp, 'out-one');
  const run = await startRun([manifest, '--output', output, '--workers-per-item', '1']);
  t.after(() => stop(run));
  const alice = await openPage(t);
  await alice.goto(`${run.url}next?worker=alice`);
  await whenReady(alice);
  await annotateCall(alice, { text: 'first' });
  await alice.click('crowd-button[form-action="submit"]');
  await alice.getByText('All done, alice').waitFor();
  const before = (await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8'));

  // Bob opens the item by its address all the same: he is told it is complete, and his answer is refused.
  const bob = await openPage(t);
  await bob.goto(`${run.url}task/0?worker=bob`);
  assert.match(await bob.locator('.item-progress').textContent(), /already has all its answers/);
  await whenReady(bob);
  await annotateCall(bob, { text: 'second' });
  const [response] = await Promise.all([
    bob.waitForResponse((r) => r.url().includes('/api/submit/0')),
    bob.click('crowd-button[form-action="submit"]'),
  ]);
  assert.equal(response.status(), 409);
  const alert = bob.locator('crowd-alert[type="error"]');
  await alert.waitFor({ state: 'visible' });
  assert.match(await alert.textContent(), /item 1 already has the answer it needs \(from alice\), so yours was not recorded/);
  assert.match(bob.url(), /\/task\/0\?/, 'bob stays on the item');
  assert.equal(await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8'), before);
  const [file] = await readdir(path.join(output, 'annotations/worker-response/iteration-1/0'));
  const { answers } = JSON.parse(await readFile(path.join(output, 'annotations/worker-response/iteration-1/0', file), 'utf8'));
  assert.deepEqual(answers.map((a) => a.workerId), ['local.alice']);
});

test('a line\'s peaks-ref reaches the element as its own peaks URL, drawn without a warning', async (t) => {
  const cli = path.join(root, 'build', 'avseg-cli');
  await new Promise((resolve, reject) => {
    const child = spawn(cli, ['audiowaveform', path.join(tmp, 'call.wav'), path.join(tmp, 'call.dat'), '--bits', '8'], { stdio: 'inherit' });
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`avseg-cli audiowaveform exited ${code}`))));
  });
  const manifest = path.join(tmp, 'peaks.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav', 'peaks-ref': 'call.dat' })}\n`);
  const run = await startRun([manifest, '--output', path.join(tmp, 'out-peaks')]);
  t.after(() => stop(run));
  const page = await openPage(t);
  const requested = [];
  page.on('request', (r) => requested.push(r.url()));
  const peaksResponse = page.waitForResponse((r) => r.url().includes('/peaks/'));
  await page.goto(`${run.url}next?worker=ann`);
  await whenReady(page);
  assert.equal((await peaksResponse).status(), 200);
  // The element reads the peaks whether they come before or after decoding; a warning would follow within moments.
  await page.waitForTimeout(500);
  const editorEl = page.locator('avseg-editor');
  const peaks = await editorEl.getAttribute('peaks');
  const src = await editorEl.getAttribute('data-src');
  assert.match(peaks, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/peaks\/[A-Za-z0-9_-]{16}\/call\.dat$/);
  assert.match(src, /\/media\/[A-Za-z0-9_-]{16}\/call\.wav$/);
  assert.ok(requested.includes(peaks), 'the peaks were fetched from their own URL');
  const events = await page.evaluate(() => window.editorEvents);
  assert.deepEqual(events.filter((e) => e.type === 'error'), [], 'no warning (invalid-peaks or other)');
  // The media was not fetched in place of the peaks: every request for it asks for the media's URL.
  assert.equal(requested.filter((u) => u === src).length >= 1, true);
  assert.equal(JSON.parse(await editorEl.getAttribute('data-task-input')).peaks, 'call.dat');
});

test('a malformed manifest stops the run with the line and what is wrong', async () => {
  const manifest = path.join(tmp, 'bad.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n{"source-ref": "call.wav",\n`);
  await assert.rejects(startRun([manifest, '--output', path.join(tmp, 'out-bad')]), /bad\.jsonl, line 2: not valid JSON/);
  await writeFile(manifest, `${JSON.stringify({ transcription: 'no media here' })}\n`);
  await assert.rejects(startRun([manifest, '--output', path.join(tmp, 'out-bad')]), /line 1: no media: give "source-ref"/);
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'missing.wav' })}\n`);
  await assert.rejects(startRun([manifest, '--output', path.join(tmp, 'out-bad')]), /missing\.wav does not exist/);
});

test('s3:// media is presigned with the machine\'s credentials, as grant_read_access does; without them the run says so', async (t) => {
  // An S3-compatible store on loopback: path-style /bucket/key, Range and CORS, like S3 behind a bucket CORS rule.
  const s3root = path.join(tmp, 's3');
  await mkdir(path.join(s3root, 'calls-bucket'), { recursive: true });
  await copyFile(path.join(fixtures, 'call.wav'), path.join(s3root, 'calls-bucket/call.wav'));
  const s3 = await startServers({ mediaRoot: s3root });
  t.after(() => s3.close());
  const manifest = path.join(tmp, 's3.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 's3://calls-bucket/call.wav' })}\n`);
  const base = { PATH: process.env.PATH, HOME: tmp, AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: path.join(tmp, 'none'), AWS_SHARED_CREDENTIALS_FILE: path.join(tmp, 'none') };
  await assert.rejects(startRun(['--preview', manifest], undefined, base), /s3:\/\/ media but no AWS credentials were found/);

  const env = {
    ...base, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', AWS_SESSION_TOKEN: 'FwoGZXIvYXdzEXAMPLESESSION', AWS_REGION: 'eu-west-1', AWS_ENDPOINT_URL_S3: s3.media.origin,
  };
  const run = await startRun(['--preview', manifest], undefined, env);
  t.after(() => stop(run));
  const page = await openPage(t);
  await page.goto(run.url);
  await whenReady(page);
  const gets = s3.requests.filter((r) => r.path === '/calls-bucket/call.wav' && r.method === 'GET');
  assert.ok(gets.length > 0, 'the media came from the store');
  for (const r of gets) {
    const q = new URLSearchParams(r.query);
    assert.equal(q.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    assert.match(q.get('X-Amz-Credential'), /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/);
    assert.match(q.get('X-Amz-Signature'), /^[0-9a-f]{64}$/);
  }
  // The draft key does not change with each new signature.
  assert.equal(await page.evaluate(() => document.querySelector('avseg-editor').taskId.split('\n').at(-1)), 's3://calls-bucket/call.wav');

  // Submitted in a run: the answer names the media by its s3:// URI, and keeps nothing of the signature or the machine's keys.
  const output = path.join(tmp, 'out-s3');
  const labeling = await startRun([manifest, '--output', output], undefined, env);
  t.after(() => stop(labeling));
  const task = await openPage(t);
  await task.goto(`${labeling.url}task/0?worker=ann`);
  await whenReady(task);
  assert.match(await task.locator('avseg-editor').getAttribute('data-src'), /X-Amz-Security-Token=FwoGZXIvYXdzEXAMPLESESSION/);
  assert.equal(await task.evaluate(async () => (await fetch(document.querySelector('meta[name="avseg-submit"]').content, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { annotations: JSON.stringify(document.querySelector('avseg-editor').value) } }),
  })).status), 200);
  const dir = path.join(output, 'annotations/worker-response/iteration-1/0');
  const kept = await readFile(path.join(dir, (await readdir(dir))[0]), 'utf8');
  assert.doesNotMatch(kept, /X-Amz-|AKIDEXAMPLE|EXAMPLESESSION/);
  assert.equal(JSON.parse(JSON.parse(kept).answers[0].answerContent.annotations).media.url, 's3://calls-bucket/call.wav');
});

test('scripts/run and scripts/preview read the paths given from the folder the command is typed in, not from the repository', async (t) => {
  // The real wrappers in a copy of the repository's layout whose setup, build and fixture steps do
  // nothing (they would install and build, and are not what is tested), running the real label.mjs through a link.
  const repo = path.join(tmp, 'repo');
  await mkdir(path.join(repo, 'scripts'), { recursive: true });
  await mkdir(path.join(repo, 'tests/fixtures'), { recursive: true });
  for (const name of ['run', 'preview']) {
    await copyFile(path.join(root, 'scripts', name), path.join(repo, 'scripts', name));
    await chmod(path.join(repo, 'scripts', name), 0o755);
  }
  for (const step of ['scripts/setup', 'scripts/build', 'tests/fixtures/make-media.sh']) await writeFile(path.join(repo, step), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
  await symlink(path.join(root, 'scripts/label.mjs'), path.join(repo, 'scripts/label.mjs'));
  // The user's folder: a manifest in one subfolder, its media in another (inside --media-root), their own template.
  const here = path.join(tmp, 'here');
  await mkdir(path.join(here, 'lists'), { recursive: true });
  await mkdir(path.join(here, 'media'), { recursive: true });
  await copyFile(path.join(fixtures, 'call.wav'), path.join(here, 'media/call.wav'));
  await writeFile(path.join(here, 'lists/calls.jsonl'), `${JSON.stringify({ 'source-ref': '../media/call.wav', note: 'typed here' })}\n`);
  await writeFile(path.join(here, 'mine.liquid.html'), '<p id="mine">my template: {{ task.input.note }}</p>\n');
  const wrapper = (name, args) => new Promise((resolve, reject) => {
    const child = spawn(path.join(repo, 'scripts', name), ['lists/calls.jsonl', '--media-root', '.', '--template', 'mine.liquid.html', '--port', '0', ...args], {
      cwd: here, stdio: ['ignore', 'pipe', 'pipe'],
    });
    t.after(() => stop({ child }));
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /open (http:\/\/\S+)/.exec(out);
      if (m) resolve({ url: m[1], out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`scripts/${name} exited (${code}): ${out}`)));
  });

  const run = await wrapper('run', ['--output', 'out']);
  assert.match(run.out, new RegExp(`output in ${path.join(here, 'out').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\)`));
  assert.equal(await readFile(path.join(here, 'out/manifests/output/output.manifest'), 'utf8'), '');
  assert.match(await (await fetch(`${run.url}task/0?worker=ann`)).text(), /<p id="mine">my template: typed here<\/p>/);
  const preview = await wrapper('preview', []);
  assert.match(await (await fetch(preview.url)).text(), /<p id="mine">my template: typed here<\/p>/);
  assert.deepEqual((await readdir(repo)).sort(), ['scripts', 'tests'], 'nothing was written in the repository');
});
