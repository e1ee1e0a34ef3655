// SPDX-License-Identifier: MIT
// What the range reader's modules share: its error type, its limits and small helpers.
import { ErrorCode } from './error-codes.js';

export const EMPTY = new Uint8Array(0);
export const GAP = 64 << 10;              // ranges closer than this are fetched as one
export const SYNC_MIN = 64 << 10;         // a synchronous read fetches at least this much
export const FINGERPRINT_BYTES = 4096;    // compared against a fresh URL's first bytes
export const EXPIRY_STATUSES = new Set([400, 401, 403, 410]);
export const RETRY_MS = [250, 1000];      // waits before the 2nd and 3rd attempt of a request that broke
export const PAUSING = new Set([ErrorCode.LinkExpired, ErrorCode.ConnectionLost]);
// A server that sends less than STALL_BYTES in stallMs (no answer, a stalled or trickling body)
// is given up on and asked again: a load never hangs on one connection.
export const STALL_MS = 30000;
export const STALL_BYTES = 1024;
export const REQUEST_CHUNKS = 4;          // a request asks for at most this many chunkBytes

export class RemoteError extends Error {
  /** code: 'cors-blocked' | 'fetch-failed' | 'link-expired' | 'connection-lost' | 'range-refused'; status: the HTTP status or 0 */
  constructor(code, message, status = 0) {
    super(message);
    this.name = 'RemoteError';
    this.code = code;
    this.status = status;
  }
}

/** A failure in transit (connection broken, HTTP 5xx): worth asking again. */
export class Transient extends Error {}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const pageOrigin = () => globalThis.location?.origin;
export const originOf = (url) => {
  try { return new URL(url).origin; } catch { return 'the media server'; }
};
export function deferred() {
  const d = {};
  d.promise = new Promise((resolve, reject) => { d.resolve = resolve; d.reject = reject; });
  d.promise.catch(() => {});
  return d;
}
export const rangeHeader = (ranges) => `bytes=${ranges.map(([s, e]) => `${s}-${e - 1}`).join(',')}`;
export const cancelBody = (response) => { response.body?.cancel().catch(() => {}); };
/** A byte position a read can start at (a bug in a caller must not become a `bytes=-5-` request). */
export const validPosition = (p) => Number.isSafeInteger(p) && p >= 0;
/** A header's non-negative integer value, or NaN ("1e3", "", "-1" and null are not one). */
export const decimal = (value) => (/^\s*\d+\s*$/.test(value ?? '') ? Number(value) : NaN);
