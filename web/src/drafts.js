// SPDX-License-Identifier: MIT
// The element's drafts: its glue to the draft guard (draft-guard.js, autosave.js) for the task
// loaded now: the key a draft is saved under, restoring one, discarding and flushing, the notice.
import { hostBackend, pageStore, stableUrl } from './autosave.js';
import { DraftGuard, draftDays, showDraftHome } from './draft-guard.js';
import { ErrorCode } from './error-codes.js';

/**
 * What the drafts ask of the element.
 * @typedef {object} DraftsHost
 * @property {(name: string) => string | null} attribute  the element's attribute (autosave, draft-days)
 * @property {() => string} scope  the element's draftScope
 * @property {() => string} src
 * @property {() => any} valueTime  when the host's value was saved
 * @property {() => number} loadId  the media load now (a draft found for an older one is dropped)
 * @property {() => boolean} hasMedia  the media's header is read
 * @property {(type: string, detail: object) => void} emit  an element event (restored, draftchoice, ...)
 */

/** The key a draft is saved under: the scope (job) if any, the host's task id and the media. */
export function draftKey(scope, taskId, src) {
  const key = `${taskId}\u0000${stableUrl(src)}`;
  return scope ? `${scope}\u0000${key}` : key;
}

export class Drafts {
  #session;
  #notice;
  #host;
  #guard = null;        // DraftGuard for this task, once the media is ready
  #released = -1;       // the load during which the element was removed for good
  #storage = null;      // where the task's draft is kept (draft-guard.js), once it was opened
  #hostStore = null;    // the page's own store (editor.draftStore), as given
  #backend = null;      // and wrapped (autosave.js hostBackend)

  /**
   * @param {import('./annotation-session.js').AnnotationSession} session
   * @param {HTMLElement} notice  the box that says a draft was restored (with its Discard button)
   * @param {DraftsHost} host
   */
  constructor(session, notice, host) {
    this.#session = session;
    this.#notice = notice;
    this.#host = host;
    session.on('change', ({ save }) => {
      if (save) this.#guard?.save(() => session.model.save());
    });
  }

  /** @param {import('./emitter.js').Subscriptions} subs */
  connect(subs) {
    subs.listen(this.#notice.querySelector('.discard'), 'click', () => { this.discard(); });
  }

  /** Where drafts go now: the page's store if it gave one, else the browser's (autosave.js). */
  #store = () => (this.#backend ? Promise.resolve(this.#backend) : pageStore());

  /** The page's own draft store ({load, save, remove}, async), or null for the browser's. */
  get hostStore() { return this.#hostStore; }
  set hostStore(store) {
    if (store !== null && store !== undefined && ['load', 'save', 'remove'].some((m) => typeof store[m] !== 'function')) {
      throw new TypeError('draftStore needs load(key), save(key, draft) and remove(key) functions (or null)');
    }
    this.#hostStore = store ?? null;
    this.#backend = store ? hostBackend(store) : null;
    // Given once a task is open: what the editor holds now is saved there from now on.
    if (this.#backend && this.#guard) {
      const guard = this.#guard;
      guard.useStore(this.#store, () => this.#session.model.save()).then(() => {
        if (guard === this.#guard) this.#storage = guard.storage;
      });
    }
  }

  get #key() { return draftKey(this.#host.scope(), this.#session.taskId, this.#host.src()); }

  /** Claims the task for this tab and puts a kept draft in place (or asks the annotator). */
  async restore(load) {
    if (load <= this.#released) return;
    if (this.#host.attribute('autosave') === 'off') {
      this.#storage = null;
      showDraftHome(this.#notice, null);
      return;
    }
    const days = draftDays(this.#host.attribute('draft-days'));
    if (days.problem) this.#session.reportError(ErrorCode.InvalidDraftDays, days.problem);
    const guard = this.#guard = new DraftGuard(this.#key, {
      days: days.days,
      anchor: this.#notice,
      store: this.#store,
      warn: (code, message) => this.#session.reportError(code, message),
      emit: (type, detail) => this.#host.emit(type, detail),
    });
    await guard.open({
      current: this.#session.model.save(),
      host: () => ({ value: this.#session.hostValue, time: this.#host.valueTime() }),
      restore: (draft) => { if (load === this.#host.loadId()) this.#apply(draft); },
    });
    if (guard === this.#guard) this.#storage = guard.storage;
  }

  #apply(draft) {
    const session = this.#session;
    const result = session.model.load(draft.text);
    if (!result.ok) {
      // A draft from an older, incompatible editor: keep what the host gave, but not in silence.
      session.reportError(ErrorCode.DraftUnreadable, `Your unsaved draft from ${new Date(draft.savedAt).toLocaleString()} could not be restored (${result.message}); the next change replaces it.`);
      return;
    }
    session.setTimebase();
    session.updateMedia();
    session.changed(false); // it is the draft already
    this.#showNotice(`Restored your unsaved work from ${new Date(draft.savedAt).toLocaleString()}.`);
    this.#host.emit('restored', { savedAt: draft.savedAt, value: session.value });
  }

  /** Lets go of the task (another media loads, or the element is gone): its lock, its writer. */
  close() {
    this.#guard?.close();
    this.#guard = null;
  }

  /** The element was removed for good: what is saved so far lands, then the task's lock goes. */
  release() {
    this.#released = this.#host.loadId();
    const guard = this.#guard;
    this.#guard = null;
    guard?.flush().finally(() => guard.close());
  }

  /**
   * Where the task's draft is kept: 'host' (the page's draftStore), 'indexeddb',
   * 'indexeddb-partitioned' (this portal's share of the browser's storage), 'storage-access'
   * (storage the browser granted on request), 'memory' (a reload loses it), or null (none kept).
   */
  get storage() { return this.#guard?.storage ?? this.#storage; }

  /** True while the annotator has not chosen between a kept draft and the host's value. */
  get choicePending() { return this.#guard?.choosing ?? false; }

  /** Deletes the autosaved draft and keeps the editor as it is. */
  forget() {
    return this.#guard?.delete() ?? Promise.resolve();
  }

  /** Drops the autosaved draft and goes back to what the host gave (pre-annotations or nothing). */
  async discard() {
    if (this.#guard) await this.#guard.delete();
    else await (await this.#store()).remove(this.#key);
    const session = this.#session;
    if (session.model) {
      const base = session.hostValue ?? { format: 'avseg.annotation', version: 1 };
      session.model.load(typeof base === 'string' ? base : JSON.stringify(base));
      if (this.#host.hasMedia()) session.setTimebase();
      session.updateMedia();
      session.changed(false);
    }
    this.#showNotice(null);
  }

  /** Resolves once every edit so far is saved in the browser. */
  flush() {
    return this.#guard?.flush() ?? Promise.resolve();
  }

  #showNotice(text) {
    const box = this.#notice;
    box.hidden = !text;
    box.querySelector('span').textContent = text ?? '';
  }
}
