// SPDX-License-Identifier: MIT
// Drafts of the annotation document in IndexedDB, keyed by job, task and media, so a reload, a
// crash or a closed tab loses nothing typed. Writes are serialised: the last state always lands
// last, and a deletion lands after them.

const DB = 'avseg';
const STORE = 'drafts';

let dbPromise;
function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 2);
    open.onupgradeneeded = () => {
      const d = open.result;
      const store = d.objectStoreNames.contains(STORE) ? open.transaction.objectStore(STORE) : d.createObjectStore(STORE);
      // Expired drafts are found by their time, without reading every document.
      if (!store.indexNames.contains('savedAt')) store.createIndex('savedAt', 'savedAt');
    };
    open.onsuccess = () => {
      const d = open.result;
      // A newer page upgrading the database must not be blocked by this one.
      d.onversionchange = () => {
        d.close();
        dbPromise = undefined;
      };
      resolve(d);
    };
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

const SIGNING = /^(x-amz-.*|x-goog-.*|signature|expires|awsaccesskeyid|policy|key-pair-id)$/i;

/**
 * A media URL without the query parameters that presigning adds (S3, CloudFront, GCS):
 * Ground Truth presigns the media anew on every load, and a draft must still be found.
 */
export function stableUrl(url) {
  try {
    const u = new URL(url, globalThis.location?.href ?? 'http://local/');
    for (const key of [...u.searchParams.keys()]) if (SIGNING.test(key)) u.searchParams.delete(key);
    return u.href;
  } catch {
    return String(url);
  }
}

/**
 * A draft: its text, when it was last saved (epoch ms) and the host's document it was started
 * from (fingerprint.js; absent in drafts saved before it was recorded).
 * @returns {Promise<{text: string, savedAt: number, base?: {doc: string | null, time: number | null}} | undefined>}
 */
export const loadDraft = (key) => request('readonly', (s) => s.get(key));
export const deleteDraft = (key) => request('readwrite', (s) => s.delete(key));

/** Deletes every draft last saved before `cutoff` (epoch ms); resolves to how many went. */
export function sweepDrafts(cutoff) {
  let swept = 0;
  return request('readwrite', (s) => {
    const cursor = s.index('savedAt').openKeyCursor(IDBKeyRange.upperBound(cutoff, true));
    cursor.onsuccess = () => {
      const c = cursor.result;
      if (!c) return;
      s.delete(c.primaryKey);
      swept++;
      c.continue();
    };
    return cursor;
  }).then(() => swept);
}

/**
 * Saves the document for `key` after every edit. `produce()` serialises it; while a write is in
 * flight edits coalesce, and once serialising gets slow (a long document) the writer waits for a
 * short pause in the edits instead of serialising on every keystroke.
 */
export class DraftWriter {
  static SLOW_MS = 8;
  static IDLE_MS = 250;
  #key;
  #produce = null;
  #producedAt = null;
  #base;
  #writing = null;
  #timer = 0;
  #slow = false;
  #stopped = false;
  #onError;

  /**
   * onError(err) hears of a failed write; the next edit tries again. base() says which host
   * document the work started from, recorded with every write.
   */
  constructor(key, onError = () => {}, { base = () => undefined } = {}) {
    this.#key = key;
    this.#onError = onError;
    this.#base = base;
  }

  /** savedAt: keep this time (a draft written again unchanged) instead of now. */
  save(produce, { savedAt = null } = {}) {
    if (this.#stopped) return Promise.resolve();
    this.#produce = produce;
    this.#producedAt = savedAt;
    if (this.#slow) {
      clearTimeout(this.#timer);
      this.#timer = setTimeout(() => this.#start(), DraftWriter.IDLE_MS);
      return this.#writing ?? Promise.resolve();
    }
    return this.#start();
  }

  #start() {
    clearTimeout(this.#timer);
    this.#writing ??= this.#drain();
    return this.#writing;
  }

  async #drain() {
    try {
      while (this.#produce !== null) {
        const produce = this.#produce;
        const savedAt = this.#producedAt ?? Date.now();
        this.#produce = null;
        const t0 = performance.now();
        const text = produce();
        this.#slow = performance.now() - t0 > DraftWriter.SLOW_MS;
        const record = { text, savedAt };
        const base = this.#base();
        if (base !== undefined) record.base = base;
        await request('readwrite', (s) => s.put(record, this.#key));
      }
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#writing = null;
    }
  }

  /** Resolves once everything saved so far is on disk (a waiting write starts now). */
  flush() {
    return this.#produce !== null ? this.#start() : this.#writing ?? Promise.resolve();
  }

  /**
   * Deletes the draft. A write still waiting for a pause is dropped and one in flight lands
   * first, so nothing saved before this call re-creates the draft; later edits start a new one.
   */
  async delete() {
    clearTimeout(this.#timer);
    this.#produce = null;
    await this.#writing;
    await deleteDraft(this.#key);
  }

  /** Writes nothing more (a waiting write is dropped). */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#produce = null;
  }
}
