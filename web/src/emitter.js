// SPDX-License-Identifier: MIT
// A small typed event emitter for the editor's parts, and the bag of subscriptions a part
// releases all at once when the element is disconnected.

/**
 * @template {Record<string, any>} Events  event name -> the detail its listeners receive
 */
export class Emitter {
  /** @type {Map<keyof Events, Set<(detail: any) => void>>} */
  #listeners = new Map();

  /**
   * @template {keyof Events} K
   * @param {K} type
   * @param {(detail: Events[K]) => void} listener
   * @returns {() => void} removes this listener (calling it twice is harmless)
   */
  on(type, listener) {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    // Wrapped so the same function subscribed twice is two subscriptions, each removed by its own call.
    const entry = (detail) => listener(detail);
    set.add(entry);
    return () => { set.delete(entry); };
  }

  /**
   * @template {keyof Events} K
   * @param {K} type
   * @param {Events[K]} detail
   */
  emit(type, detail) {
    const set = this.#listeners.get(type);
    if (!set) return;
    // A listener removed while others run is still called this time: the copy keeps the order stable.
    for (const listener of [...set]) listener(detail);
  }

  /** How many listeners `type` has (for tests and diagnostics). */
  listenerCount(type) { return this.#listeners.get(type)?.size ?? 0; }
}

/** Unsubscribe functions (from `Emitter.on` or DOM listeners) released together. */
export class Subscriptions {
  /** @type {Array<() => void>} */
  #release = [];

  /** Keeps an unsubscribe function; returns it. */
  add(release) {
    this.#release.push(release);
    return release;
  }

  /** addEventListener that is removed by `releaseAll`. */
  listen(target, type, listener, options) {
    target.addEventListener(type, listener, options);
    return this.add(() => target.removeEventListener(type, listener, options));
  }

  /** Calls every kept unsubscribe function once, newest first; the bag can be used again after. */
  releaseAll() {
    const release = this.#release;
    this.#release = [];
    for (let i = release.length - 1; i >= 0; i--) release[i]();
  }

  get size() { return this.#release.length; }
}
