// SPDX-License-Identifier: MIT
// Drafts of the annotation document in IndexedDB (or, where the browser refuses it, in the page's
// memory), keyed by job, task and media, so a reload, a crash or a closed tab loses nothing
// typed. Writes are serialised: the last state always lands last, and a deletion lands after them.

const DB = 'avseg';
const STORE = 'drafts';

let dbPromise;
function db() {
  dbPromise ??= new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 3);
    open.onupgradeneeded = () => {
      const d = open.result;
      const store = d.objectStoreNames.contains(STORE) ? open.transaction.objectStore(STORE) : d.createObjectStore(STORE);
      // Expired drafts are found by their time, without reading every document: each by the
      // expiry its own job gave it, drafts saved before expiries were recorded by their age.
      if (!store.indexNames.contains('savedAt')) store.createIndex('savedAt', 'savedAt');
      if (!store.indexNames.contains('expiresAt')) store.createIndex('expiresAt', 'expiresAt');
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

// Where the browser refuses IndexedDB (an opaque origin, a cross-site frame with third-party
// storage blocked, some private modes), drafts live in this page's memory instead: shared by
// every editor of the page, so a refused submit or a remounted editor keeps them; a reload does not.
const memory = new Map();
let storage;

/**
 * Where this page keeps drafts: {kind: 'indexeddb'} or {kind: 'memory', reason} (what the
 * browser said when it refused IndexedDB). Asked once per page.
 * @returns {Promise<{kind: 'indexeddb' | 'memory', reason?: string}>}
 */
export function draftStorage() {
  storage ??= withTimeout(db(), 5000).then(() => ({ kind: 'indexeddb' }),
    (err) => ({ kind: 'memory', reason: `${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? err}` }));
  return storage;
}

/** Runs `idb` on IndexedDB's store, or `mem` when drafts are kept in memory. */
const stored = (mode, idb, mem) => draftStorage().then(({ kind }) => (kind === 'memory' ? mem() : request(mode, idb)));
const copy = (record) => (record === undefined ? undefined : structuredClone(record));

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
export const loadDraft = (key) => stored('readonly', (s) => s.get(key), () => copy(memory.get(key)));
export const deleteDraft = (key) => stored('readwrite', (s) => s.delete(key), () => { memory.delete(key); });
const putDraft = (key, record) => stored('readwrite', (s) => s.put(record, key), () => { memory.set(key, copy(record)); });

/**
 * Deletes every draft whose expiry (`expiresAt`, set by the job that saved it) is before `now`,
 * and every draft without one last saved before `legacyCutoff` (epoch ms); resolves to how many
 * went. One job's shorter `draft-days` never shortens another job's drafts.
 */
export function sweepDrafts(now, legacyCutoff) {
  let swept = 0;
  const sweepMemory = () => {
    for (const [key, r] of memory) {
      if (r.expiresAt !== undefined ? r.expiresAt < now : r.savedAt < legacyCutoff) {
        memory.delete(key);
        swept++;
      }
    }
  };
  return stored('readwrite', (s) => {
    const expired = s.index('expiresAt').openKeyCursor(IDBKeyRange.upperBound(now, true));
    expired.onsuccess = () => {
      const c = expired.result;
      if (!c) return;
      s.delete(c.primaryKey);
      swept++;
      c.continue();
    };
    const old = s.index('savedAt').openCursor(IDBKeyRange.upperBound(legacyCutoff, true));
    old.onsuccess = () => {
      const c = old.result;
      if (!c) return;
      if (c.value?.expiresAt === undefined) {
        c.delete();
        swept++;
      }
      c.continue();
    };
    return old;
  }, sweepMemory).then(() => swept);
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
  #keepMs;
  #writing = null;
  #timer = 0;
  #slow = false;
  #stopped = false;
  #deleting = null;
  #onError;

  /**
   * onError(err) hears of a failed write; the next edit tries again. base() says which host
   * document the work started from, recorded with every write. keepMs: how long after its last
   * save the draft may be swept (recorded as `expiresAt`).
   */
  constructor(key, onError = () => {}, { base = () => undefined, keepMs = undefined } = {}) {
    this.#key = key;
    this.#onError = onError;
    this.#base = base;
    this.#keepMs = keepMs;
  }

  /** savedAt: keep this time (a draft written again unchanged) instead of now. */
  save(produce, { savedAt = null } = {}) {
    if (this.#stopped) return Promise.resolve();
    this.#produce = produce;
    this.#producedAt = savedAt;
    if (this.#deleting) return this.flush();
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
      while (this.#produce !== null && !this.#deleting) {
        const produce = this.#produce;
        const savedAt = this.#producedAt ?? Date.now();
        this.#produce = null;
        const t0 = performance.now();
        const text = produce();
        this.#slow = performance.now() - t0 > DraftWriter.SLOW_MS;
        const record = { text, savedAt };
        if (Number.isFinite(this.#keepMs)) record.expiresAt = savedAt + this.#keepMs;
        const base = this.#base();
        if (base !== undefined) record.base = base;
        await putDraft(this.#key, record);
      }
    } catch (err) {
      this.#onError(err);
    } finally {
      this.#writing = null;
    }
  }

  /** Resolves once everything saved so far is on disk (a waiting write starts now). */
  flush() {
    if (this.#deleting) return this.#deleting.catch(() => {}).then(() => this.flush());
    return this.#produce !== null ? this.#start() : this.#writing ?? Promise.resolve();
  }

  /**
   * Deletes the draft. A write still waiting for a pause is dropped and one in flight lands
   * first, so nothing saved before this call re-creates the draft; an edit made while it is
   * deleted is written after it, starting a new draft.
   */
  async delete() {
    clearTimeout(this.#timer);
    this.#produce = null;
    const deleting = this.#deleting = (async () => {
      // The write in flight ends with its own state: an edit made meanwhile waits for the deletion.
      await this.#writing;
      await deleteDraft(this.#key);
    })();
    try {
      await deleting;
    } finally {
      if (this.#deleting === deleting) this.#deleting = null;
      if (this.#produce !== null && !this.#stopped) this.#start();
    }
  }

  /** Writes nothing more (a waiting write is dropped). */
  stop() {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#produce = null;
  }
}
