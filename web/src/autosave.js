// SPDX-License-Identifier: MIT
// Drafts of the annotation document in IndexedDB, keyed by task, so a reload, a crash or a
// closed tab loses nothing typed. Writes are serialised: the last state always lands last.

const DB = 'avseg';
const STORE = 'drafts';

let dbPromise;
function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE);
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  return dbPromise;
}

// A blocked or broken IndexedDB must not hold the editor up: give up after a while.
function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('IndexedDB did not answer')), ms))]);
}

function request(mode, fn) {
  return withTimeout(db(), 5000).then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
}

/** @returns {Promise<{text: string, savedAt: number} | undefined>} */
export const loadDraft = (key) => request('readonly', (s) => s.get(key));
export const deleteDraft = (key) => request('readwrite', (s) => s.delete(key));

/** Saves `text()` for `key`, coalescing bursts of edits: at most one write in flight, the newest next. */
export class DraftWriter {
  #key;
  #pending = null;
  #writing = null;

  constructor(key) {
    this.#key = key;
  }

  save(text) {
    this.#pending = text;
    this.#writing ??= this.#drain();
    return this.#writing;
  }

  async #drain() {
    try {
      while (this.#pending !== null) {
        const text = this.#pending;
        this.#pending = null;
        await request('readwrite', (s) => s.put({ text, savedAt: Date.now() }, this.#key));
      }
    } finally {
      this.#writing = null;
    }
  }

  /** Resolves once everything saved so far is on disk. */
  flush() {
    return this.#writing ?? Promise.resolve();
  }
}
