// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentRange, rangeAnswerProblem } from '../../web/src/byte-range.js';

const answer = (contentRange, received, status = 206) => ({ status, contentRange, received });

test('Content-Range is read as first, last and total bytes', () => {
  assert.deepEqual(parseContentRange('bytes 0-65535/1000000'), { first: 0, last: 65535, total: 1000000 });
  assert.deepEqual(parseContentRange('bytes 10-19/*'), { first: 10, last: 19, total: NaN });
  for (const bad of [null, '', 'bytes */1000', 'bytes 20-10/100', 'bytes 0-100/100', 'items 0-1/2', 'bytes 0-1/2, bytes 4-5/6']) {
    assert.equal(parseContentRange(bad), null, String(bad));
  }
});

test('exactly the bytes asked for, or the end clipped to the file, are accepted', () => {
  assert.equal(rangeAnswerProblem(answer('bytes 1000-2023/5000', 1024), 1000, 2024, 5000), null);
  assert.equal(rangeAnswerProblem(answer('bytes 4000-4999/5000', 1000), 4000, 6000, 5000), null, 'clipped at the end of the file');
  assert.equal(rangeAnswerProblem(answer('bytes 0-65535/9000000', 65536), 0, 65536), null, 'the size not known yet');
  assert.equal(rangeAnswerProblem(answer('bytes 0-65535/9000000'), 0, 65536), null, 'the body not read yet');
});

test('another start, another end or another length is refused, naming the Content-Range sent and the range asked for', () => {
  assert.equal(rangeAnswerProblem(answer('bytes 1512-2535/5000', 1024), 1000, 2024, 5000),
    'the server answered a request for bytes 1000-2023 with Content-Range "bytes 1512-2535/5000": other bytes than asked for');
  assert.equal(rangeAnswerProblem(answer('bytes 1000-1923/5000', 924), 1000, 2024, 5000),
    'the server answered a request for bytes 1000-2023 with Content-Range "bytes 1000-1923/5000": other bytes than asked for');
  assert.equal(rangeAnswerProblem(answer('bytes 1000-2023/5000', 1000), 1000, 2024, 5000),
    'the server answered a request for bytes 1000-2023 with Content-Range "bytes 1000-2023/5000", but its body has 1000 bytes, not 1024');
  assert.equal(rangeAnswerProblem(answer('bytes 1000-2023/6000', 1024), 1000, 2024, 5000),
    'the server answered a request for bytes 1000-2023 with Content-Range "bytes 1000-2023/6000": a file of 6000 bytes, not the 5000 it had');
  assert.equal(rangeAnswerProblem(answer('bytes 100-65635/9000000'), 0, 65536),
    'the server answered a request for bytes 0-65535 with Content-Range "bytes 100-65635/9000000": other bytes than asked for');
  assert.match(rangeAnswerProblem(answer('bytes=1000-2023', 1024), 1000, 2024, 5000), /with Content-Range "bytes=1000-2023", which is not a byte range$/);
});

test('a whole file answered to a range, another status, or an unreadable Content-Range is refused', () => {
  assert.equal(rangeAnswerProblem(answer(null, 5000, 200), 1000, 2024, 5000),
    'the server answered HTTP 200 (the whole file, ignoring the Range header) to a request for bytes 1000-2023');
  assert.equal(rangeAnswerProblem(answer(null, 0, 416), 1000, 2024, 5000), 'the server answered HTTP 416 to a request for bytes 1000-2023');
  assert.match(rangeAnswerProblem(answer(null, 1024), 1000, 2024, 5000), /no Content-Range this page can read .*Access-Control-Expose-Headers/);
});

test('a 416 names the Content-Range sent, and the file\'s new size when it changed', () => {
  assert.equal(rangeAnswerProblem(answer('bytes */3000', 0, 416), 4000, 5000, 5000),
    'the server answered HTTP 416 with Content-Range "bytes */3000" to a request for bytes 4000-4999: a file of 3000 bytes, not the 5000 it had');
  assert.equal(rangeAnswerProblem(answer('bytes */5000', 0, 416), 4000, 5000, 5000),
    'the server answered HTTP 416 with Content-Range "bytes */5000" to a request for bytes 4000-4999');
});

test('a 206 from a server known to hide Content-Range is checked by its length alone', () => {
  const hidden = (received) => ({ status: 206, contentRange: null, received, hidden: true });
  assert.equal(rangeAnswerProblem(hidden(1024), 1000, 2024, 5000), null);
  assert.equal(rangeAnswerProblem(hidden(undefined), 1000, 2024, 5000), null, 'the body not read yet');
  assert.equal(rangeAnswerProblem(hidden(1000), 4000, 6000, 5000), null, 'clipped at the end of the file');
  assert.equal(rangeAnswerProblem(hidden(900), 1000, 2024, 5000), "the server's 206 answer to a request for bytes 1000-2023 has 900 bytes, not 1024");
  assert.match(rangeAnswerProblem({ ...hidden(1024), hidden: false }, 1000, 2024, 5000), /has no Content-Range this page can read/);
  assert.match(rangeAnswerProblem({ ...hidden(5000), status: 200 }, 1000, 2024, 5000), /HTTP 200/);
});
