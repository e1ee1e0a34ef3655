// SPDX-License-Identifier: MIT
// CoreClient's start chain in an environment that has no Worker at all (Node): both workers fail
// to start, the core runs on the thread it is in (page-thread-core.js), and what the element
// posted before the core said HELLO is delivered after it, only the newest load. Runs the built
// dist/core-client.js (its worker-host.js imports the wasm glue, which only scripts/build makes).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';

const { CoreClient } = await import(new URL('../../dist/core-client.js', import.meta.url).href);

test('without Worker, the core starts on this thread, says why, and gets the queued newest load', async (t) => {
  const server = createServer((req, res) => { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('no'); });
  await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
  t.after(() => server.close());
  const base = `http://127.0.0.1:${server.address().port}`;
  const heard = [];
  let start;
  const client = new CoreClient((msg) => heard.push(msg), (s) => { start = s; });
  t.after(() => client.terminate());
  assert.equal(typeof globalThis.Worker, 'undefined');
  assert.equal(client.thread, null);
  client.load(1, `${base}/first.wav`);
  client.load(2, `${base}/second.wav`);
  assert.equal(client.thread, null, 'not started yet: the loads wait in the queue');
  for (let i = 0; i < 100 && !heard.some((m) => m.type === 'error'); i++) await new Promise((resolve) => { setTimeout(resolve, 20); });
  assert.equal(client.thread, 'page');
  assert.equal(start.thread, 'page');
  assert.deepEqual(start.failures, ['a module worker: Worker is not defined', 'a classic worker (worker.classic.js): Worker is not defined']);
  // The first load was replaced before the core started: only the second one ran (and 404ed).
  assert.deepEqual(heard.map((m) => [m.type, m.load, m.code]), [['error', 2, 'fetch-failed']]);
  assert.match(heard[0].message, /404|not found/i);
});
