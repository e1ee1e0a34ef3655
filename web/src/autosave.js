// SPDX-License-Identifier: MIT
// Drafts of the annotation document in IndexedDB (or, where the browser refuses it, in the page's
// memory), keyed by job, task and media, so a reload, a crash or a closed tab loses nothing
// typed. Writes are serialised: the last state always lands last, and a deletion lands after them.

const DB = 'avseg';
const STORE = 'drafts';

let dbPromise;
const db = () => (dbPromise ??= openDb(globalThis.indexedDB));
function openDb(factory) {
  const opened = new Promise((resolve, reject) => {
    if (!factory) throw new Error('IndexedDB is not offered to this page');
    const open = factory.open(DB, 3);
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
        if (factory === globalThis.indexedDB) dbPromise = undefined;
      };
      resolve(d);
    };
    open.onerror = () => reject(open.error);
  });
  return opened;
}

// A blocked or broken IndexedDB must not hold the editor up: give up after a while.
function withTimeout(promise, ms) {
  return Promise.race([promise, new Promise((_, reject) => setTimeout(() => reject(new Error('IndexedDB did not answer')), ms))]);
}

// Where the browser refuses IndexedDB (an opaque origin, a cross-site frame with third-party
// storage blocked, some private modes), drafts live in this page's memory instead: shared by
// every editor of the page, so a refused submit or a remounted editor keeps them; a reload does not.
const memory = new Map();
const copy = (record) => (record === undefined || record === null ? undefined : structuredClone(record));

/**
 * A place drafts are kept: {kind, reason?, load(key), save(key, record), remove(key), sweep(now, legacyCutoff)}.
 * kind: 'host' (the page's own store), 'indexeddb', 'indexeddb-partitioned' (this frame's share
 * of IndexedDB, kept for this portal only), 'storage-access' (IndexedDB the browser granted on
 * request) or 'memory'.
 * @typedef {object} DraftBackend
 */

/** IndexedDB store under `kind`, opened from `factory` (the page's indexedDB or a storage-access handle's). */
function idbBackend(kind, open) {
  const request = (mode, fn) => withTimeout(open(), 5000).then((d) => new Promise((resolve, reject) => {
    const tx = d.transaction(STORE, mode);
    const req = fn(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(req.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
  return {
    kind,
    load: (key) => request('readonly', (s) => s.get(key)),
    save: (key, record) => request('readwrite', (s) => s.put(record, key)),
    remove: (key) => request('readwrite', (s) => s.delete(key)),
    sweep: (now, legacyCutoff) => {
      let swept = 0;
      return request('readwrite', (s) => {
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
      }).then(() => swept);
    },
  };
}

function memoryBackend(reason) {
  return {
    kind: 'memory',
    reason,
    load: async (key) => copy(memory.get(key)),
    save: async (key, record) => { memory.set(key, copy(record)); },
    remove: async (key) => { memory.delete(key); },
    sweep: async (now, legacyCutoff) => {
      let swept = 0;
      for (const [key, r] of memory) {
        if (r.expiresAt !== undefined ? r.expiresAt < now : r.savedAt < legacyCutoff) {
          memory.delete(key);
          swept++;
        }
      }
      return swept;
    },
  };
}

/**
 * A store the page gives (`editor.draftStore`): {load(key), save(key, draft), remove(key)}, each
 * may return a promise. It keeps drafts by its own rules: nothing is swept there.
 */
export function hostBackend(store) {
  const call = async (name, ...args) => {
    if (typeof store?.[name] !== 'function') throw new TypeError(`draftStore.${name} is not a function`);
    return store[name](...args);
  };
  return {
    kind: 'host',
    description: typeof store?.description === 'string' ? store.description : null,
    load: async (key) => copy(await call('load', key) ?? undefined),
    save: (key, record) => call('save', key, copy(record)),
    remove: (key) => call('remove', key),
    sweep: async () => 0,
  };
}

/** The registrable part of a host, near enough without the Public Suffix List: an IP or name as is, else its last two labels. */
function siteOf(origin) {
  try {
    const u = new URL(origin);
    const host = u.hostname;
    const ip = /^[\d.]+$/.test(host) || host.startsWith('[');
    return `${u.protocol}//${ip ? host : host.split('.').slice(-2).join('.')}`;
  } catch {
    return null;
  }
}

/**
 * Whether this page is a frame of a page on another site (whose storage the browser blocks or
 * partitions): from location.ancestorOrigins (Chromium, Safari), else the top page's location
 * when readable (same origin), else the referrer (Firefox sends the portal's origin).
 */
export function crossSiteFrame(win = globalThis) {
  if (!win.top || win.top === win) return false;
  const own = siteOf(win.location.origin);
  if (own === null || win.location.origin === 'null') return true;
  const ancestors = win.location.ancestorOrigins;
  if (ancestors?.length) return [...ancestors].some((o) => siteOf(o) !== own);
  try {
    return siteOf(win.top.location.origin) !== own;
  } catch {
    const referrer = win.document?.referrer;
    return referrer ? siteOf(referrer) !== own : true;
  }
}

/**
 * IndexedDB as this frame has it: a cross-site frame without storage access (document.hasStorageAccess()
 * false) gets the browser's partition for this portal, not the site's own storage.
 */
async function indexedDbKind() {
  if (!crossSiteFrame()) return 'indexeddb';
  try {
    if (await document.hasStorageAccess?.()) return 'indexeddb';
  } catch { /* not answered: say partitioned, the cautious reading */ }
  return 'indexeddb-partitioned';
}

let page;

/**
 * Where this page keeps drafts when the page gives no store: IndexedDB ('indexeddb' or
 * 'indexeddb-partitioned'), storage granted by the Storage Access API once asked for, else
 * memory (with what the browser said when it refused IndexedDB). Asked once per page.
 * @returns {Promise<DraftBackend>}
 */
export function pageStore() {
  page ??= withTimeout(db(), 5000).then(async () => idbBackend(await indexedDbKind(), db), async (err) => {
    if (accessApi() && await grantedBefore()) {
      const { store } = await accessStore();
      if (store) return store;
    }
    return memoryBackend(`${err?.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err?.message ?? err}`);
  });
  return page;
}

/** {kind, reason?} of pageStore(). */
export const draftStorage = () => pageStore().then(({ kind, reason }) => ({ kind, reason }));

/** Whether the browser could be asked for storage access (a frame kept to memory, the API offered). */
export async function storageAccessOffered() {
  return (await pageStore()).kind === 'memory' && accessApi();
}

const accessApi = () => typeof globalThis.document?.requestStorageAccess === 'function' && globalThis.top !== globalThis;

/** Storage access granted to this site before (a reload after a grant): asked again, no gesture needed. */
async function grantedBefore() {
  try {
    return (await navigator.permissions.query({ name: 'storage-access' })).state === 'granted';
  } catch {
    return false;
  }
}

/** Asks for the site's own IndexedDB: {store} once granted and opened, else {store: null, reason}. */
async function accessStore() {
  let factory;
  try {
    // Chromium hands IndexedDB out through a handle; elsewhere a grant opens the document's own.
    const handle = await document.requestStorageAccess({ indexedDB: true });
    factory = handle?.indexedDB ?? globalThis.indexedDB;
  } catch (err) {
    if (err?.name !== 'TypeError') return { store: null, reason: err?.message ?? String(err) };
    try {
      await document.requestStorageAccess();
      factory = globalThis.indexedDB;
    } catch (err2) {
      return { store: null, reason: err2?.message ?? String(err2) };
    }
  }
  let opened;
  const open = () => (opened ??= openDb(factory));
  try {
    await withTimeout(open(), 5000);
  } catch (err) {
    return { store: null, reason: err?.message ?? String(err) };
  }
  return { store: idbBackend('storage-access', open) };
}

let asking = null;

/**
 * Asks the browser for this site's own storage (the Storage Access API; call it in a user
 * gesture: the request is made before the first await). Granted, drafts kept in memory move
 * there and every later draft goes there: resolves to {store}; refused, to {store: null, reason}
 * (the browser's words), and is not asked again in this page.
 */
export function requestStorageAccess() {
  asking ??= accessStore().then(async (result) => {
    if (!result.store) return result;
    for (const [key, record] of memory) await result.store.save(key, record);
    memory.clear();
    page = Promise.resolve(result.store);
    return result;
  });
  return asking;
}

const stored = (fn) => pageStore().then(fn);

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
export const loadDraft = (key) => stored((b) => b.load(key));
export const deleteDraft = (key) => stored((b) => b.remove(key));

/**
 * Deletes every draft whose expiry (`expiresAt`, set by the job that saved it) is before `now`,
 * and every draft without one last saved before `legacyCutoff` (epoch ms); resolves to how many
 * went. One job's shorter `draft-days` never shortens another job's drafts.
 */
export const sweepDrafts = (now, legacyCutoff) => stored((b) => b.sweep(now, legacyCutoff));

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
  #store;

  /**
   * onError(err) hears of a failed write; the next edit tries again. base() says which host
   * document the work started from, recorded with every write. keepMs: how long after its last
   * save the draft may be swept (recorded as `expiresAt`). store(): where to write (a
   * DraftBackend, or a promise of one; asked at every write: the page's store by default).
   */
  constructor(key, onError = () => {}, { base = () => undefined, keepMs = undefined, store = pageStore } = {}) {
    this.#key = key;
    this.#store = store;
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
        await (await this.#store()).save(this.#key, record);
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
      await (await this.#store()).remove(this.#key);
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
