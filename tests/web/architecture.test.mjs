// SPDX-License-Identifier: MIT
// doc/architecture.md keeps up with web/src: every file is named there and opens with the line
// saying what it owns; every message of protocol.js and every event a part emits is in its tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { FROM_WORKER, TO_WORKER } from '../../web/src/protocol.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path) => readFile(`${root}${path}`, 'utf8');
const sources = async () => (await readdir(`${root}web/src`)).filter((f) => f.endsWith('.js')).sort();

/** The rows of the table under `heading` as arrays of cells. */
function table(doc, heading) {
  const start = doc.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `doc/architecture.md has "${heading}"`);
  const section = doc.slice(start + heading.length + 2).split(/\n## /)[0];
  return section.split('\n').filter((line) => line.startsWith('|') && !/^\|[-| ]+\|$/.test(line)).slice(1)
    .map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

test('every web/src file opens, after its SPDX line, with a comment saying what it owns', async () => {
  for (const file of await sources()) {
    const [spdx, owns] = (await read(`web/src/${file}`)).split('\n');
    assert.equal(spdx, '// SPDX-License-Identifier: MIT', `${file}: the SPDX line first`);
    assert.match(owns, /^\/\/ [A-Z<`(]\S* .*\w/, `${file}: its second line says what it owns in words`);
  }
});

test('doc/architecture.md names every web/src file', async () => {
  const doc = await read('doc/architecture.md');
  const missing = (await sources()).filter((file) => !doc.includes(`\`${file}\``));
  assert.deepEqual(missing, [], 'files of web/src not named in doc/architecture.md');
});

test('the messages table lists every message of protocol.js, in its direction', async () => {
  const rows = table(await read('doc/architecture.md'), '## Messages between the element and its worker');
  const named = (direction) => rows.filter(([dir]) => dir === direction || dir === 'both ways').map(([, message]) => message.replaceAll('`', ''));
  assert.deepEqual(TO_WORKER.filter((type) => !named('to worker').includes(type)), [], 'messages to the worker not in the table');
  assert.deepEqual(FROM_WORKER.filter((type) => !named('from worker').includes(type)), [], 'messages from the worker not in the table');
  const declared = new Set([...TO_WORKER, ...FROM_WORKER]);
  assert.deepEqual(rows.map(([, message]) => message.replaceAll('`', '')).filter((type) => !declared.has(type)), [], 'rows for messages protocol.js does not declare');
});

test('the events table lists every event each part emits', async () => {
  const rows = table(await read('doc/architecture.md'), '## Events between the parts');
  const listed = new Set(rows.map(([emitter, event]) => `${emitter} ${event.replaceAll('`', '')}`));
  const emitted = [];
  for (const file of await sources()) {
    const text = await read(`web/src/${file}`);
    const name = /class (\w+) extends Emitter\b/.exec(text)?.[1];
    if (!name) continue;
    for (const [, event] of text.matchAll(/\bthis\.emit\('([\w-]+)'/g)) emitted.push(`${name} ${event}`);
  }
  assert.ok(emitted.length > 20, 'the scan found the parts\' events');
  assert.deepEqual([...new Set(emitted)].filter((e) => !listed.has(e)), [], 'emitted but not in the events table');
  assert.deepEqual([...listed].filter((e) => !emitted.includes(e)), [], 'in the events table but never emitted');
});
