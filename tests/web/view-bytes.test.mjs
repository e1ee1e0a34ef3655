// SPDX-License-Identifier: MIT
// The bytes a view's decode reads are fetched before it (web/src/view-bytes.js); those either side,
// for the pan that follows, come in a request of their own that the view does not wait for.
// RemoteFile against the loopback media server, its answers paced so that more bytes take longer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { openRemote } from '../../web/src/remote-file.js';
import { fetchSpan } from '../../web/src/view-bytes.js';
import { startMediaServer } from '../lib/media-server.mjs';

const KiB = 1 << 10;
let server;
after(() => server?.close());

test('a view is fetched without waiting for the bytes either side, which follow in their own request', async () => {
  server = await startMediaServer({ files: { '/a.wav': { synth: 'wav', seconds: 120 } } });   // 23 MB
  const { file } = await openRemote(server.url('/a.wav'));
  const load = { file, aborted: false };
  server.configure({ bytesPerSecond: 1 << 20 });
  const mark = server.requests.length;
  const view = [8 << 20, (8 << 20) + 512 * KiB];
  const reach = 512 * KiB;   // at most the view's own length either side
  const fetching = fetchSpan(load, view, { reach });
  assert.ok(fetching, 'uncached bytes are fetched');
  await fetching;
  assert.ok(file.has(view[0], view[1] - view[0]), 'the view\'s bytes are here');
  const before = [view[0] - reach, view[0]];
  const beyond = [view[1], view[1] + reach];
  // Paced at 1 MiB/s, the 1 MiB either side takes twice as long as the view's 512 KiB.
  assert.ok(!file.has(before[0], reach) || !file.has(beyond[0], reach), 'the view did not wait for the bytes either side');
  for (const t0 = Date.now(); !(file.has(before[0], reach) && file.has(beyond[0], reach)); await new Promise((r) => setTimeout(r, 20))) {
    assert.ok(Date.now() - t0 < 10000, 'the bytes either side arrive');
  }
  const gets = server.requests.slice(mark).filter((r) => r.method === 'GET');
  assert.equal(gets.length, 2, `the view's request, then one for both sides (multi-range): ${gets.map((r) => r.range).join(' | ')}`);
  assert.equal(gets[0].range, `bytes=${view[0]}-${view[1] - 1}`);
  // Everything already here: nothing to wait for, and nothing asked again.
  assert.equal(fetchSpan(load, view, { reach }), null);
  assert.equal(server.requests.length, mark + 2);
  file.close();
});
