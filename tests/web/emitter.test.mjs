// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter, Subscriptions } from '../../web/src/emitter.js';

test('listeners receive the detail of their own event type, in subscription order', () => {
  const emitter = new Emitter();
  const heard = [];
  emitter.on('select', (d) => heard.push(['a', d]));
  emitter.on('select', (d) => heard.push(['b', d]));
  emitter.on('play', (d) => heard.push(['play', d]));
  emitter.emit('select', { id: 's1' });
  assert.deepEqual(heard, [['a', { id: 's1' }], ['b', { id: 's1' }]]);
});

test('on returns a function that removes only that subscription', () => {
  const emitter = new Emitter();
  const heard = [];
  const f = (d) => heard.push(d);
  const off1 = emitter.on('x', f);
  emitter.on('x', f);
  off1();
  off1();
  emitter.emit('x', 1);
  assert.deepEqual(heard, [1]);
  assert.equal(emitter.listenerCount('x'), 1);
});

test('a listener removed during an emit does not change who hears that emit', () => {
  const emitter = new Emitter();
  const heard = [];
  let offB = null;
  emitter.on('x', () => { heard.push('a'); offB(); });
  offB = emitter.on('x', () => heard.push('b'));
  emitter.emit('x');
  emitter.emit('x');
  assert.deepEqual(heard, ['a', 'b', 'a']);
});

test('releaseAll drops every subscription at once, emitter and DOM-style ones', () => {
  const emitter = new Emitter();
  const target = new EventTarget();
  const subs = new Subscriptions();
  const heard = [];
  subs.add(emitter.on('x', () => heard.push('emitter')));
  subs.listen(target, 'ping', () => heard.push('dom'));
  emitter.emit('x');
  target.dispatchEvent(new Event('ping'));
  assert.equal(subs.size, 2);
  subs.releaseAll();
  emitter.emit('x');
  target.dispatchEvent(new Event('ping'));
  assert.deepEqual(heard, ['emitter', 'dom']);
  assert.equal(subs.size, 0);
  assert.equal(emitter.listenerCount('x'), 0);
  subs.listen(target, 'ping', () => heard.push('again'));
  target.dispatchEvent(new Event('ping'));
  assert.deepEqual(heard, ['emitter', 'dom', 'again']);
});
