// SPDX-License-Identifier: MIT
// The local run keeps each annotator's unsaved draft of each item (the element's `draftStore`,
// given by template/local/draft-store.js), so a task whose browser refuses it storage (a
// cross-site frame, a private window) still survives a reload. A draft records the address the
// media was read from, which holds the run's media token (or an s3:// item's presigned URL with
// the machine's AWS credentials): drafts are kept beside the run's secrets, in the user's state
// folder (0700 folders, 0600 files), never in the output folder, which is shared as results. A
// submitted answer removes its draft.
import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeAtomic } from './output.mjs';

/** The largest draft the run keeps (bytes of JSON); a bigger one is refused with 413. */
export const DRAFT_LIMIT = 16 * 1024 * 1024;

const hex = (s) => createHash('sha256').update(String(s)).digest('hex');

/** Whether `draft` has the shape the element saves: {text, savedAt, ...}. */
export const isDraft = (draft) => !!draft && typeof draft === 'object' && !Array.isArray(draft)
  && typeof draft.text === 'string' && Number.isFinite(draft.savedAt);

export class RunDrafts {
  #dir;
  #chains = new Map(); // file → the last operation on it: one at a time, in the order asked

  /** @param {string} dir the folder drafts are kept in (made, for the user alone, at the first save) */
  constructor(dir) {
    this.#dir = dir;
  }

  // By the item's tag, not its line number: a draft follows its item when lines are reordered.
  // The annotator's name and the tag are hashed: nothing from a request becomes a path as it is.
  #file(worker, tag) {
    return path.join(this.#dir, hex(worker).slice(0, 32), `${hex(tag).slice(0, 32)}.json`);
  }

  #serial(file, fn) {
    const next = (this.#chains.get(file) ?? Promise.resolve()).then(fn);
    const settled = next.catch(() => {});
    this.#chains.set(file, settled);
    settled.then(() => { if (this.#chains.get(file) === settled) this.#chains.delete(file); });
    return next;
  }

  /** The draft kept for this annotator and item, or null. */
  load(worker, tag) {
    const file = this.#file(worker, tag);
    return this.#serial(file, async () => {
      try {
        const draft = JSON.parse(await readFile(file, 'utf8'));
        return isDraft(draft) ? draft : null;
      } catch (err) {
        if (err.code === 'ENOENT' || err instanceof SyntaxError) return null;
        throw err;
      }
    });
  }

  save(worker, tag, draft) {
    const file = this.#file(worker, tag);
    return this.#serial(file, async () => {
      for (const dir of [this.#dir, path.dirname(file)]) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        await chmod(dir, 0o700);
      }
      await writeAtomic(file, JSON.stringify(draft), { mode: 0o600 });
    });
  }

  /** Removes the draft; with `before` (epoch ms), only if it was last written before then. */
  remove(worker, tag, { before = Infinity } = {}) {
    const file = this.#file(worker, tag);
    return this.#serial(file, async () => {
      // An edit saved while an answer was being stored is not in that answer: its draft stays.
      const written = await stat(file).then((s) => s.mtimeMs, () => null);
      if (written !== null && written < before) await rm(file, { force: true });
    });
  }
}
