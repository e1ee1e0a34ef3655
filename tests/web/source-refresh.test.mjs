// SPDX-License-Identifier: MIT
// What the annotator reads when a link expired, and how the <video>'s link is asked whether it
// expired: against a real loopback server answering as S3 does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { expiredMessage, expiredStatus, SourceLinks } from '../../web/src/source-refresh.js';

test('the message keeps the status and read count, and says the work is kept and how to go on', () => {
  const reader = 'The link to the media has expired (HTTP 403) after 40 reads; its ranges wait for a fresh URL.';
  assert.equal(expiredMessage(reader, { drafts: true }),
    'The link to the media has expired (the media server answered HTTP 403 after 40 reads). Everything drawn and annotated is kept, '
    + 'and saved as a draft in this browser. Reload or reopen the task to get a fresh link: your work comes back with it.');
  assert.match(expiredMessage("the player's read was refused: HTTP 410 for playback", { drafts: true }), /answered HTTP 410 for playback\)/);
  // Without drafts, reloading would lose the work: it says so instead.
  const off = expiredMessage(reader, { drafts: false });
  assert.match(off, /kept on this page; autosave is off, so do not reload it/);
  assert.doesNotMatch(off, /Reload or reopen/);
  assert.equal(expiredMessage(undefined, { drafts: true }).startsWith('The link to the media has expired. Everything'), true);
});

test('a link is asked for one byte: 400, 401, 403 and 410 are an expired link; anything else, or no answer, is not', async (t) => {
  const seen = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.range);
    const status = Number(req.url.slice(1));
    res.writeHead(status, { 'content-type': 'application/xml' }).end('<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const base = `http://127.0.0.1:${server.address().port}`;
  for (const status of [400, 401, 403, 410]) assert.equal(await expiredStatus(`${base}/${status}`), status);
  for (const status of [200, 206, 404, 416, 500, 503]) assert.equal(await expiredStatus(`${base}/${status}`), 0, String(status));
  assert.ok(seen.every((r) => r === 'bytes=0-0'));
  // A server that is gone: not an expired link.
  assert.equal(await expiredStatus('http://127.0.0.1:1/gone'), 0);
});

test('a <video> failure while an earlier probe is out asks the link again, so an expiry after a stall is still found', async (t) => {
  // The link answers 206 until it expires; the first probe (from a stall) is slow and sees it good.
  let expired = false;
  let held = null;
  const server = createServer((req, res) => {
    const answer = () => res.writeHead(expired ? 403 : 206, { 'content-range': 'bytes 0-0/10' }).end(expired ? '' : 'x');
    if (!expired && !held) held = answer;
    else answer();
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${server.address().port}/clip.mp4`;
  const media = new EventTarget();
  media.getAttribute = (name) => (name === 'src' ? url : null);
  const reported = [];
  const links = new SourceLinks(media, { report: (m) => reported.push(m), message: (reason) => `expired: ${reason}` });
  media.dispatchEvent(new Event('loadedmetadata'));
  const stalled = links.mediaFailed();
  while (!held) await new Promise((r) => setTimeout(r, 5));
  // The link expires and the <video>'s read fails while the stall's probe is still out.
  expired = true;
  const failed = links.mediaFailed();
  held();
  assert.equal(await failed, true, 'the failure is found to be an expired link');
  assert.equal(await stalled, true);
  assert.deepEqual(reported, ["expired: the player's read was refused: HTTP 403 for playback"]);
  assert.equal(links.expired, true);
});

test('a <video> failure after the link was found expired is that expiry, even when the server answers again before the player asks', async (t) => {
  // The worker found the link expired; the player's own refused read surfaces later, by which time
  // a probe would pass (here the server answers 206 throughout). It must not be called unplayable.
  let probes = 0;
  const server = createServer((req, res) => { probes += 1; res.writeHead(206, { 'content-range': 'bytes 0-0/10' }).end('x'); });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${server.address().port}/long.wav`;
  const media = new EventTarget();
  media.getAttribute = (name) => (name === 'src' ? url : null);
  const reported = [];
  const links = new SourceLinks(media, { report: (m) => reported.push(m), message: (reason) => `expired: ${reason}` });
  media.dispatchEvent(new Event('loadedmetadata'));
  links.expire('the media server answered HTTP 403 after 4 reads');
  assert.equal(await links.mediaFailed(), true, 'the failure belongs to the expired link');
  assert.deepEqual(reported, ['expired: the media server answered HTTP 403 after 4 reads'], 'said once');
  assert.equal(links.expired, true);
  assert.equal(probes, 0, 'nothing to ask: the link is known to have expired');
});
