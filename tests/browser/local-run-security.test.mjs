// SPDX-License-Identifier: MIT
// The local run serves its media and answers to its own pages only: a page from a fourth origin in
// Chromium can neither read them nor submit, even knowing the URLs; a DNS-rebound Host is refused
// by all three servers; a manifest cannot reach outside its media folder or into hidden files; and
// on a LAN each annotator signs in with a personal link that nobody else's can stand in for.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './browser.mjs';
import { fixtures } from './harness.mjs';
import { startLabeling } from '../../scripts/label.mjs';
import { identityTag, readManifest } from '../../scripts/lib/labeling/manifest.mjs';
import { hostNames, pageOrigins } from '../../scripts/lib/labeling/access.mjs';
import { secretsIn, secretsOf, stateFileOf } from './run-secrets.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
let browser, tmp;

before(async () => {
  browser = await launchBrowser();
  tmp = await mkdtemp(path.join(os.tmpdir(), 'avseg-security-'));
  process.env.AVSEG_STATE_DIR = path.join(tmp, 'state'); // the runs' secrets, never in the real home
  await mkdir(path.join(tmp, 'job'));
  await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, 'job/call.wav'));
});
after(async () => {
  await browser?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** A raw HTTP request to 127.0.0.1 with the headers given (Host and Origin included). */
function send(port, pathname, { method = 'GET', headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: pathname, method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const answerFiles = async (dir) => (await readdir(path.join(dir, 'annotations/worker-response/iteration-1'), { recursive: true }).catch(() => [])).filter((f) => f.endsWith('.json'));

test('a page from a fourth origin can neither read the media, the status or a task, nor submit, even knowing the URLs', async (t) => {
  const manifest = path.join(tmp, 'job/calls.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav', transcription: 'private words' })}\n`);
  const output = path.join(tmp, 'out-origin');
  const run = await startLabeling({ manifest, output, port: 0 });
  t.after(() => run.close());
  // Another site on the same machine: a fourth loopback origin.
  const hostile = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>elsewhere</title>'));
  await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => { hostile.closeAllConnections(); hostile.close(resolve); }));

  // The run's real addresses, as the hostile page might have learnt them (the worst case), and the old token-less ones.
  const own = await browser.newPage();
  t.after(() => own.close());
  await own.goto(`${run.url}task/0?worker=ann`);
  const media = await own.locator('avseg-editor').getAttribute('data-src');
  const submitUrl = await own.locator('meta[name="avseg-submit"]').getAttribute('content');
  const page = new URL(run.url);
  const urls = {
    media, mediaGuess: `http://127.0.0.1:${run.ports.media}/media/0/call.wav`,
    status: `${run.url}api/status`, statusGuess: `${page.origin}/api/status`,
    task: `${run.url}task/0?worker=ann`, taskGuess: `${page.origin}/task/0?worker=ann`,
    submit: submitUrl, submitGuess: `${page.origin}/api/submit/0?worker=ann`,
  };
  assert.match(media, /^http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]{43}\/media\/[A-Za-z0-9_-]{16}\/call\.wav$/);
  assert.ok(submitUrl.startsWith(run.url), 'the submit URL carries the token');

  const other = await browser.newPage();
  t.after(() => other.close());
  await other.goto(`http://127.0.0.1:${hostile.address().port}/`);
  const results = await other.evaluate(async (u) => {
    const read = async (url, init) => {
      try {
        const r = await fetch(url, init);
        return { type: r.type, status: r.status, body: await r.text() };
      } catch (err) {
        return { error: err.name };
      }
    };
    const out = {};
    for (const [name, url] of Object.entries(u)) {
      if (name.startsWith('submit')) continue;
      out[name] = await read(url);
      out[`${name} no-cors`] = await read(url, { mode: 'no-cors' });
    }
    const answer = JSON.stringify({ answer: { annotations: '{"format":"avseg.annotation","segments":[]}' } });
    for (const name of ['submit', 'submitGuess']) {
      // A simple request is sent without a preflight; a JSON one is preflighted.
      out[`${name} text/plain`] = await read(u[name], { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: answer });
      out[`${name} json`] = await read(u[name], { method: 'POST', headers: { 'content-type': 'application/json' }, body: answer });
    }
    return out;
  }, urls);
  for (const [name, r] of Object.entries(results)) {
    assert.ok(r.error === 'TypeError' || (r.type === 'opaque' && r.body === ''), `${name}: the hostile page read ${JSON.stringify(r)}`);
  }
  // A form posted across origins (a navigation: the page cannot read the answer, but it is sent).
  const formSent = other.waitForResponse((r) => r.url() === submitUrl);
  await other.evaluate((target) => {
    const form = Object.assign(document.createElement('form'), { method: 'POST', action: target, enctype: 'text/plain' });
    form.append(Object.assign(document.createElement('input'), { name: '{"answer": {"x": "', value: '"}}' }));
    document.body.append(form);
    form.submit();
  }, submitUrl);
  assert.equal((await formSent).status(), 403);
  assert.deepEqual(await answerFiles(output), [], 'nothing was stored');
  assert.equal(await readFile(path.join(output, 'manifests/output/output.manifest'), 'utf8'), '');

  // What the server itself answers to that origin (not only what the browser hides).
  const evil = { origin: `http://127.0.0.1:${hostile.address().port}` };
  for (const url of [urls.media, urls.status, urls.task]) {
    const { pathname, search, port } = new URL(url);
    const r = await send(port, pathname + search, { headers: evil });
    assert.equal(r.status, 403, `${url} from another origin: ${r.status}`);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  }
  // A no-cors fetch carries no Origin, but Chromium says it comes from another site: the pages refuse it too.
  for (const url of [urls.status, urls.task]) {
    const { pathname: p, search: q } = new URL(url);
    assert.equal((await send(run.ports.page, p + q, { headers: { 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'no-cors' } })).status, 403, url);
  }
  const { pathname, search } = new URL(submitUrl);
  const posted = await send(run.ports.page, pathname + search, { method: 'POST', headers: { ...evil, 'content-type': 'application/json' }, body: '{"answer": {"a": "1"}}' });
  assert.equal(posted.status, 403);
  assert.match(JSON.parse(posted.text).error, /refused: this request comes from http:\/\/127\.0\.0\.1:\d+, not from the run's own pages/);
  // Without an Origin at all (not a browser's POST), a form-encoded body is refused as well.
  assert.equal((await send(run.ports.page, pathname + search, { method: 'POST', headers: { origin: page.origin, 'content-type': 'text/plain' }, body: '{"answer": {"a": "1"}}' })).status, 415);
  assert.deepEqual(await answerFiles(output), []);

  // The run's own page, by contrast, reads its media and submits.
  const ok = await own.evaluate(async ([m, s]) => {
    const r = await fetch(m, { headers: { range: 'bytes=0-3' } });
    const p = await fetch(s, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ answer: { annotations: '{}' } }) });
    return [r.status, await r.text(), p.status];
  }, [media, submitUrl]);
  assert.deepEqual(ok, [206, 'RIFF', 200]);
  assert.equal((await answerFiles(output)).length, 1);
});

test('every server refuses a Host that is not its own (DNS rebinding)', async (t) => {
  const manifest = path.join(tmp, 'job/host.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const run = await startLabeling({ manifest, output: path.join(tmp, 'out-host'), port: 0 });
  t.after(() => run.close());
  const own = await send(run.ports.page, new URL(run.url).pathname + 'task/0?worker=ann', { headers: { host: `127.0.0.1:${run.ports.page}` } });
  assert.equal(own.status, 200);
  const media = new URL(/data-src="([^"]+)"/.exec(own.text)[1]);
  const targets = [[run.ports.page, new URL(run.url).pathname], [run.ports.assets, '/avseg.js'], [run.ports.media, media.pathname]];
  for (const [port, p] of targets) {
    assert.equal((await send(port, p, { headers: { host: `localhost:${port}` } })).status < 400, true, `localhost:${port}${p}`);
    for (const host of [`rebound.example:${port}`, `127.0.0.1:${port + 7}`, 'rebound.example', `127.0.0.1.rebound.example:${port}`]) {
      const r = await send(port, p, { headers: { host } });
      assert.equal(r.status, 421, `Host ${host} on :${port}${p}: ${r.status}`);
      assert.match(r.text, /this server answers only to 127\.0\.0\.1:\d+/);
    }
  }
});

test('a manifest reaching outside its folder, through a symlink, or into hidden files is refused line by line; nothing starts', async () => {
  const job = path.join(tmp, 'paths');
  await mkdir(path.join(job, 'sub/.hidden'), { recursive: true });
  await mkdir(path.join(tmp, 'outside'), { recursive: true });
  await copyFile(path.join(fixtures, 'call.wav'), path.join(job, 'call.wav'));
  await copyFile(path.join(fixtures, 'call.wav'), path.join(job, '.secret.wav'));
  await copyFile(path.join(fixtures, 'call.wav'), path.join(job, 'sub/.hidden/a.wav'));
  await copyFile(path.join(fixtures, 'call.wav'), path.join(tmp, 'outside/x.wav'));
  await symlink(path.join(tmp, 'outside/x.wav'), path.join(job, 'escape.wav'));
  await symlink(path.join(job, '.secret.wav'), path.join(job, 'plain.wav'));
  await symlink(path.join(job, 'call.wav'), path.join(job, 'inside.wav'));
  const manifest = path.join(job, 'm.jsonl');
  await writeFile(manifest, [
    { 'source-ref': 'call.wav' },
    { 'source-ref': '../../.aws/credentials' },
    { 'source-ref': 'escape.wav' },
    { 'source-ref': '.secret.wav' },
    { 'source-ref': 'sub/.hidden/a.wav' },
    { 'source-ref': 'plain.wav' },
    { 'source-ref': 'inside.wav' },
    { 'source-ref': 'call.wav', 'peaks-ref': '../outside/x.wav' },
    { 'source-ref': path.join(tmp, 'outside/x.wav') },
  ].map((l) => JSON.stringify(l)).join('\n') + '\n');
  const output = path.join(tmp, 'out-paths');
  await assert.rejects(startLabeling({ manifest, output, port: 0 }), (err) => {
    const lines = err.message.split('\n');
    assert.equal(lines.length, 7, err.message);
    assert.match(lines[0], /m\.jsonl, line 2: "\.\.\/\.\.\/\.aws\/credentials" is outside the media folder .*paths; only files inside it are served \(--media-root names another folder\)/);
    assert.match(lines[1], /line 3: "escape\.wav" is a link to .*outside\/x\.wav, outside the media folder/);
    assert.match(lines[2], /line 4: "\.secret\.wav": hidden files and folders \(\.secret\.wav\) are never served/);
    assert.match(lines[3], /line 5: "sub\/\.hidden\/a\.wav": hidden files and folders \(\.hidden\) are never served/);
    assert.match(lines[4], /line 6: "plain\.wav" is a link to .*\.secret\.wav: hidden files and folders \(\.secret\.wav\) are never served/);
    assert.match(lines[5], /line 8: peaks-ref: "\.\.\/outside\/x\.wav" is outside the media folder/);
    assert.match(lines[6], /line 9: ".*outside\/x\.wav" is outside the media folder/);
    return true;
  });
  await assert.rejects(stat(output), { code: 'ENOENT' }, 'the run did not start');

  // --media-root names the folder explicitly: the file outside the manifest's folder is in it.
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav', 'peaks-ref': '../outside/x.wav' })}\n${JSON.stringify({ 'source-ref': 'escape.wav' })}\n`);
  const run = await startLabeling({ manifest, output, port: 0, mediaRoot: tmp });
  await run.close();
  assert.deepEqual(run.items.map((i) => [i.path, i.peaks?.path]), [[path.join(job, 'call.wav'), path.join(tmp, 'outside/x.wav')], [path.join(tmp, 'outside/x.wav'), undefined]]);
});

/** scripts/label.mjs as its own process; resolves with what it printed once it listens. */
function startProcess(args) {
  const child = spawn(process.execPath, [path.join(root, 'scripts/label.mjs'), '--port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      if (/open http:\/\/\S+/.test(out)) resolve({ child, out, output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`label.mjs exited (${code}): ${out}`)));
  });
}
const kill = (child) => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) return resolve(); // ended (a killed one has no exit code)
  child.once('exit', resolve);
  child.kill('SIGKILL');
});

test('on a LAN each annotator signs in with a personal link: nobody reads another\'s answers or submits in their name', async (t) => {
  const manifest = path.join(tmp, 'job/lan.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const output = path.join(tmp, 'out-lan');
  // Bound to every interface; the test only ever talks to 127.0.0.1.
  const args = [manifest, '--host', '0.0.0.0', '--annotators', 'alice,bob', '--workers-per-item', '2', '--output', output];
  let run = await startProcess(args);
  t.after(() => kill(run.child));
  const local = (url) => { const u = new URL(url); u.hostname = '127.0.0.1'; return u; };
  const links = Object.fromEntries([...run.out.matchAll(/^ {2}(\w+) +(http:\/\/\S+)$/gm)].map((m) => [m[1], local(m[2])]));
  assert.deepEqual(Object.keys(links), ['alice', 'bob'], run.out);
  const admin = local(/open (http:\/\/\S+\/admin)/.exec(run.out)[1]);
  let port = Number(admin.port);
  let origin = `http://127.0.0.1:${port}`;
  assert.notEqual(links.alice.pathname, links.bob.pathname);

  const get = (u) => send(port, u.pathname + u.search);
  const follow = async (u) => {
    let r = await get(u);
    for (let i = 0; i < 3 && r.status >= 300 && r.status < 400; i++) r = await get(new URL(r.headers.location, u));
    return r;
  };
  const tag = identityTag((await readManifest(manifest))[0].identity);
  const submit = (link, body, { query = '' } = {}) => send(port, `${link.pathname}api/submit/0/${tag}${query}`, {
    method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: JSON.stringify({ answer: body }),
  });
  const storedAnswers = async () => {
    const dir = path.join(output, 'annotations/worker-response/iteration-1/0');
    const [file] = await readdir(dir);
    return JSON.parse(await readFile(path.join(dir, file), 'utf8')).answers.map((a) => [a.workerId, a.answerContent.annotations]);
  };

  // Alice's link leads her to her task; her answer is recorded as hers.
  const aliceTask = await follow(links.alice);
  assert.equal(aliceTask.status, 200);
  assert.match(aliceTask.text, /<strong>avseg-local<\/strong> <span>alice<\/span>/);
  assert.equal((await submit(links.alice, { annotations: 'alice: secret words' })).status, 200);

  // Bob's task shows nothing of hers; a name in the URL does not make him alice.
  const bobTask = await follow(links.bob);
  assert.equal(bobTask.status, 200);
  assert.doesNotMatch(bobTask.text, /secret words/);
  const bobStatus = JSON.parse((await get(new URL('api/status', links.bob))).text);
  assert.doesNotMatch(JSON.stringify(bobStatus), /alice|secret/);
  assert.equal((await submit(links.bob, { annotations: 'bob as alice?', page: links.bob.href }, { query: '?worker=alice' })).status, 200);
  assert.deepEqual(await storedAnswers(), [['local.alice', 'alice: secret words'], ['local.bob', 'bob as alice?']]);

  // No name page on a LAN, and no other key opens anything.
  for (const u of [new URL(`${origin}/`), new URL(`${admin.origin}${admin.pathname.replace(/admin$/, 'next')}?worker=alice`), new URL(`${origin}/${'A'.repeat(43)}/task/0`)]) {
    assert.equal((await get(local(u))).status, 404, u.href);
  }
  assert.equal((await send(port, `/${'A'.repeat(43)}/api/submit/0/${tag}?worker=alice`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{"answer":{}}' })).status, 404);
  assert.deepEqual((await storedAnswers()).map(([w]) => w), ['local.alice', 'local.bob']);

  // The admin's page makes a link on request; only from the run's own page.
  const form = `name=${encodeURIComponent('carol')}`;
  const formHeaders = { 'content-type': 'application/x-www-form-urlencoded' };
  assert.equal((await send(port, `${admin.pathname}/annotators`, { method: 'POST', headers: { ...formHeaders, origin: 'http://127.0.0.1:1' }, body: form })).status, 403);
  assert.equal((await send(port, `${links.alice.pathname}admin/annotators`, { method: 'POST', headers: { ...formHeaders, origin }, body: form })).status, 404, 'an annotator is not the admin');
  const made = await send(port, `${admin.pathname}/annotators`, { method: 'POST', headers: { ...formHeaders, origin }, body: form });
  assert.equal(made.status, 303);
  const page = await get(new URL(made.headers.location, admin));
  assert.match(page.text, /Link made for carol/);
  const carol = local(new RegExp(`<td>carol</td><td><a href="(http://[^"]+)"`).exec(page.text)[1]);
  assert.equal((await follow(carol)).status, 200);

  // The secrets are kept outside the output folder (which is shared as results), readable by their owner
  // alone, and no file of the output holds one, not even an answer that carried its page's address.
  const kept = await stateFileOf(output);
  assert.equal((await stat(kept)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(kept))).mode & 0o777, 0o700);
  const secrets = await secretsOf(output);
  assert.equal(secrets.length, 5, 'the run\'s, the media\'s, alice\'s, bob\'s and carol\'s');
  for (const u of [admin, links.alice, links.bob, carol]) assert.ok(secrets.includes(u.pathname.split('/')[1]), u.href);
  assert.deepEqual(await secretsIn(output, secrets), []);

  // Restarted, everyone keeps their link.
  await kill(run.child);
  run = await startProcess(args);
  assert.match(run.out, new RegExp(`carol +http://\\S+${carol.pathname}`));
  port = Number(local(/open (http:\/\/\S+\/admin)/.exec(run.out)[1]).port);
  origin = `http://127.0.0.1:${port}`;
  assert.match((await follow(links.alice)).text, /All done, alice/);
  const again = await get(new URL('task/0', links.alice));
  assert.equal(again.status, 200);
  assert.match(again.text, /alice: secret words/, 'alice sees her own answer again');
});

test('secrets an older avseg kept in the output folder are moved to the state folder: the same links, none left in the output', async (t) => {
  const manifest = path.join(tmp, 'job/moved.jsonl');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const output = path.join(tmp, 'out-moved');
  await mkdir(output);
  // As an older avseg left it.
  const token = () => randomBytes(32).toString('base64url');
  const old = { runToken: token(), mediaToken: token(), annotators: [{ name: 'alice', secret: token() }] };
  const legacy = path.join(output, '.avseg-access.json');
  await writeFile(legacy, `${JSON.stringify(old, null, 2)}\n`, { mode: 0o600 });
  const args = [manifest, '--annotators', 'alice', '--output', output];
  const start = async () => {
    const run = await startProcess(args);
    t.after(() => kill(run.child));
    const admin = new URL(/open (http:\/\/\S+\/admin)/.exec(run.out)[1]);
    const alice = new URL(/^ {2}alice +(http:\/\/\S+)$/m.exec(run.out)[1]);
    const opens = async (u) => (await send(Number(u.port), u.pathname, { headers: { host: u.host } })).status;
    assert.deepEqual([await opens(alice), await opens(admin)], [302, 200], run.out);
    // Everything it says before listening, stderr included.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { ...run, admin, alice, said: run.output() };
  };

  let run = await start();
  assert.equal(run.admin.pathname, `/${old.runToken}/admin`, 'the admin\'s link is the one the old file held');
  assert.equal(run.alice.pathname, `/${old.annotators[0].secret}/`, 'so is alice\'s');
  assert.match(run.said, /the run's secrets \(its tokens and annotators' links\) were moved out of the output folder, from \S+out-moved\/\.avseg-access\.json to \S+\/state\/runs\/[0-9a-f]{16}\.json; the links stay the same/);
  await assert.rejects(stat(legacy), { code: 'ENOENT' });
  const kept = await stateFileOf(output);
  assert.equal((await stat(kept)).mode & 0o777, 0o600);
  assert.deepEqual(await secretsOf(output), [old.runToken, old.mediaToken, old.annotators[0].secret]);
  assert.deepEqual(await secretsIn(output, await secretsOf(output)), []);
  await kill(run.child);

  // Started again through another path to the same folder: the same secrets, nothing more to move.
  const other = path.join(tmp, 'out-moved-link');
  await symlink(output, other);
  args[args.length - 1] = other;
  run = await start();
  assert.deepEqual([run.admin.pathname, run.alice.pathname], [`/${old.runToken}/admin`, `/${old.annotators[0].secret}/`]);
  assert.doesNotMatch(run.said, /were moved|was deleted/);
  await kill(run.child);

  // A secrets file copied in with another run's output is deleted, and this run's links stay.
  const stray = { runToken: token(), mediaToken: token(), annotators: [{ name: 'alice', secret: token() }] };
  await writeFile(legacy, JSON.stringify(stray));
  run = await start();
  assert.equal(run.alice.pathname, `/${old.annotators[0].secret}/`);
  assert.match(run.said, /\S+\.avseg-access\.json was deleted: it held another run's links, and this run's secrets are kept in \S+\/state\/runs\/[0-9a-f]{16}\.json, outside the output folder/);
  await assert.rejects(stat(legacy), { code: 'ENOENT' });
  assert.deepEqual(await secretsIn(output, [...await secretsOf(output), stray.runToken, stray.mediaToken, stray.annotators[0].secret]), []);
});

test('a template written for Ground Truth shows a manifest\'s text as text: values are escaped unless a filter says otherwise', async (t) => {
  const manifest = path.join(tmp, 'job/markup.jsonl');
  const note = '<img src=x id=injected> & "quoted"';
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'call.wav', note })}\n`);
  const template = path.join(tmp, 'job/custom.liquid.html');
  await writeFile(template, [
    '<p class="plain">{{ task.input.note }}</p>',
    '<p class="escaped">{{ task.input.note | escape }}</p>',
    '<p class="upper">{{ task.input.note | upcase }}</p>',
    '<p class="json" data-x=\'{{ task.input | to_json }}\'></p>',
    '<p class="raw">{{ "<b>bold</b>" | skip_autoescape }}</p>',
  ].join('\n'));
  const run = await startLabeling({ manifest, template, preview: true, port: 0 });
  t.after(() => run.close());
  const { pathname } = new URL(run.url);
  const { status, text } = await send(run.ports.page, `${pathname}task/0?worker=preview`, { headers: { host: `127.0.0.1:${run.ports.page}` } });
  assert.equal(status, 200);
  const once = '&lt;img src=x id=injected&gt; &amp; &#34;quoted&#34;';
  assert.match(text, new RegExp(`<p class="plain">${once}</p>`));
  assert.match(text, new RegExp(`<p class="escaped">${once}</p>`), 'escaped once, not twice');
  assert.match(text, /<p class="upper">&lt;IMG SRC=X ID=INJECTED&gt; &amp; &#34;QUOTED&#34;<\/p>/);
  // to_json is plain JSON, as Ground Truth's documentation shows it; its markup characters are \u escapes.
  assert.match(text, /<p class="json" data-x='\{"source-ref":"call\.wav","note":"\\u003cimg src=x id=injected\\u003e \\u0026 \\"quoted\\"","avsegJob":"avseg-local"\}'><\/p>/);
  assert.match(text, /<p class="raw"><b>bold<\/b><\/p>/);
  assert.doesNotMatch(text, /<img src=x/);
});

test('file:// URLs are read as file URLs (localhost or no host, percent-decoded) and kept inside the media folder the same way', async () => {
  const job = path.join(tmp, 'urls');
  await mkdir(job, { recursive: true });
  await copyFile(path.join(fixtures, 'call.wav'), path.join(job, 'my clip.wav'));
  const manifest = path.join(job, 'm.jsonl');
  const url = (p) => `file://${p.split(path.sep).map(encodeURIComponent).join('/')}`;
  const good = [url(path.join(job, 'my clip.wav')), url(path.join(job, 'my clip.wav')).replace('file://', 'file://localhost')];
  await writeFile(manifest, [
    ...good,
    `file://elsewhere.example${url(path.join(job, 'my clip.wav')).slice(7)}`,
    `${url(job)}/%2e%2e/outside/x.wav`,
    `${url(job)}/..%2Foutside%2Fx.wav`,
  ].map((s) => JSON.stringify({ 'source-ref': s })).join('\n') + '\n');
  await assert.rejects(startLabeling({ manifest, output: path.join(tmp, 'out-urls'), port: 0 }), (err) => {
    const lines = err.message.split('\n');
    assert.equal(lines.length, 3, err.message);
    assert.match(lines[0], /line 3: "file:\/\/elsewhere\.example\/.*" is not a file URL on this machine \(File URL host must be "localhost" or empty/);
    assert.match(lines[1], /line 4: ".*%2e%2e\/outside\/x\.wav" is outside the media folder/);
    assert.match(lines[2], /line 5: ".*\.\.%2Foutside%2Fx\.wav" is not a file URL on this machine \(File URL path must not include encoded \//);
    return true;
  });
  await writeFile(manifest, good.map((s) => JSON.stringify({ 'source-ref': s })).join('\n') + '\n');
  const run = await startLabeling({ manifest, output: path.join(tmp, 'out-urls'), port: 0 });
  await run.close();
  assert.deepEqual(run.items.map((i) => i.path), [path.join(job, 'my clip.wav'), path.join(job, 'my clip.wav')]);
});

test('media is served as data, never as a page; the media and component servers\' errors say no more than their status', async (t) => {
  const manifest = path.join(tmp, 'job/pages.jsonl');
  await writeFile(path.join(tmp, 'job/page.html'), '<!doctype html><title>not media</title><script src="x.js"></script>');
  await writeFile(manifest, `${JSON.stringify({ 'source-ref': 'page.html' })}\n${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const run = await startLabeling({ manifest, output: path.join(tmp, 'out-pages'), port: 0 });
  t.after(() => run.close());
  const own = (port) => ({ host: `127.0.0.1:${port}` });
  const mediaPath = async (index) => new URL(/data-src="([^"]+)"/.exec((await send(run.ports.page, `${new URL(run.url).pathname}task/${index}?worker=ann`, { headers: own(run.ports.page) })).text)[1]).pathname;
  const html = await send(run.ports.media, await mediaPath(0), { headers: own(run.ports.media) });
  assert.equal(html.status, 200);
  assert.equal(html.headers['x-content-type-options'], 'nosniff');
  assert.match(html.headers['content-security-policy'], /^sandbox; default-src 'none'$/);
  // An unsatisfiable range: the status and the size, no stack trace naming the server's files.
  const range = await send(run.ports.media, await mediaPath(1), { headers: { ...own(run.ports.media), range: 'bytes=999999999-' } });
  assert.equal(range.status, 416);
  assert.match(range.headers['content-range'], /^bytes \*\/\d+$/);
  assert.doesNotMatch(range.text, /node_modules|at |Error/);
  const asset = await send(run.ports.assets, '/avseg.js', { headers: { ...own(run.ports.assets), range: 'bytes=999999999-' } });
  assert.equal(asset.status, 416);
  assert.doesNotMatch(asset.text, /node_modules|at |Error/);
});

test('the run\'s own pages are recognised by the Origin a browser sends, port 80 included (written without its port)', () => {
  const names = hostNames('127.0.0.1').names;
  assert.ok(pageOrigins(names, 8080).has('http://127.0.0.1:8080'));
  assert.ok(pageOrigins(names, 8080).has('http://[::1]:8080'));
  assert.ok(pageOrigins(names, 80).has('http://localhost'), 'a page on port 80 sends Origin http://localhost');
  assert.ok(!pageOrigins(names, 80).has('http://localhost:8080'));
});

test('a hostile manifest\'s values are named safely: no terminal escapes, long values cut, lines that are not objects refused; a byte order mark is no error', async () => {
  const manifest = path.join(tmp, 'job/hostile.jsonl');
  await writeFile(manifest, `\uFEFF${[
    { 'source-ref': 'call.wav' },
    { 'source-ref': `${'x'.repeat(5000)}.wav` },
    { 'source-ref': '\u001b]0;owned\u0007\u202eevil.wav' },
    [{ 'source-ref': 'call.wav' }], 'call.wav', null, 7,
    { 'source-ref': 'call.wav' },
  ].map((l) => JSON.stringify(l)).join('\r\n')}\r\n{"source-ref": "\u001b[2J\n`);
  await assert.rejects(startLabeling({ manifest, output: path.join(tmp, 'out-hostile'), port: 0 }), (err) => {
    const lines = err.message.split('\n');
    assert.equal(lines.length, 7, err.message);
    assert.match(lines[0], /line 2: cannot read .*x{20}…\(\d{4} characters\)…x+\.wav \(ENAMETOOLONG\)$/);
    assert.match(lines[1], /line 3: the media file .*\\u001b\]0;owned\\u0007\\u202eevil\.wav does not exist$/);
    for (const [i, n] of [[2, 4], [3, 5], [4, 6], [5, 7]]) assert.match(lines[i], new RegExp(`line ${n}: each line must be a JSON object$`));
    assert.match(lines[6], /line 9: not valid JSON \(.*\)$/);
    assert.doesNotMatch(err.message, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, 'nothing the terminal would act on');
    assert.ok(err.message.length < 2500, `${err.message.length} characters`);
    return true;
  });
  // The same lines fixed: the first line, behind its byte order mark, and its duplicate are two items.
  await writeFile(manifest, `\uFEFF${JSON.stringify({ 'source-ref': 'call.wav' })}\n${JSON.stringify({ 'source-ref': 'call.wav' })}\n`);
  const run = await startLabeling({ manifest, output: path.join(tmp, 'out-hostile'), port: 0 });
  await run.close();
  assert.deepEqual(run.items.map((i) => [i.lineNumber, i.identity.occurrence]), [[1, 1], [2, 2]]);
  assert.notEqual(run.items[0].tag, run.items[1].tag);
});
