// SPDX-License-Identifier: MIT
// ViewPrefetch's scheduling (web/src/view-prefetch.js): the bytes a view's slices will read are fetched
// before its first slice decodes, whatever an earlier view's fetch does meanwhile. The slices run from
// a queue the test drains, and the session records what it is asked (the decoding itself is tested
// natively and in Chromium: tests/browser/view-prefetch.test.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ViewPrefetch } from '../../web/src/view-prefetch.js';

function deferred() {
  let resolve;
  const promise = new Promise((r) => { resolve = r; });
  return { promise, resolve };
}

function harness() {
  const queue = [];
  const log = [];
  const fetches = new Map();
  const prefetch = new ViewPrefetch({ schedule: (fn) => queue.push(fn) });
  const session = { prefetch: (view) => { log.push(`decode ${view.id}`); return false; } };
  const fetch = (s, view) => {
    log.push(`fetch ${view.id}`);
    const d = deferred();
    fetches.set(view.id, d);
    return d.promise;
  };
  const drain = async () => {
    await new Promise((r) => setTimeout(r, 0));   // settled fetches' callbacks first
    while (queue.length) queue.shift()();
  };
  return { queue, log, fetches, prefetch, session, fetch, drain };
}

test('a view\'s slices wait for its own bytes even when an earlier view\'s fetch settles after it began', async () => {
  const h = harness();
  const allowed = () => true;
  h.prefetch.follow(h.session, { id: 1 }, allowed, h.fetch);
  await h.drain();
  assert.deepEqual(h.log, ['fetch 1']);
  // A render of view 2 came (pause), then its prefetch began, and only then view 1's bytes arrived.
  h.prefetch.pause();
  h.prefetch.follow(h.session, { id: 2 }, allowed, h.fetch);
  h.fetches.get(1).resolve();
  await h.drain();
  assert.deepEqual(h.log, ['fetch 1', 'fetch 2'], 'view 2 fetches its bytes before decoding');
  assert.equal(h.prefetch.busy, true, 'waiting on the fetch');
  h.fetches.get(2).resolve();
  await h.drain();
  assert.deepEqual(h.log, ['fetch 1', 'fetch 2', 'decode 2']);
  assert.equal(h.prefetch.done, true);
  assert.equal(h.prefetch.busy, false);
});

test('once paused, a slice still queued neither runs nor counts as prefetching', async () => {
  const h = harness();
  h.prefetch.follow(h.session, { id: 1 }, () => true, () => null);
  assert.equal(h.prefetch.busy, true, 'a slice is queued');
  h.prefetch.pause();
  assert.equal(h.prefetch.busy, false, 'nothing will run until the next follow or resume');
  await h.drain();
  assert.deepEqual(h.log, []);
  h.prefetch.resume();
  await h.drain();
  assert.deepEqual(h.log, ['decode 1']);
});
