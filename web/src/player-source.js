// SPDX-License-Identifier: MIT
// The page's own player (the element's <video>) gets its source at once, so the expired-link
// check and a fresh link work as before, but reads nothing until the worker's load is ready:
// Chromium's player reads a fragmented MP4 from its start and would otherwise take half the
// link from the worker's planned reads (issue 11.2).

/** A new source for the player, held back (preload none) until startPlayer(); no url: none. */
export function holdPlayerSource(media, url) {
  media.preload = 'none';
  if (url) media.src = url;
  else media.removeAttribute('src');
}

/** The worker's load is ready: the player reads its metadata (Chromium starts a deferred load
 * when preload rises above none). */
export function startPlayer(media) {
  media.preload = 'metadata';
}
