// SPDX-License-Identifier: MIT
// While the worker has nothing else to do, decodes what the next view will likely need (the core's
// Session.prefetch: the screens beside the main view, the windows of the next zoom step in and out),
// a few milliseconds at a time, so a render that arrives waits for one slice at most. The bytes a
// slice's decode will read are fetched first, asynchronously (a file read in place).

/** How long one slice may decode (ms): what a zoom or pan arriving meanwhile may wait (on a busy
 * machine, a slice descheduled midway makes it wait longer, so shorter is steadier). */
export const SLICE_MS = 2;

// A message to ourselves: unlike nested setTimeout(0) it is not clamped to 4 ms, and it queues
// behind messages that arrived meanwhile (the same task source), so renders go first.
function macrotask() {
  const channel = new MessageChannel();
  const queue = [];
  channel.port1.onmessage = () => queue.shift()?.();
  channel.port1.unref?.(); // Node (the core on a test's own thread): an idle prefetch keeps no process alive
  return (fn) => {
    queue.push(fn);
    channel.port2.postMessage(null);
  };
}

export class ViewPrefetch {
  #sliceMs;
  #schedule;
  #generation = 0;
  #session = null;
  #view = null;
  #allowed = () => false;
  #fetch = null;
  #fetching = 0;
  #fetched = false;
  #pending = -1;   // the generation whose slice is queued

  /** slices: prefetch calls made; done: the last view's prefetch finished. For tests and diagnostics. */
  slices = 0;
  done = false;

  /** A slice is waiting to run. */
  get busy() {
    return this.#pending === this.#generation || this.#fetching > 0;
  }

  constructor({ sliceMs = SLICE_MS, schedule = macrotask() } = {}) {
    this.#sliceMs = sliceMs;
    this.#schedule = schedule;
  }

  /** A render comes first: nothing more until follow() or resume(). */
  pause() {
    this.#generation++;
  }

  /**
   * Prefetch around the main view just drawn, while allowed() (the load is complete and still
   * current). fetch(session, view): null, or a promise of the bytes the next slices will read.
   */
  follow(session, view, allowed, fetch = null) {
    this.#session = session;
    this.#view = view;
    this.#allowed = allowed;
    this.#fetch = fetch;
    this.#fetched = false;
    this.done = false;
    this.resume();
  }

  /** Goes on with the last view (after a render of another target). */
  resume() {
    const generation = ++this.#generation;
    if (this.#session && !this.done) this.#next(generation);
  }

  /** A new load, or none: forget the session. */
  stop() {
    this.#generation++;
    this.#session = null;
    this.#view = null;
    this.#fetch = null;
  }

  #next(generation) {
    this.#pending = generation;
    this.#schedule(() => this.#slice(generation));
  }

  #slice(generation) {
    if (this.#pending === generation) this.#pending = -1;
    if (generation !== this.#generation || !this.#session || !this.#allowed()) return;
    // Once per wait: bytes that did not come (evicted, refused) are read by the slice itself.
    const fetching = this.#fetched ? null : this.#fetch?.(this.#session, this.#view);
    this.#fetched = false;
    if (fetching) {
      this.#fetching++;
      fetching.finally(() => {
        this.#fetching--;
        // A fetch for an earlier view (or one paused since) says nothing about this view's bytes.
        if (generation !== this.#generation) return;
        this.#fetched = true;
        this.#next(generation);
      });
      return;
    }
    let more = false;
    try {
      more = this.#session.prefetch(this.#view, this.#sliceMs);
    } catch {
      more = false; // the render that needs those samples reports what is wrong
    }
    this.slices++;
    if (more) this.#next(generation);
    else this.done = true;
  }
}
