// SPDX-License-Identifier: MIT
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByterangesParser, MultipartError, multipartBoundary } from '../../web/src/multipart.js';

const bytes = (s) => Uint8Array.from(Buffer.from(s, 'latin1'));
const parse = (body, boundary, step = body.length, options) => {
  const parser = new ByterangesParser(boundary, options);
  for (let i = 0; i < body.length; i += step) parser.push(body.subarray(i, i + step));
  return parser.end().map((p) => ({ ...p, bytes: Buffer.from(p.bytes).toString('latin1') }));
};

// What nginx 1.22 sends (captured): a CRLF before the first boundary, CRLF--boundary--CRLF at the end.
const NGINX = '\r\n--00000000000000000001\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 0-9/100\r\n\r\n'
  + '0123456789\r\n--00000000000000000001\r\nContent-Type: application/octet-stream\r\nContent-Range: bytes 50-54/100\r\n\r\n'
  + 'ABCDE\r\n--00000000000000000001--\r\n';

test('the boundary is read from the Content-Type, quoted or not; other types have none', () => {
  assert.equal(multipartBoundary('multipart/byteranges; boundary=00000000000000000001'), '00000000000000000001');
  assert.equal(multipartBoundary('Multipart/ByteRanges;charset=x; boundary="a b\\"c"'), 'a b"c');
  assert.equal(multipartBoundary('multipart/mixed; boundary=x'), null);
  assert.equal(multipartBoundary('application/octet-stream'), null);
  assert.equal(multipartBoundary(null), null);
});

test("nginx's answer gives its parts, whether it arrives at once or a byte at a time", () => {
  const want = [{ first: 0, last: 9, total: 100, bytes: '0123456789' }, { first: 50, last: 54, total: 100, bytes: 'ABCDE' }];
  assert.deepEqual(parse(bytes(NGINX), '00000000000000000001'), want);
  assert.deepEqual(parse(bytes(NGINX), '00000000000000000001', 1), want);
  assert.deepEqual(parse(bytes(NGINX), '00000000000000000001', 7), want);
});

test('RFC 9110 form (no CRLF before the first boundary), a preamble, padding after a boundary, an epilogue, parts in any order', () => {
  const body = 'preamble to ignore\r\n--B  \r\nContent-Range: bytes 90-99/*\r\n\r\n9876543210\r\n--B\r\ncontent-range:bytes 0-0/100\r\n\r\nZ\r\n--B--\r\nepilogue';
  assert.deepEqual(parse(bytes(body), 'B', 3), [
    { first: 90, last: 99, total: NaN, bytes: '9876543210' }, { first: 0, last: 0, total: 100, bytes: 'Z' },
  ]);
  // A body whose bytes look like CRLF and the boundary is read by its length, not scanned.
  const payload = '\r\n--B--\r\n\r';
  const tricky = `--B\r\nContent-Range: bytes 0-9/10\r\n\r\n${payload}\r\n--B--\r\n`;
  assert.deepEqual(parse(bytes(tricky), 'B', 2), [{ first: 0, last: 9, total: 10, bytes: payload }]);
});

test('malformed answers are refused with what is wrong', () => {
  const cases = [
    ['--B\r\nContent-Type: x\r\n\r\n0123\r\n--B--\r\n', /part 1 has no Content-Range/],
    ['--B\r\nContent-Range: bytes 4-3/10\r\n\r\n\r\n--B--\r\n', /part 1 has Content-Range "bytes 4-3\/10", which is not a byte range/],
    ['--B\r\nContent-Range: bytes 0-9/10\r\n\r\n01234', /ended inside part 1 \(bytes 0-9\) after 5 of its 10 bytes/],
    ['--B\r\nContent-Range: bytes 0-3/10\r\n\r\n0123456\r\n--B--\r\n', /part 1 is followed by "456" instead of the boundary/],
    ['--B\r\nContent-Range: bytes 0-3/10\r\n\r\n0123\r\n', /ended where the boundary "--B" was expected/],
    ['--B--\r\n', /closes before its first part/],
  ];
  for (const [body, message] of cases) assert.throws(() => parse(bytes(body), 'B'), (err) => err instanceof MultipartError && message.test(err.message), body);
  assert.throws(() => parse(bytes('--B\r\nContent-Range: bytes 0-999999/2000000\r\n\r\n'), 'B', 100, { maxPartBytes: 1000 }), /claims 1000000 bytes/);
  assert.throws(() => parse(bytes(`--B\r\n${'x'.repeat(20000)}`), 'B'), /a line of more than 16384 bytes/);
});

test('parts that together claim more than was asked are refused at the header that goes over, before their bytes are held', () => {
  const part = (first) => `--B\r\nContent-Range: bytes ${first}-${first + 599}/100000\r\n\r\n${'x'.repeat(600)}\r\n`;
  const body = bytes(`${part(0)}${part(0)}${part(0)}--B--\r\n`);
  assert.equal(parse(body, 'B', 100, { maxPartBytes: 600, maxTotalBytes: 1800 }).length, 3);
  const parser = new ByterangesParser('B', { maxPartBytes: 600, maxTotalBytes: 1000 });
  parser.push(bytes(part(0)));
  assert.throws(() => parser.push(bytes(`--B\r\nContent-Range: bytes 0-599/100000\r\n\r\n`)),
    (err) => err instanceof MultipartError && /its parts hold more than the 1000 bytes that were asked for \(part 2: "bytes 0-599\/100000"\)/.test(err.message));
});
