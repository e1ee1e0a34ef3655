// SPDX-License-Identifier: MIT
// The local run's output folder on a real file system: answers stored with their item's identity
// and never attached to another item (a second manifest, reordered or edited lines), re-attached by
// identity only when asked, corrupt files moved aside, new folders synced into their parents (seen
// with strace), and the run's own rules (label attribute, workers per item).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManifestError, readManifest } from '../../scripts/lib/labeling/manifest.mjs';
import { ConflictError, OutputStore } from '../../scripts/lib/labeling/output.mjs';
import { newSecret, withoutSecrets } from '../../scripts/lib/labeling/access.mjs';
import { startLabeling } from '../../scripts/label.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = process.env.AVSEG_FIXTURES ?? path.join(root, 'build/fixtures');
let tmp;

before(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-output-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state'); // the runs' secrets, never in the real home
  for (const name of ['a.wav', 'b.wav', 'c.wav']) await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, name));
});
after(() => rm(tmp, { recursive: true, force: true }));

const jsonl = (lines) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
async function manifest(name, lines) {
  const file = path.join(tmp, name);
  await writeFile(file, jsonl(lines));
  return file;
}

/** Opens a store on a manifest as a run does; `warnings` collects what it warns about. */
async function open(file, dir, { reattach = false, workersPerItem = 1, warnings = [] } = {}) {
  const items = await readManifest(file);
  const store = new OutputStore({ dir, items, labelAttribute: 'labels', jobName: 'job', workersPerItem, warn: (m) => warnings.push(m) });
  await store.load({ reattach });
  return store;
}

const responses = path.join('annotations', 'worker-response', 'iteration-1');
/** Every stored answer file under an output folder, relative to it, with the media it names and its answers' contents. */
async function stored(dir) {
  const out = [];
  const walk = async (d) => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.json')) {
        const doc = JSON.parse(await readFile(p, 'utf8'));
        out.push({ file: path.relative(dir, p), source: doc.avsegItem?.source, texts: doc.answers.map((a) => a.answerContent.text) });
      }
    }
  };
  await walk(path.join(dir, 'annotations'));
  return out.sort((x, y) => x.file.localeCompare(y.file));
}
const outputLines = async (dir) => (await readFile(path.join(dir, 'manifests/output/output.manifest'), 'utf8')).trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const pairing = async (dir, attribute = 'labels') => (await outputLines(dir)).map((l) => [l['source-ref'], JSON.parse(l[attribute].annotationsFromAllWorkers[0].annotationData.content).text]);

test('manifest A answered, then manifest B with the same job: B gets its own folder, and B on A\'s folder is refused', async (t) => {
  const a = await manifest('A.jsonl', [{ 'source-ref': 'a.wav' }, { 'source-ref': 'b.wav' }]);
  const b = await manifest('B.jsonl', [{ 'source-ref': 'c.wav' }, { 'source-ref': 'a.wav', note: 'other job' }]);
  const runA = await startLabeling({ manifest: a, port: 0 });
  t.after(() => rm(runA.outputDir, { recursive: true, force: true }));
  await runA.store.submit(0, 'ann', { answerContent: { text: 'answer to a.wav' } });
  await runA.close();
  const runB = await startLabeling({ manifest: b, port: 0 });
  t.after(() => rm(runB.outputDir, { recursive: true, force: true }));
  await runB.close();
  // The default folders: per manifest, under output/.
  assert.match(path.relative(root, runA.outputDir), /^output[/\\]avseg-local-A-[0-9a-f]{8}$/);
  assert.match(path.relative(root, runB.outputDir), /^output[/\\]avseg-local-B-[0-9a-f]{8}$/);
  assert.deepEqual([0, 1].map((i) => runB.store.workersOf(i)), [[], []], 'B starts with nothing answered');

  // B pointed at A's folder: the answer to a.wav is not B's line 1; the run names it and refuses.
  const before = await stored(runA.outputDir);
  await assert.rejects(startLabeling({ manifest: b, port: 0, output: runA.outputDir }), (err) => {
    assert.ok(err instanceof ManifestError);
    assert.match(err.message, /answers to a\.wav \(line 1 then\) match no line of this manifest; line 1 is now c\.wav/);
    assert.match(err.message, /No answer was moved\. Restart with --reattach/);
    return true;
  });
  assert.deepEqual(await stored(runA.outputDir), before);
  assert.deepEqual(await pairing(runA.outputDir, 'avseg-local'), [['a.wav', 'answer to a.wav']]);
  await assert.rejects(stat(path.join(runA.outputDir, '.avseg-run.lock')), { code: 'ENOENT' }, 'the refused run let go of the folder');
});

test('A\'s lines reordered, then restarted: the moved lines are named; --reattach moves each answer to its own line', async () => {
  const dir = path.join(tmp, 'out-reorder');
  const lines = [{ 'source-ref': 'a.wav', id: 1 }, { 'source-ref': 'b.wav', id: 2 }, { 'source-ref': 'c.wav', id: 3 }];
  const file = await manifest('reorder.jsonl', lines);
  const store = await open(file, dir);
  await store.submit(0, 'ann', { answerContent: { text: 'A' } });
  await store.submit(1, 'ann', { answerContent: { text: 'B' } });
  const before = await stored(dir);

  await writeFile(file, jsonl([lines[2], lines[0], lines[1]]));
  await assert.rejects(open(file, dir), (err) => {
    assert.match(err.message, /line 2 \(a\.wav\) was line 1 when answered/);
    assert.match(err.message, /line 3 \(b\.wav\) was line 2 when answered/);
    return true;
  });
  assert.deepEqual(await stored(dir), before, 'nothing moved');
  assert.deepEqual(await pairing(dir), [['a.wav', 'A'], ['b.wav', 'B']]);

  const warnings = [];
  const moved = await open(file, dir, { reattach: true, warnings });
  assert.equal(moved.answerOf(0, 'ann'), null, 'c.wav, now first, has no answer');
  assert.equal(moved.answerOf(1, 'ann').answerContent.text, 'A');
  assert.equal(moved.answerOf(2, 'ann').answerContent.text, 'B');
  assert.deepEqual(await pairing(dir), [['a.wav', 'A'], ['b.wav', 'B']]);
  assert.deepEqual((await stored(dir)).map((s) => [path.dirname(s.file), s.source]), [[path.join(responses, '1'), 'a.wav'], [path.join(responses, '2'), 'b.wav']]);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0], /answers for line 2 \(a\.wav\) re-attached by identity/);

  // Restarted again without --reattach: everything is where it belongs; a new answer joins its item.
  const again = await open(file, dir);
  await again.submit(0, 'ann', { answerContent: { text: 'C' } });
  assert.deepEqual(await pairing(dir), [['c.wav', 'C'], ['a.wav', 'A'], ['b.wav', 'B']]);
});

test('an edited line is named and refused; --reattach sets its answers aside, never on the edited line', async () => {
  const dir = path.join(tmp, 'out-edit');
  const lines = [{ 'source-ref': 'a.wav', transcription: 'hello' }, { 'source-ref': 'b.wav' }];
  const file = await manifest('edit.jsonl', lines);
  const store = await open(file, dir);
  await store.submit(0, 'ann', { answerContent: { text: 'hello heard' } });
  await store.submit(1, 'ann', { answerContent: { text: 'B' } });

  // Spacing and key order are not edits: the same data is the same item.
  await writeFile(file, `{ "transcription" : "hello",  "source-ref": "a.wav" }\n${JSON.stringify(lines[1])}\n`);
  assert.equal((await open(file, dir)).answerOf(0, 'ann').answerContent.text, 'hello heard');

  await writeFile(file, jsonl([{ 'source-ref': 'a.wav', transcription: 'goodbye' }, lines[1]]));
  await assert.rejects(open(file, dir), /line 1 \(a\.wav\) changed since it was answered/);
  const warnings = [];
  const aside = await open(file, dir, { reattach: true, warnings });
  assert.equal(aside.answerOf(0, 'ann'), null, 'the edited line has no answer');
  assert.equal(aside.answerOf(1, 'ann').answerContent.text, 'B');
  assert.deepEqual(await pairing(dir), [['b.wav', 'B']]);
  const files = await stored(dir);
  const unattached = files.filter((f) => f.file.startsWith(path.join('annotations', 'unattached')));
  assert.equal(unattached.length, 1);
  assert.deepEqual(unattached[0].texts, ['hello heard'], 'the answer is kept, set aside');
  assert.match(unattached[0].file, /unattached[/\\][^/\\]+[/\\]0[/\\][^/\\]+\.json$/);
  assert.match(warnings.join('\n'), /answers that match no line were moved to .*unattached/);
});

test('answers written without their item\'s identity (older runs) are refused, and set aside with --reattach', async () => {
  const dir = path.join(tmp, 'out-legacy');
  const file = await manifest('legacy.jsonl', [{ 'source-ref': 'a.wav' }]);
  await mkdir(path.join(dir, responses, '0'), { recursive: true });
  const answer = { answerContent: { text: 'old' }, workerId: 'local.x', workerMetadata: { identityData: { sub: 'x' } } };
  await writeFile(path.join(dir, responses, '0', '2025.json'), JSON.stringify({ answers: [answer] }));
  await assert.rejects(open(file, dir), /0[/\\]2025\.json: written without the item's identity \(by an older avseg\)/);
  const store = await open(file, dir, { reattach: true });
  assert.equal(store.answerOf(0, 'x'), null);
  assert.equal((await stored(dir)).filter((f) => f.file.includes('unattached')).length, 1);
});

test('a corrupt stored answer file is moved aside with a warning; the run goes on', async () => {
  const dir = path.join(tmp, 'out-corrupt');
  const file = await manifest('corrupt.jsonl', [{ 'source-ref': 'a.wav' }, { 'source-ref': 'b.wav' }]);
  const store = await open(file, dir);
  const { file: answers } = await store.submit(0, 'ann', { answerContent: { text: 'A' } });
  await store.submit(1, 'ann', { answerContent: { text: 'B' } });
  await writeFile(answers, '{"answers": [{"answerContent": {"te');
  const warnings = [];
  const reopened = await open(file, dir, { warnings });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /could not be read \(it is not valid JSON .*\); the file was moved to .*\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z and its item counts as not answered/);
  const names = await readdir(path.dirname(answers));
  assert.equal(names.length, 1);
  assert.match(names[0], /\.json\.corrupt-/);
  assert.equal(await readFile(path.join(path.dirname(answers), names[0]), 'utf8'), '{"answers": [{"answerContent": {"te', 'kept byte for byte');
  assert.equal(reopened.answerOf(0, 'ann'), null);
  assert.equal(reopened.answerOf(1, 'ann').answerContent.text, 'B');
  await reopened.submit(0, 'ann', { answerContent: { text: 'A again' } });
  assert.deepEqual(await pairing(dir), [['a.wav', 'A again'], ['b.wav', 'B']]);
});

test('a newly created answer folder is synced into its parent (fsync seen by strace)', async () => {
  const dir = path.join(tmp, 'out-fsync');
  const file = await manifest('fsync.jsonl', [{ 'source-ref': 'a.wav' }]);
  const script = `
    const { readManifest } = await import(${JSON.stringify(path.join(root, 'scripts/lib/labeling/manifest.mjs'))});
    const { OutputStore } = await import(${JSON.stringify(path.join(root, 'scripts/lib/labeling/output.mjs'))});
    const items = await readManifest(${JSON.stringify(file)});
    const store = new OutputStore({ dir: ${JSON.stringify(dir)}, items, labelAttribute: 'labels', jobName: 'job', workersPerItem: 1 });
    await store.load();
    await store.submit(0, 'ann', { answerContent: { text: 'A' } });`;
  const trace = await new Promise((resolve, reject) => {
    const child = spawn('strace', ['-f', '-y', '-e', 'trace=mkdir,mkdirat,fsync,fdatasync', process.execPath, '--input-type=module', '-e', script], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.once('error', (e) => reject(new Error(`strace is needed for this test (scripts/setup installs it): ${e.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve(err) : reject(new Error(`exit ${code}: ${err}`))));
  });
  const synced = new Set([...trace.matchAll(/f(?:data)?sync\(\d+<([^>]+)>\)\s*=\s*0/g)].map((m) => m[1]));
  const created = [...trace.matchAll(/mkdir(?:at)?\((?:[^,]+, )?"([^"]+)"[^)]*\)\s*=\s*0/g)].map((m) => m[1]);
  const answerFolder = path.join(dir, responses, '0');
  assert.ok(created.includes(answerFolder), `the answer folder was created: ${created.join(', ')}`);
  for (const folder of created) assert.ok(synced.has(path.dirname(folder)), `${path.dirname(folder)} synced after ${folder} was made in it: ${[...synced].join(', ')}`);
  assert.ok(synced.has(answerFolder), 'and the answer file in its folder');
});

test('--label-attribute cannot overwrite the task\'s input; --workers-per-item N refuses an (N+1)th annotator', async () => {
  const file = await manifest('keys.jsonl', [{ 'source-ref': 'a.wav' }, { 'source-ref': 'b.wav', transcription: 'hi', 'labels-metadata': {} }]);
  const output = path.join(tmp, 'out-keys');
  for (const [attr, why] of [
    ['source-ref', /--label-attribute "source-ref": that key is the task's own input/],
    ['peaks-ref', /that key is the task's own input/],
    ['transcription', /--label-attribute "transcription": line 2 already has a "transcription" key, which the answers would overwrite/],
    ['labels', /line 2 already has a "labels-metadata" key/],
  ]) {
    await assert.rejects(startLabeling({ manifest: file, output, port: 0, labelAttribute: attr }), why);
  }
  await assert.rejects(stat(output), { code: 'ENOENT' }, 'nothing was written');

  const store = await open(file, path.join(tmp, 'out-workers'), { workersPerItem: 2 });
  await store.submit(0, 'ann', { answerContent: { text: '1' } });
  await store.submit(0, 'bob', { answerContent: { text: '2' } });
  await store.submit(0, 'ann', { answerContent: { text: '1 again' } });
  await assert.rejects(store.submit(0, 'cy', { answerContent: { text: '3' } }), (err) => {
    assert.ok(err instanceof ConflictError);
    assert.equal(err.message, 'item 1 already has the 2 answers it needs (from ann, bob), so yours was not recorded; go on to the next item');
    return true;
  });
  assert.deepEqual(store.workersOf(0), ['ann', 'bob']);
  assert.equal(store.answerOf(0, 'ann').answerContent.text, '1 again');
});

test('an answer is kept without the run\'s secrets: its media addresses name the manifest\'s media, at any depth of JSON', () => {
  const mediaToken = newSecret();
  const runToken = newSecret();
  const sources = ['clips/a "quoted" \\ name.wav', 'b.dat'];
  const url = (slot, i, name) => `http://127.0.0.1:8082/${mediaToken}/${slot}/${i}/${encodeURIComponent(name)}`;
  const doc = { media: { url: url('media', 0, 'a "quoted" \\ name.wav'), duration: 1 }, peaks: url('peaks', 1, 'b.dat'), note: `from http://127.0.0.1:8080/${runToken}/task/0` };
  const answer = { annotations: JSON.stringify(doc), plain: `see ${url('media', 0, 'x.wav')} and ${url('media', 9, 'x.wav')}`, n: 3, list: [JSON.stringify({ twice: JSON.stringify(doc) })] };
  const kept = withoutSecrets(answer, { mediaToken, secrets: [runToken], sourceOf: (slot, i) => ({ 'media 0': sources[0], 'peaks 1': sources[1] })[`${slot} ${i}`] });
  const expected = { media: { url: sources[0], duration: 1 }, peaks: sources[1], note: 'from http://127.0.0.1:8080/[removed]/task/0' };
  assert.deepEqual(JSON.parse(kept.annotations), expected);
  assert.deepEqual(JSON.parse(JSON.parse(kept.list[0]).twice), expected);
  assert.equal(kept.plain, `see ${sources[0]} and [removed]`);
  assert.equal(kept.n, 3);
  assert.ok(!JSON.stringify(kept).includes(mediaToken) && !JSON.stringify(kept).includes(runToken));
  // A source needing no escaping takes the address's place in the text as it is: the rest is kept byte for byte.
  const spaced = `{"media": {"url": "${url('media', 1, 'b.dat')}"},  "x": 1.0, "y": "\\u00e9"}`;
  assert.equal(withoutSecrets({ annotations: spaced }, { mediaToken, secrets: [], sourceOf: () => 'b.dat' }).annotations, '{"media": {"url": "b.dat"},  "x": 1.0, "y": "\\u00e9"}');
  // s3:// media: its presigned URL, whenever it was signed, names the URI; any other signature left loses its value.
  const signed = 'https://calls.s3.eu-west-1.amazonaws.com/a.wav';
  const presigned = `${signed}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101&X-Amz-Security-Token=FwoG&X-Amz-Signature=abc`;
  const s3 = withoutSecrets({ annotations: JSON.stringify({ media: { url: presigned }, other: `https://x.example/b?X-Amz-Credential=AKID2&X-Amz-Signature=def` }) }, { mediaToken, signed: [[signed, 's3://calls/a.wav']] });
  assert.deepEqual(JSON.parse(s3.annotations), { media: { url: 's3://calls/a.wav' }, other: 'https://x.example/b?X-Amz-Credential=[removed]&X-Amz-Signature=[removed]' });
  // An answer without any secret is kept exactly as it came.
  const clean = { annotations: '{"a": 1,  "b":[2]}' };
  assert.equal(withoutSecrets(clean, { mediaToken, secrets: [runToken], sourceOf: () => undefined }).annotations, clean.annotations);
});

/** A POST to a run's page server as its own page sends it (Origin included). */
function post(run, url, body) {
  const { pathname, search } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: run.ports.page, path: pathname + search, method: 'POST', headers: { origin: `http://127.0.0.1:${run.ports.page}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test('a page left open while the run restarted on a changed manifest cannot answer the item now at its place', async (t) => {
  const output = path.join(tmp, 'out-stale');
  const file = await manifest('stale.jsonl', [{ 'source-ref': 'a.wav' }, { 'source-ref': 'b.wav' }]);
  let run = await startLabeling({ manifest: file, output, port: 0 });
  const html = await (await fetch(`${run.url}task/1?worker=ann`)).text();
  const submitUrl = /<meta name="avseg-submit" content="([^"]+)">/.exec(html)[1].replace(/&amp;/g, '&');
  await run.close();
  // Nothing was answered yet, so the run starts on the edited manifest; the page still shows b.wav, now line 3.
  await writeFile(file, jsonl([{ 'source-ref': 'c.wav' }, { 'source-ref': 'a.wav' }, { 'source-ref': 'b.wav' }]));
  run = await startLabeling({ manifest: file, output, port: 0 });
  t.after(() => run.close());
  const stale = await post(run, submitUrl, { answer: { text: 'about b.wav' } });
  assert.equal(stale.status, 409);
  assert.match(stale.body.error, /item 2 of the manifest is no longer the one this page shows .*this answer was not recorded/);
  assert.deepEqual([0, 1, 2].map((i) => run.store.workersOf(i)), [[], [], []]);
  assert.deepEqual(await stored(output), []);
  // The page as it is now answers b.wav where it now is.
  const fresh = await (await fetch(`${run.url}task/2?worker=ann`)).text();
  const ok = await post(run, /<meta name="avseg-submit" content="([^"]+)">/.exec(fresh)[1].replace(/&amp;/g, '&'), { answer: { text: 'about b.wav' } });
  assert.equal(ok.status, 200);
  assert.deepEqual(await pairing(output, 'avseg-local'), [['b.wav', 'about b.wav']]);
});

test('two runs on one output folder: the second is refused while the first runs; a lock left by a killed run is taken over', async () => {
  const output = path.join(tmp, 'out-twice');
  const file = await manifest('twice.jsonl', [{ 'source-ref': 'a.wav' }]);
  const first = await startLabeling({ manifest: file, output, port: 0 });
  await assert.rejects(startLabeling({ manifest: file, output, port: 0 }), (err) => {
    assert.ok(err instanceof ManifestError);
    assert.match(err.message, new RegExp(`the output folder .*out-twice is in use by another run \\(process ${process.pid}, since \\d{4}-.*\\): stop it first, or give another --output \\(if no run is using it, delete .*\\.avseg-run\\.lock\\)`));
    return true;
  });
  // The first run is untouched and still records answers; the refused one left nothing listening or locked behind.
  await first.store.submit(0, 'ann', { answerContent: { text: 'A' } });
  assert.deepEqual(await pairing(output, 'avseg-local'), [['a.wav', 'A']]);
  await first.close();
  await assert.rejects(stat(path.join(output, '.avseg-run.lock')), { code: 'ENOENT' }, 'released on close');

  // A run killed outright leaves its lock: the process it names has ended, so the next run takes the folder.
  const ended = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    child.once('exit', () => resolve(child.pid));
  });
  await writeFile(path.join(output, '.avseg-run.lock'), JSON.stringify({ pid: ended, host: os.hostname(), since: '2026-01-01T00:00:00.000Z' }));
  const next = await startLabeling({ manifest: file, output, port: 0 });
  assert.equal(JSON.parse(await readFile(path.join(output, '.avseg-run.lock'), 'utf8')).pid, process.pid);
  assert.equal(next.store.answerOf(0, 'ann').answerContent.text, 'A');
  await next.close();
  assert.deepEqual((await readdir(output)).filter((n) => n.includes('lock')), [], 'no lock or temporary file left');
});

test('a port in use stops the start with a message, and gives back the folder and the ports it took', async (t) => {
  const output = path.join(tmp, 'out-port');
  const file = await manifest('port.jsonl', [{ 'source-ref': 'a.wav' }]);
  const { createServer } = await import('node:net');
  const listenOn = (port) => new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(port, '127.0.0.1', () => resolve(s));
  });
  // The media server's port (PORT+2) is taken, after the pages and the component listen.
  let taken;
  let refused;
  for (let attempt = 0; attempt < 5 && !refused; attempt++) {
    taken = await listenOn(0);
    const port = taken.address().port - 2;
    const err = await startLabeling({ manifest: file, output, port }).then((run) => run.close(), (e) => e);
    if (err instanceof ManifestError && err.message.includes(`:${port + 2} `)) refused = { err, port };
    else await new Promise((r) => taken.close(r));
  }
  t.after(() => new Promise((r) => taken.close(r)));
  assert.ok(refused, 'a start on a taken port was refused');
  assert.match(refused.err.message, new RegExp(`^cannot listen on 127\\.0\\.0\\.1:${refused.port + 2} \\(EADDRINUSE\\): another program uses that port; give another --port$`));
  for (const port of [refused.port, refused.port + 1]) await listenOn(port).then((s) => new Promise((r) => s.close(r))); // free again
  await assert.rejects(stat(path.join(output, '.avseg-run.lock')), { code: 'ENOENT' });
});
