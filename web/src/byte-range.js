// SPDX-License-Identifier: MIT
// Checks a server's answer to an HTTP Range request against what was asked: bytes from another
// place in the file (or from a file that changed) must never be decoded as the ones asked for.

/** "bytes first-last/total" as numbers (total NaN for "*"), or null if it is not of that form. */
export function parseContentRange(header) {
  const m = /^\s*bytes\s+(\d+)-(\d+)\/(\d+|\*)\s*$/i.exec(header ?? '');
  if (!m) return null;
  const [first, last, total] = [Number(m[1]), Number(m[2]), m[3] === '*' ? NaN : Number(m[3])];
  return last < first || (total <= last) ? null : { first, last, total };
}

/**
 * What is wrong with the answer to `Range: bytes=start-(end - 1)`, or null when it carries exactly
 * those bytes (the end clipped to the file's size, as a server may). `size` is the file's size
 * when known (0 before the first answer). `received` is the body's length (undefined: not read yet).
 * `hidden`: the server is known to hide Content-Range from this page, so a 206 without one is checked
 * by its length alone.
 */
export function rangeAnswerProblem({ status, contentRange, received, hidden = false }, start, end, size = 0) {
  const asked = `bytes ${start}-${end - 1}`;
  if (status === 200) return `the server answered HTTP 200 (the whole file, ignoring the Range header) to a request for ${asked}`;
  if (status !== 206) {
    // A 416 names the file's size now ("bytes */N"): say so when it is not the size it had.
    const now = Number(/^\s*bytes\s+\*\/(\d+)\s*$/i.exec(contentRange ?? '')?.[1]);
    const changed = size > 0 && Number.isFinite(now) && now !== size ? `: a file of ${now} bytes, not the ${size} it had` : '';
    return `the server answered HTTP ${status}${contentRange == null ? '' : ` with Content-Range "${contentRange}"`} to a request for ${asked}${changed}`;
  }
  if (contentRange == null && hidden) {
    // A cross-origin server that exposes no Content-Range (S3 behind Ground Truth's usual CORS rule):
    // only the length of what came can be checked.
    const length = Math.min(end, size > 0 ? size : end) - start;
    return received !== undefined && received !== length
      ? `the server's 206 answer to a request for ${asked} has ${received} bytes, not ${length}` : null;
  }
  if (contentRange == null) {
    return `the server's 206 answer to a request for ${asked} has no Content-Range this page can read `
      + '(a cross-origin server must list it in Access-Control-Expose-Headers)';
  }
  const sent = `the server answered a request for ${asked} with Content-Range "${contentRange}"`;
  const range = parseContentRange(contentRange);
  if (!range) return `${sent}, which is not a byte range`;
  const total = size > 0 ? size : range.total;
  if (size > 0 && Number.isFinite(range.total) && range.total !== size) return `${sent}: a file of ${range.total} bytes, not the ${size} it had`;
  const last = Number.isFinite(total) ? Math.min(end, total) - 1 : end - 1;
  if (range.first !== start || range.last !== last) return `${sent}: other bytes than asked for`;
  if (received !== undefined && received !== last - start + 1) return `${sent}, but its body has ${received} bytes, not ${last - start + 1}`;
  return null;
}
