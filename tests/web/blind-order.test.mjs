// SPDX-License-Identifier: MIT
// The blind order (web/src/blind-order.js): reproducible from its seed, different across annotators
// and tasks, close to uniform over many seeds, and exactly what doc/comparison-format.md says, down
// to its worked example and its Python.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LABELS, orderSeed, shuffledOrder, splitmix64 } from '../../web/src/blind-order.js';

const doc = await readFile(new URL('../../doc/comparison-format.md', import.meta.url), 'utf8');
const section = doc.split('\n## Blind order\n')[1].split('\n## ')[0];
const prose = section.replace(/\s+/g, ' ');

test('the seed is the first 16 hex digits of SHA-256 over the documented text', async () => {
  const seed = await orderSeed('worker-7', 'task-0001');
  assert.match(seed, /^[0-9a-f]{16}$/);
  const expected = createHash('sha256').update('avseg-order\n\nworker-7\ntask-0001').digest('hex').slice(0, 16);
  assert.equal(seed, expected);
  assert.equal(await orderSeed('worker-7', 'task-0001', 'job-2'),
    createHash('sha256').update('avseg-order\njob-2\nworker-7\ntask-0001').digest('hex').slice(0, 16));
  assert.equal(await orderSeed('wörker ✓', 't'), createHash('sha256').update('avseg-order\n\nwörker ✓\nt', 'utf8').digest('hex').slice(0, 16));
});

test('the same annotator and task always give the same seed and order', async () => {
  const a = await orderSeed('ann-1', 'task-7');
  const b = await orderSeed('ann-1', 'task-7');
  assert.equal(a, b);
  for (const n of [2, 3, 4]) assert.deepEqual(shuffledOrder(n, a), shuffledOrder(n, b));
});

test('seeds differ across annotators, tasks and salts, and so do the orders', async () => {
  const seeds = new Set();
  const orders = new Set();
  for (const annotator of ['ann-1', 'ann-2', 'ann-3']) {
    for (const task of ['task-1', 'task-2', 'task-3', 'task-4']) {
      const seed = await orderSeed(annotator, task);
      seeds.add(seed);
      orders.add(shuffledOrder(4, seed).join(''));
    }
  }
  seeds.add(await orderSeed('ann-1', 'task-1', 'other-job'));
  assert.equal(seeds.size, 13, 'every annotator, task and salt has its own seed');
  assert.ok(orders.size >= 6, `12 annotator-task pairs give many different orders of 4 (got ${orders.size})`);
  // Two clips: across annotators of one task both orders occur.
  const twos = new Set();
  for (let i = 0; i < 20; i++) twos.add(shuffledOrder(2, await orderSeed(`ann-${i}`, 'task-1')).join(''));
  assert.deepEqual([...twos].sort(), ['01', '10']);
});

test('over 4800 fixed seeds every order of 2, 3 and 4 clips is about equally likely (chi-square)', async () => {
  const seeds = [];
  for (let i = 0; i < 4800; i++) seeds.push(await orderSeed(`annotator-${i % 60}`, `task-${Math.floor(i / 60)}`));
  // Upper 0.1% points of chi-square with 1, 5 and 23 degrees of freedom.
  for (const [n, critical] of [[2, 10.83], [3, 20.52], [4, 49.73]]) {
    const counts = new Map();
    const atFirst = new Array(n).fill(0);
    for (const seed of seeds) {
      const order = shuffledOrder(n, seed);
      assert.deepEqual([...order].sort(), [...order.keys()], 'a permutation');
      counts.set(order.join(''), (counts.get(order.join('')) ?? 0) + 1);
      atFirst[order[0]]++;
    }
    const k = [1, 1, 2, 6, 24][n];
    assert.equal(counts.size, k, `all ${k} orders of ${n} occur`);
    const expected = seeds.length / k;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    assert.ok(chi2 < critical, `${n} clips: chi-square ${chi2.toFixed(2)} over ${k - 1} df is below ${critical}`);
    for (const c of atFirst) assert.ok(Math.abs(c / seeds.length - 1 / n) < 0.03, `${n} clips: each clip first about 1/${n} of the time`);
  }
});

test('the doc\'s worked example: seed, the numbers drawn and the orders', async () => {
  assert.ok(prose.includes('annotator `worker-7`, task `task-0001`'));
  const seed = await orderSeed('worker-7', 'task-0001');
  assert.ok(prose.includes(`The seed is \`${seed}\``), `the doc gives the seed ${seed}`);
  const next = splitmix64(seed);
  const drawn = [3, 2, 1].map((i) => {
    const r = next();
    return { hex: `0x${r.toString(16).padStart(16, '0')}`, i, j: Number(r % BigInt(i + 1)) };
  });
  for (const { hex, i, j } of drawn) assert.ok(prose.includes(`\`${hex}\` (i = ${i}: j = ${j})`), `the doc gives ${hex} (i = ${i}: j = ${j})`);
  const four = shuffledOrder(4, seed);
  assert.ok(prose.includes(`the order is \`[${four.join(', ')}]\``), `the doc gives the order [${four}]`);
  assert.ok(prose.includes(`A is manifest clip ${four[0]}, B clip ${four[1]}, C clip ${four[2]}, D clip ${four[3]}`));
  assert.ok(prose.includes(`the order is \`[${shuffledOrder(2, seed).join(', ')}]\``), 'the doc gives the order of 2 clips');
  assert.deepEqual(LABELS.slice(0, 4), ['A', 'B', 'C', 'D']);
});

test('the doc\'s Python gives the same seeds and orders', async () => {
  const python = /```python\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(python, 'the Blind order section has a Python block');
  const cases = [['worker-7', 'task-0001', ''], ['ann-1', 'task-7', ''], ['wörker ✓', 'utt-42', 'job-2'], ['a', '', '']];
  const script = `${python}\nimport json, sys\nfor a, t, s in json.loads(sys.stdin.read()):\n    seed = order_seed(a, t, s)\n    print(seed, *[",".join(map(str, shuffled_order(n, seed))) for n in (2, 3, 4)])\n`;
  const out = execFileSync('python3', ['-c', script], { input: JSON.stringify(cases), encoding: 'utf8' }).trim().split('\n');
  for (const [index, [a, t, s]] of cases.entries()) {
    const seed = await orderSeed(a, t, s);
    assert.equal(out[index], [seed, ...[2, 3, 4].map((n) => shuffledOrder(n, seed).join(','))].join(' '), `${a} / ${t}`);
  }
});

test('a seed given by the host may be 1 to 16 hex digits; anything else is refused by name', () => {
  assert.deepEqual(shuffledOrder(1, 'ff'), [0]);
  assert.equal(shuffledOrder(4, 'ABCDEF0123456789').join(), shuffledOrder(4, 'abcdef0123456789').join());
  for (const bad of ['', 'xyz', '0123456789abcdef0', 12, null]) {
    assert.throws(() => shuffledOrder(2, bad), /an order seed is 1 to 16 hex digits, got/);
  }
  assert.throws(() => shuffledOrder(0, 'ff'), /the number of clips must be a positive integer, got 0/);
});
