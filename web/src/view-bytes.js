// SPDX-License-Identifier: MIT
// Before the core decodes samples of a file read in place (a view finer than the peaks, a prefetch
// slice), the bytes that decode will read are fetched first, asynchronously and in one request: the
// core knows them from the seek index it recorded (Session.bytesFor / bytesForPrefetch). Otherwise
// the decoder's reads miss the cache one after the other and each goes out as a synchronous request
// (64 KiB, 128 KiB, 256 KiB, ...), a round trip apiece.

// An MP4's sound within the span is a run between every picture or two: gaps this small are
// fetched across (as the read-ahead does: read-ahead.js).
const MULTI_GAP = 4 << 10;
const SINGLE_GAP = 64 << 10;
const ERROR_POLL_MS = 50;

/**
 * The parts of span ([start, end) from the core) not cached yet. `media`: an MP4's audio ranges
 * (Float64Array [s0, e0, s1, e1, ...], sorted): the decoder reads only those within the span.
 */
export function bytesToFetch(file, span, media = null) {
  if (!file || !span || !(span[1] > span[0])) return [];
  const [start, end] = span;
  let ranges = [[start, end]];
  if (media) {
    ranges = [];
    let lo = 0;
    let hi = media.length >> 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (media[2 * mid + 1] <= start) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; 2 * i + 1 < media.length && media[2 * i] < end; i++) {
      ranges.push([Math.max(media[2 * i], start), Math.min(media[2 * i + 1], end)]);
    }
  }
  return ranges.filter(([s, e]) => e > s && !file.has(s, e - s));
}

/**
 * Fetches what the decode of span will read and is not cached; null when there is nothing to
 * fetch (not read in place, or all cached), else a promise that settles once the bytes arrived,
 * the fetch failed, or the reader failed (an expired link leaves its fetches pending until a fresh
 * URL: the caller then draws from the peaks, as when a synchronous read is refused). Never rejects.
 * reach: bytes either side (at most the span's own length) fetched too, for the pan that follows,
 * in a request of their own that nobody waits for: the view is drawn once its own bytes are here.
 */
export function fetchSpan(load, span, { reach = 0 } = {}) {
  const file = load.file;
  if (!file || file.error || !span || !(span[1] > span[0])) return null;
  const media = load.plan?.media ?? null;
  const gap = media ? (file.multiRange === false ? SINGLE_GAP : MULTI_GAP) : SINGLE_GAP;
  const ranges = bytesToFetch(file, span, media);
  // The view's own bytes are asked for first (the reader starts requests in order).
  const fetched = ranges.length ? file.want(ranges, { gap }).catch(() => {}) : null;
  if (reach > 0) {
    const r = Math.min(span[1] - span[0], reach);
    const margins = [[Math.max(0, span[0] - r), span[0]], [span[1], Math.min(file.size, span[1] + r)]]
      .flatMap((side) => bytesToFetch(file, side, media));
    if (margins.length) file.want(margins, { gap }).catch(() => {});
  }
  if (!fetched) return null;
  let settled = false;
  const failed = new Promise((resolve) => {
    const timer = setInterval(() => {
      if (settled || file.error || load.aborted) {
        clearInterval(timer);
        resolve();
      }
    }, ERROR_POLL_MS);
  });
  return Promise.race([fetched, failed]).finally(() => { settled = true; });
}
