// SPDX-License-Identifier: MIT
// Who may write a task's draft, and when a saved draft may come back (doc/element-api.md,
// "Drafts"). One tab per task holds a Web Lock for the page's life and is the only one that
// saves or deletes the draft; a draft expires `draft-days` (of the job that saved it) after its
// last save, and expired ones are swept when a task opens; and a draft never silently replaces a document the host gave (an earlier answer,
// pre-annotations) unless it was started from that very document: otherwise the annotator sees
// both times and chooses, and nothing is deleted before.
import { DraftWriter, crossSiteFrame, pageStore, requestStorageAccess, storageAccessOffered } from './autosave.js';
import { hostBase, sameBase } from './fingerprint.js';
import { ErrorCode } from './error-codes.js';

export const DEFAULT_DRAFT_DAYS = 30;
const DAY_MS = 86_400_000;
// A reloaded page may ask for the lock a moment before the page it replaces lets go of it.
const LOCK_WAIT_MS = 1500;

/** The `draft-days` attribute as {days, problem?}: a positive number, 30 when absent or unusable. */
export function draftDays(text) {
  if (text === null || text === undefined || String(text).trim() === '') return { days: DEFAULT_DRAFT_DAYS };
  const days = Number(text);
  if (Number.isFinite(days) && days > 0) return { days };
  return { days: DEFAULT_DRAFT_DAYS, problem: `draft-days must be a positive number of days (got "${text}"): drafts are kept ${DEFAULT_DRAFT_DAYS} days` };
}

/** A time given as ISO 8601 text, a Date or epoch ms, in epoch ms; NaN when absent or unreadable. */
export function timeOf(t) {
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'number') return t;
  if (typeof t === 'string' && t.trim()) return Date.parse(t);
  return NaN;
}

const when = (ms) => new Date(ms).toLocaleString();

// Without Web Locks (only in secure contexts: not a page over plain HTTP, such as the local
// run's LAN mode), tabs ask each other over a BroadcastChannel: a tab holding the task, or one
// asking at the same moment with a smaller id, answers, and the asking tab stands back.
const ASK_WAIT_MS = 300;
function claimByMessage(name) {
  if (typeof BroadcastChannel !== 'function') return Promise.resolve({ held: true, release() {} });
  const channel = new BroadcastChannel('avseg-draft-tabs');
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  let state = 'asking'; // then 'held', 'refused' or 'released'
  channel.onmessage = ({ data }) => {
    if (data?.name !== name || data.id === id) return;
    if (data.type === 'held' && state === 'asking') state = 'refused';
    else if (data.type === 'ask' && (state === 'held' || (state === 'asking' && id < data.id))) channel.postMessage({ type: 'held', name, id });
    else if (data.type === 'ask' && state === 'asking') state = 'refused';
  };
  channel.postMessage({ type: 'ask', name, id });
  const release = () => {
    state = 'released';
    channel.close();
  };
  return new Promise((resolve) => {
    setTimeout(() => {
      if (state === 'asking') {
        state = 'held';
        resolve({ held: true, release });
      } else {
        release();
        resolve({ held: false, release() {} });
      }
    }, ASK_WAIT_MS);
  });
}

async function claim(name) {
  if (!globalThis.navigator?.locks?.request) return claimByMessage(name);
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  try {
    return await new Promise((resolve, reject) => {
      navigator.locks.request(name, { signal: AbortSignal.timeout(LOCK_WAIT_MS) }, () => {
        resolve({ held: true, release });
        return released;
      }).catch(reject);
    });
  } catch (err) {
    if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return { held: false, release() {} };
    // Locks refused outright (an opaque origin): autosave as before, unguarded.
    return { held: true, release() {} };
  }
}

const WHERE = {
  host: 'saved by the page that shows this task',
  indexeddb: 'saved in this browser',
  'indexeddb-partitioned': 'saved in this browser for this portal only',
  'storage-access': 'saved in this browser (storage access granted)',
  memory: 'kept in memory only: a reload loses them',
};

/**
 * The quiet line saying where drafts are kept (kind as in DraftBackend; null hides it). A
 * host store may name itself with `description` ("saved by the labeling run").
 */
export function showDraftHome(anchor, kind, description = null) {
  const root = anchor.parentNode;
  if (!root) return;
  let line = root.querySelector('.draft-where');
  if (!line) {
    if (!kind) return;
    line = document.createElement('p');
    line.className = 'draft-where';
    line.setAttribute('role', 'status');
    anchor.before(line);
  }
  line.hidden = !kind;
  line.dataset.store = kind ?? '';
  line.textContent = kind ? `Drafts: ${(kind === 'host' && description) || WHERE[kind]}.` : '';
}

export class DraftGuard {
  #key;
  #days;
  #anchor;
  #warn;
  #emit;
  #writer = null;
  #lock = null;
  #opened = null;
  #closed = false;
  #choosing = null;      // {resolve, done} while the annotator has not chosen
  #heldBack = null;      // the last edit made while choosing, saved if the host's document is kept
  #host = () => ({ value: null, time: null });
  #base = null;          // {value, time, base}: the host's document last fingerprinted
  #storage = null;       // where this task's draft is kept: a DraftBackend kind (null: nowhere)
  #store;                // () => Promise<DraftBackend>
  #gesture = null;       // removes the listener waiting for a gesture to ask for storage access

  /**
   * key: the draft's key. days: how long a draft is kept. anchor: the element the message box
   * goes after. warn(code, message): a non-fatal problem to show. emit(type, detail): an event.
   * store(): where drafts are kept (a promise of a DraftBackend; the page's store by default).
   */
  constructor(key, { days = DEFAULT_DRAFT_DAYS, anchor, warn, emit, store = pageStore }) {
    this.#key = key;
    this.#store = store;
    this.#days = days;
    this.#anchor = anchor;
    this.#warn = warn;
    this.#emit = emit;
  }

  /**
   * Claims the task for this tab, sweeps expired drafts and settles this task's draft against
   * `current` (the document now in the editor). host() gives the document the host supplied
   * ({value, time}: null when none; its time as ISO 8601, Date or epoch ms), asked again at every
   * save since the host may give another. restore(draft) puts a draft in its place.
   * Resolves to 'other-tab', 'unavailable', 'none', 'restored' or 'asking'.
   */
  open({ current, host, restore }) {
    this.#host = host;
    this.#opened ??= this.#open(current, restore);
    return this.#opened;
  }

  /** The host's document as a draft records it (fingerprinted once per document). */
  #hostBase() {
    const { value = null, time = null } = this.#host() ?? {};
    const b = this.#base;
    if (b && b.value === value && b.time === time) return b.base;
    this.#base = { value, time, base: hostBase(value, timeOf(time)) };
    return this.#base.base;
  }

  async #open(current, restore) {
    this.#lock = await claim(`avseg-draft\n${this.#key}`);
    if (this.#closed) {
      this.#lock.release();
      return 'closed';
    }
    if (!this.#lock.held) {
      const message = 'This task is open in another tab or window of this browser. What you change here is not saved as a draft, so it cannot overwrite the other tab\'s: continue there, or close it and reload this page.';
      this.#say(message);
      this.#emit('error', { code: ErrorCode.DraftInOtherTab, message, fatal: false });
      return 'other-tab';
    }
    let draft;
    let store;
    try {
      store = await this.#store();
      const now = Date.now();
      await store.sweep(now, now - DEFAULT_DRAFT_DAYS * DAY_MS);
      draft = await store.load(this.#key);
      // This task's own draft goes by this job's rule, whatever rule saved it.
      if (draft && draft.savedAt < now - this.#days * DAY_MS) {
        await store.remove(this.#key);
        draft = undefined;
      }
    } catch (err) {
      this.#warn(ErrorCode.AutosaveFailed, `Autosave is not available ${store?.kind === 'host' ? 'from the page\'s draft store' : 'in this browser'} (${err?.message ?? err}); submit before closing the page.`);
      return 'unavailable';
    }
    if (this.#closed) return 'closed';
    this.#storage = store.kind;
    showDraftHome(this.#anchor, store.kind, store.description);
    if (store.kind === 'memory') {
      this.#inMemory(store.reason);
      if (await storageAccessOffered()) this.#askOnGesture();
    }
    this.#writer = new DraftWriter(this.#key, (err) => this.#warn(ErrorCode.AutosaveFailed, `Autosave failed: ${err?.message ?? err}`), {
      base: () => this.#hostBase(), keepMs: this.#days * DAY_MS, store: () => this.#store(),
    });
    if (!draft || draft.text === current) return 'none';
    const base = this.#hostBase();
    // Started from exactly what the host gives now (or the host gives nothing): the draft is
    // simply the newer work, and comes back with the usual notice.
    if (base.doc === null || sameBase(draft.base, base)) {
      restore(draft);
      return 'restored';
    }
    this.#ask(draft, timeOf(this.#host()?.time), restore);
    return 'asking';
  }

  /** Where this task's draft is kept: a DraftBackend kind, or null (none is kept by this tab). */
  get storage() { return this.#storage; }

  /**
   * The page gave its own store after this task opened: the document now in the editor
   * (`produce()`) is saved there, and every later draft.
   */
  async useStore(store, produce) {
    this.#store = store;
    await this.#opened;
    if (this.#closed || !this.#writer) return;
    const backend = await store();
    this.#storage = backend.kind;
    this.#gesture?.();
    this.#anchor.parentNode?.querySelector('.draft-memory')?.setAttribute('hidden', '');
    showDraftHome(this.#anchor, backend.kind, backend.description);
    if (!this.#choosing) await this.#writer.save(produce);
  }

  /**
   * Drafts kept in memory in a frame the browser may grant storage to: the annotator's first
   * gesture in the element asks (the browser wants one). Granted, the draft moves there.
   */
  #askOnGesture() {
    const root = this.#anchor.getRootNode();
    const ask = (e) => {
      if (!e.isTrusted) return;
      this.#gesture?.();
      requestStorageAccess().then(({ store, reason }) => {
        if (this.#closed || this.#storage !== 'memory') return;
        if (!store) {
          this.#emit('storageaccess', { granted: false, reason });
          return;
        }
        this.#storage = store.kind;
        root.querySelector('.draft-memory')?.setAttribute('hidden', '');
        showDraftHome(this.#anchor, store.kind);
        this.#emit('storageaccess', { granted: true });
      });
    };
    root.addEventListener('pointerdown', ask, true);
    root.addEventListener('keydown', ask, true);
    this.#gesture = () => {
      root.removeEventListener('pointerdown', ask, true);
      root.removeEventListener('keydown', ask, true);
      this.#gesture = null;
    };
  }

  /** The browser refused IndexedDB: said in the element for as long as it shows, and as a warning. */
  #inMemory(reason) {
    const message = `This browser does not let the task store drafts (${String(reason).replace(/\.$/, '')}).${whyNoStorage()} What you do is kept only while this page stays open: reloading or closing it loses your work, so submit before you leave the page.`;
    const root = this.#anchor.parentNode;
    let box = root.querySelector('.draft-memory');
    if (!box) {
      box = document.createElement('p');
      box.className = 'draft-memory';
      box.setAttribute('role', 'alert');
      this.#anchor.before(box);
    }
    box.textContent = message;
    box.hidden = false;
    this.#emit('error', { code: ErrorCode.DraftsInMemory, message, fatal: false });
  }

  #box() {
    const root = this.#anchor.parentNode;
    let box = root.querySelector('.draft-box');
    if (!box) {
      box = document.createElement('div');
      box.className = 'notice draft-box';
      box.hidden = true;
      this.#anchor.after(box);
    }
    return box;
  }

  #say(text) {
    const box = this.#box();
    const p = document.createElement('p');
    p.setAttribute('role', 'alert');
    p.textContent = text;
    box.removeAttribute('role');
    box.removeAttribute('aria-labelledby');
    box.replaceChildren(p);
    box.hidden = false;
  }

  #ask(draft, hostTime, restore) {
    const box = this.#box();
    const known = Number.isFinite(hostTime);
    const question = document.createElement('p');
    question.id = 'avseg-draft-question';
    question.setAttribute('role', 'alert');
    question.textContent = `This browser kept an unsaved draft of this task, and the task came with ${known ? 'a saved answer' : 'annotations of its own'}. `
      + `${draft.base ? `Your draft was started from ${draft.base.doc === null ? 'no annotations' : 'other annotations'}. ` : ''}`
      + 'Which one do you want to continue from? Nothing is deleted until you choose, and changes made before you choose are not saved as a draft.';
    const newer = !known ? '' : draft.savedAt > hostTime ? 'draft' : 'host';
    const button = (choice, text) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.dataset.choice = choice;
      b.textContent = text;
      b.addEventListener('click', () => this.#choose(choice));
      return b;
    };
    const mine = button('draft', `Your unsaved draft from ${when(draft.savedAt)}${newer === 'draft' ? ' (newer)' : ''}`);
    const theirs = button('host', known ? `The saved answer from ${when(hostTime)}${newer === 'host' ? ' (newer)' : ''}` : 'The annotations the task came with (their time is not known)');
    box.setAttribute('role', 'group');
    box.setAttribute('aria-labelledby', question.id);
    box.replaceChildren(question, mine, ' ', theirs);
    box.hidden = false;
    let resolve;
    const done = new Promise((r) => { resolve = r; }).then(async (choice) => {
      box.hidden = true;
      box.replaceChildren();
      this.#choosing = null;
      const heldBack = this.#heldBack;
      this.#heldBack = null;
      if (choice === 'draft') {
        restore(draft);
        // Chosen over this very document: from now on it is the draft's base, asked about no more.
        this.#writer?.save(() => draft.text, { savedAt: draft.savedAt });
      } else if (choice === 'host') {
        try {
          await (await this.#store()).remove(this.#key);
        } catch (err) {
          this.#warn(ErrorCode.AutosaveFailed, `The draft could not be deleted: ${err?.message ?? err}`);
        }
        if (heldBack) this.#writer?.save(heldBack);
      }
      if (choice) this.#emit('draftchoice', { choice, draftSavedAt: draft.savedAt, answerSavedAt: known ? hostTime : null });
    });
    this.#choosing = { resolve, done };
  }

  #choose(choice) {
    const c = this.#choosing;
    if (!c) return Promise.resolve();
    c.resolve(choice);
    return c.done;
  }

  /** Whether the annotator still has to choose between a draft and the host's document. */
  get choosing() { return this.#choosing !== null; }

  save(produce) {
    if (this.#choosing) {
      this.#heldBack = produce;
      return Promise.resolve();
    }
    return this.#writer?.save(produce) ?? Promise.resolve();
  }

  flush() {
    return this.#writer?.flush() ?? Promise.resolve();
  }

  /**
   * Deletes this task's draft and keeps the editor as it is (an open choice ends keeping the
   * host's document). A tab that does not hold the task deletes nothing: the draft is the other's.
   */
  async delete() {
    await this.#opened;
    if (!this.#lock?.held || this.#closed) return;
    if (this.#choosing) return this.#choose('host');
    if (this.#writer) return this.#writer.delete();
    return (await this.#store()).remove(this.#key);
  }

  /** Lets go of the task (another media is loading): nothing more is written; an open choice stays undecided. */
  close() {
    this.#closed = true;
    this.#gesture?.();
    this.#writer?.stop();
    this.#lock?.release();
    if (this.#choosing) {
      this.#choosing.resolve(null);
    }
    const box = this.#anchor.parentNode?.querySelector('.draft-box');
    if (box) box.hidden = true;
  }
}

/** Why a page gets no storage, where the page can tell: an opaque origin, or a frame of another site. */
function whyNoStorage() {
  if (self.origin === 'null') {
    return ' The task\'s frame has an opaque origin (the portal\'s iframe sandbox lacks allow-same-origin), and browsers give such a page no storage.';
  }
  return crossSiteFrame() ? ' The task is framed by a page of another site, and this browser keeps such a frame from storing data.' : '';
}
