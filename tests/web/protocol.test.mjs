// SPDX-License-Identifier: MIT
// The worker protocol is declared once: every message either side posts is one of protocol.js's
// types, named by its constant, with a typedef of its shape, and the element handles every one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import * as protocol from '../../web/src/protocol.js';

const src = new URL('../../web/src/', import.meta.url);
const read = (name) => readFile(new URL(name, src), 'utf8');

/** The modules that post protocol messages: the element's client, the core's message loop (worker-host.js) and the load's parts. */
async function speakers() {
  const names = (await readdir(src)).filter((n) => /^(core-client|worker|worker-host|page-thread-core|worker-render|media-load|load-[\w-]+)\.js$/.test(n));
  return Promise.all(names.map(async (name) => ({ name, text: await read(name) })));
}

test('the protocol lists each message type once, each with a typedef of its shape', async () => {
  const all = [...protocol.TO_WORKER, ...protocol.FROM_WORKER];
  const exported = Object.entries(protocol).filter(([, v]) => typeof v === 'string').map(([, v]) => v);
  assert.deepEqual([...new Set(all)].sort(), [...new Set(exported)].sort(), 'every constant is in a direction list');
  assert.equal(new Set(protocol.TO_WORKER).size, protocol.TO_WORKER.length);
  assert.equal(new Set(protocol.FROM_WORKER).size, protocol.FROM_WORKER.length);
  const text = await read('protocol.js');
  for (const type of new Set(all)) {
    assert.match(text, new RegExp(`@property \\{'${type}'\\} type`), `a typedef for '${type}'`);
  }
  for (const union of ['ToWorkerMessage', 'FromWorkerMessage']) assert.match(text, new RegExp(`\\} ${union}\\b`));
});

test('both sides post messages by the protocol\'s constants, never by a string of their own', async () => {
  const files = await speakers();
  assert.ok(files.some((f) => f.name === 'worker-host.js') && files.some((f) => f.name === 'core-client.js'));
  // Worker constructor options ({ type: 'module' }) and Blob types ('text/javascript') are no messages.
  const literalsIn = (text) => [...text.matchAll(/\btype: '([\w/-]+)'/g)].map((m) => m[1]).filter((t) => t !== 'module' && !t.includes('/'));
  for (const { name, text } of files) {
    const literals = literalsIn(text);
    const declared = new Set([...protocol.TO_WORKER, ...protocol.FROM_WORKER]);
    for (const type of literals) assert.ok(declared.has(type), `${name} posts '${type}', which protocol.js does not declare`);
    for (const m of text.matchAll(/\btype: ([A-Z_]+)\b/g)) {
      assert.ok(typeof protocol[m[1]] === 'string', `${name} names ${m[1]}, which protocol.js does not export`);
      assert.match(text, new RegExp(`import \\{[^}]*\\b${m[1]}\\b[^}]*\\} from './protocol.js'`), `${name} imports ${m[1]}`);
    }
  }
  const worker = files.find((f) => f.name === 'worker-host.js').text;
  const client = files.find((f) => f.name === 'core-client.js').text;
  assert.deepEqual(literalsIn(worker + client), [], 'worker-host.js and core-client.js use only the constants');
  for (const type of protocol.TO_WORKER) {
    const name = Object.keys(protocol).find((k) => protocol[k] === type);
    assert.match(client, new RegExp(`type: ${name}\\b`), `core-client.js sends ${name}`);
    assert.match(worker, new RegExp(`case ${name}:`), `worker-host.js dispatches ${name}`);
  }
  // The core says HELLO as its loop starts; until then the client queues, and a start without it moves on.
  assert.match(worker, /send\(\{ type: HELLO \}\)/, 'worker-host.js says HELLO');
});

test('the element handles every message the worker sends', async () => {
  const client = await read('core-client.js');
  // The element's load session (load-session.js) takes the worker's messages for it.
  const element = (await read('avseg-editor.js')) + (await read('load-session.js'));
  for (const type of protocol.FROM_WORKER) {
    const name = Object.keys(protocol).find((k) => protocol[k] === type);
    const handled = new RegExp(`msg\\.type === ${name}\\b`).test(client) || element.includes(`case '${type}':`);
    assert.ok(handled, `nothing handles '${type}'`);
  }
});
