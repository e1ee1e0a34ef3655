// SPDX-License-Identifier: MIT
// Parses a multipart/byteranges body (RFC 9110 section 14.6, RFC 2046 section 5.1.1) as it streams in.
// Each part's length comes from its own Content-Range, so bodies are copied straight into their
// buffers and never scanned for the boundary; only the lines between them are.
import { parseContentRange } from './byte-range.js';

const EMPTY = new Uint8Array(0);
const MAX_LINE = 16 << 10;
const MAX_LINES = 64;

/** A body that is not a well-formed multipart/byteranges answer (a broken connection is not one). */
export class MultipartError extends Error {}

/** The boundary of a `multipart/byteranges` Content-Type, or null when it is not one. */
export function multipartBoundary(contentType) {
  const m = /^\s*multipart\/byteranges\s*;(.*)$/i.exec(contentType ?? '');
  const b = m && /(?:^|;)\s*boundary\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]+))/i.exec(m[1]);
  if (!b) return null;
  return b[1] !== undefined ? b[1].replace(/\\(.)/g, '$1') : b[2];
}

function crlfAt(buf, from) {
  for (let i = buf.indexOf(13, from); i >= 0 && i + 1 < buf.length; i = buf.indexOf(13, i + 1)) {
    if (buf[i + 1] === 10) return i;
  }
  return -1;
}

function text(buf, from, to) {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(buf[i]);
  return s;
}

/**
 * push() the body's chunks, then end(): the parts as [{ first, last, total, bytes }] in the order
 * sent. Throws a MultipartError saying what is malformed. `maxPartBytes` bounds what one part may
 * claim, `maxTotalBytes` all parts together (nothing is allocated beyond them).
 */
export class ByterangesParser {
  constructor(boundary, { maxPartBytes = Infinity, maxTotalBytes = Infinity } = {}) {
    this.boundary = `--${boundary}`;
    this.maxPartBytes = maxPartBytes;
    this.maxTotalBytes = maxTotalBytes;
    this.totalBytes = 0;
    this.state = 'preamble';   // preamble | headers | body | after-body | done
    this.pending = EMPTY;
    this.lines = 0;
    this.headers = null;
    this.part = null;
    this.parts = [];
  }

  get done() { return this.state === 'done'; }

  push(chunk) {
    if (this.done) return;
    let buf = chunk;
    if (this.pending.length) {
      buf = new Uint8Array(this.pending.length + chunk.length);
      buf.set(this.pending);
      buf.set(chunk, this.pending.length);
    }
    let off = 0;
    while (off < buf.length && !this.done) {
      if (this.state === 'body') {
        const p = this.part;
        const n = Math.min(buf.length - off, p.bytes.length - p.filled);
        p.bytes.set(buf.subarray(off, off + n), p.filled);
        p.filled += n;
        off += n;
        if (p.filled < p.bytes.length) break;
        this.parts.push({ first: p.first, last: p.last, total: p.total, bytes: p.bytes });
        this.part = null;
        this.state = 'after-body';
        this.lines = 0;
        continue;
      }
      const eol = crlfAt(buf, off);
      if (eol < 0) {
        if (buf.length - off > MAX_LINE) throw new MultipartError(`a line of more than ${MAX_LINE} bytes where ${this.expected()} was expected`);
        break;
      }
      this.line(text(buf, off, eol));
      off = eol + 2;
    }
    this.pending = off < buf.length && !this.done ? buf.slice(off) : EMPTY;
  }

  expected() {
    return this.state === 'headers' ? `the headers of part ${this.parts.length + 1}` : `the boundary "${this.boundary}"`;
  }

  line(line) {
    if (++this.lines > MAX_LINES) throw new MultipartError(`more than ${MAX_LINES} lines where ${this.expected()} was expected`);
    if (this.state === 'headers') {
      if (line !== '') {
        const colon = line.indexOf(':');
        if (colon > 0) this.headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
        return;
      }
      const n = this.parts.length + 1;
      const value = this.headers.get('content-range');
      if (value === undefined) throw new MultipartError(`part ${n} has no Content-Range`);
      const range = parseContentRange(value);
      if (!range) throw new MultipartError(`part ${n} has Content-Range "${value}", which is not a byte range`);
      const length = range.last - range.first + 1;
      if (length > this.maxPartBytes) throw new MultipartError(`part ${n} claims ${length} bytes ("${value}"), more than was asked for`);
      this.totalBytes += length;
      if (this.totalBytes > this.maxTotalBytes) throw new MultipartError(`its parts hold more than the ${this.maxTotalBytes} bytes that were asked for (part ${n}: "${value}")`);
      this.part = { ...range, bytes: new Uint8Array(length), filled: 0 };
      this.state = 'body';
      return;
    }
    // preamble / after-body: blank lines (the CRLF that ends a body belongs to the next delimiter), then the delimiter
    if (line.startsWith(this.boundary)) {
      const rest = line.slice(this.boundary.length);
      if (rest.startsWith('--')) {
        if (this.parts.length === 0) throw new MultipartError('the body closes before its first part');
        this.state = 'done';
        return;
      }
      if (/^[ \t]*$/.test(rest)) {
        this.state = 'headers';
        this.headers = new Map();
        this.lines = 0;
        return;
      }
    }
    if (this.state === 'after-body' && line !== '') {
      throw new MultipartError(`part ${this.parts.length} is followed by "${line.slice(0, 60)}" instead of the boundary (a part longer than its Content-Range says?)`);
    }
  }

  end() {
    if (this.done) return this.parts;
    if (this.state === 'body') {
      const p = this.part;
      throw new MultipartError(`the body ended inside part ${this.parts.length + 1} (bytes ${p.first}-${p.last}) after ${p.filled} of its ${p.bytes.length} bytes`);
    }
    throw new MultipartError(`the body ended where ${this.expected()} was expected`);
  }
}
