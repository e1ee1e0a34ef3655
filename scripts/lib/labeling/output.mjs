// SPDX-License-Identifier: MIT
// A labeling run's output, laid out as Ground Truth lays out a job's output in S3, so the same
// post-processing reads both:
//   <dir>/manifests/output/output.manifest                         one line per finished item
//   <dir>/annotations/worker-response/iteration-1/<i>/<time>.json  every worker's raw answer
// Each worker-response file also names the item it answers ("avsegItem": its media, the hash of
// its manifest line, which copy of that line), so answers are attached by identity, never by
// position: a changed manifest is refused (or, when asked, answers are moved to their items).
// Every file is written whole to a temporary name, synced, then renamed over the old one (and
// the folder synced; a new folder is synced in its parent), so a kill at any moment leaves the
// old file or the new one, never half.
import { link, mkdir, open, readdir, readFile, rename, rm, rmdir, stat, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { identityKey, ManifestError, printable } from './manifest.mjs';

export async function syncDir(dir) {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p that syncs each folder it creates into its parent, so the new entry survives a crash. */
export async function ensureDir(dir) {
  const first = await mkdir(dir, { recursive: true });
  if (!first) return;
  const created = [];
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    created.unshift(d);
    if (d === path.resolve(first) || d === path.dirname(d)) break;
  }
  for (const d of created) await syncDir(path.dirname(d));
}

export async function writeAtomic(file, text, { mode } = {}) {
  await ensureDir(path.dirname(file));
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const handle = await open(tmp, 'w', mode);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await syncDir(path.dirname(file));
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
};

/**
 * Takes the output folder for this process: two runs on one folder would each keep their own
 * answers in memory and write the output manifest over each other's. The lock file names its
 * process; one left by a process that has ended (killed) is taken over. Resolves with a function
 * that releases it.
 */
export async function lockFolder(dir) {
  await ensureDir(dir);
  const file = path.join(dir, '.avseg-run.lock');
  const me = { pid: process.pid, host: os.hostname(), since: new Date().toISOString() };
  const tmp = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}`;
  await writeAtomic(tmp, `${JSON.stringify(me)}\n`);
  const read = (f) => readFile(f, 'utf8').then(JSON.parse).catch(() => null);
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, file); // appears whole, or not at all when another run holds it
        await syncDir(dir);
        break;
      } catch (err) {
        if (err.code !== 'EEXIST') throw err;
      }
      const holder = await read(file);
      if (attempt < 3 && holder?.host === me.host && Number.isInteger(holder.pid) && !alive(holder.pid)) {
        // Left by a run that ended: moved away, not deleted, so two runs taking it over at once cannot both succeed.
        const aside = `${file}.ended-${process.pid}`;
        if (await rename(file, aside).then(() => true, () => false)) {
          const moved = await read(aside);
          if (moved?.pid !== holder.pid) await link(aside, file).catch(() => {}); // another run's fresh lock: put back
          await unlink(aside).catch(() => {});
        }
        continue;
      }
      const who = holder ? `process ${holder.pid}${holder.host !== me.host ? ` on ${holder.host}` : ''}, since ${holder.since}` : 'a run whose lock cannot be read';
      throw new ManifestError(`the output folder ${dir} is in use by another run (${who}): stop it first, or give another --output (if no run is using it, delete ${file})`);
    }
  } finally {
    await unlink(tmp).catch(() => {});
  }
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    if ((await read(file))?.pid === me.pid) await unlink(file).catch(() => {});
  };
}

/** Moves a file into another folder (same file system), both folders synced; never over an existing file. */
async function moveInto(file, dir) {
  await ensureDir(dir);
  const { name, ext } = path.parse(file);
  let target = path.join(dir, `${name}${ext}`);
  for (let n = 2; await stat(target).then(() => true, () => false); n++) target = path.join(dir, `${name}-${n}${ext}`);
  await rename(file, target);
  await syncDir(path.dirname(file));
  await syncDir(dir);
  return target;
}

const stamp = (d = new Date()) => d.toISOString().replace(/[:.]/g, '-');

/** An answer refused by the run's own rules (HTTP 409). */
export class ConflictError extends Error {}

function checkResponse(doc) {
  if (!doc || typeof doc !== 'object' || !Array.isArray(doc.answers)) return 'it has no "answers" list';
  for (const a of doc.answers) {
    if (!a || typeof a !== 'object' || !a.answerContent || typeof a.answerContent !== 'object') return 'an answer has no "answerContent" object';
    if (typeof (a.workerMetadata?.identityData?.sub ?? a.workerId) !== 'string') return 'an answer does not say who gave it';
  }
  const id = doc.avsegItem;
  if (id !== undefined && (typeof id?.source !== 'string' || typeof id?.lineHash !== 'string')) return '"avsegItem" lacks the media or the line hash';
  return null;
}

export class OutputStore {
  /** answers per item index: Map(workerName -> answer) */
  #answers = new Map();
  #files = new Map(); // item index -> its worker-response file
  #chain = Promise.resolve();

  /**
   * @param {{dir: string, items: any[], labelAttribute: string, jobName: string, workersPerItem: number,
   *          warn?: (message: string) => void}} opts
   */
  constructor({ dir, items, labelAttribute, jobName, workersPerItem, warn = (m) => console.warn(`avseg: ${m}`) }) {
    Object.assign(this, { dir, items, labelAttribute, jobName, workersPerItem, warn });
  }

  get manifestPath() { return path.join(this.dir, 'manifests/output/output.manifest'); }
  get responsesDir() { return path.join(this.dir, 'annotations/worker-response/iteration-1'); }
  responseDir(index) { return path.join(this.responsesDir, String(index)); }

  /**
   * Reads what earlier runs wrote (a restarted run resumes where it stopped). Every stored answer
   * must belong to the line at its folder's position: otherwise the lines that changed are named
   * and nothing is touched, unless `reattach`, which moves each answer to the line with its
   * identity and answers matching no line to annotations/unattached/<time>/.
   */
  async load({ reattach = false } = {}) {
    const byIdentity = new Map(this.items.map((item) => [identityKey(item.identity), item]));
    const records = [];
    const folders = (await readdir(this.responsesDir, { withFileTypes: true }).catch(() => [])).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    for (const folder of folders) {
      const dir = path.join(this.responsesDir, folder);
      for (const name of (await readdir(dir)).filter((n) => n.endsWith('.json')).sort()) {
        const file = path.join(dir, name);
        let doc;
        let problem;
        try {
          doc = JSON.parse(await readFile(file, 'utf8'));
          problem = checkResponse(doc);
        } catch (err) {
          problem = err instanceof SyntaxError ? `it is not valid JSON (${err.message})` : err.message;
        }
        if (problem) {
          const aside = `${file}.corrupt-${stamp()}`;
          await rename(file, aside);
          await syncDir(dir);
          this.warn(`the stored answers ${file} could not be read (${problem}); the file was moved to ${aside} and its item counts as not answered`);
          continue;
        }
        const item = doc.avsegItem ? byIdentity.get(identityKey(doc.avsegItem)) : undefined;
        records.push({ folder, file, doc, item, placed: !!item && String(item.index) === folder });
      }
    }

    const misplaced = records.filter((r) => !r.placed);
    if (misplaced.length && !reattach) throw new ManifestError(this.#describe(misplaced));
    if (misplaced.length) await this.#reattach(misplaced);

    const attached = records.filter((rec) => rec.item)
      .sort((a, b) => a.item.index - b.item.index || path.basename(a.file).localeCompare(path.basename(b.file)));
    for (const r of attached) {
      const answers = this.#answers.get(r.item.index) ?? new Map();
      for (const a of r.doc.answers) answers.set(a.workerMetadata?.identityData?.sub ?? a.workerId, a);
      this.#answers.set(r.item.index, answers);
      this.#files.set(r.item.index, r.file); // the newest file is the one later answers go to
    }
    await this.#writeManifest();
  }

  #describe(misplaced) {
    const lines = [];
    for (const r of misplaced) {
      const stored = path.relative(this.dir, r.file);
      const was = r.doc.avsegItem;
      const here = /^\d+$/.test(r.folder) ? this.items[Number(r.folder)] : undefined;
      const then = was?.lineNumber ? `line ${printable(was.lineNumber)}` : 'another line';
      if (!was) lines.push(`${stored}: written without the item's identity (by an older avseg), so it cannot be checked against this manifest`);
      else if (r.item) lines.push(`line ${r.item.lineNumber} (${printable(r.item.source)}) was ${then} when answered (${stored})`);
      else if (here && here.source === was.source) lines.push(`line ${here.lineNumber} (${printable(here.source)}) changed since it was answered (${stored})`);
      else lines.push(`answers to ${printable(was.source)} (${then} then) match no line of this manifest${here ? `; line ${here.lineNumber} is now ${printable(here.source)}` : ''} (${stored})`);
    }
    return [
      `the output folder ${this.dir} holds answers that do not belong to the lines at their places in this manifest:`,
      ...lines.map((l) => `  ${l}`),
      'No answer was moved. Restart with --reattach to move each answer to the line with the same media and content'
        + ' (answers that match no line are moved to annotations/unattached/), or give another --output.',
    ].join('\n');
  }

  async #reattach(misplaced) {
    const when = stamp();
    // Through staging folders, so a folder can be emptied before another item's answers move in
    // (a run killed meanwhile finds them there, as answers still to re-attach).
    const staged = (folder) => folder.startsWith('.reattach-');
    const staging = (folder) => path.join(this.responsesDir, staged(folder) ? folder : `.reattach-${when}--${folder}`);
    for (const r of misplaced) if (!staged(r.folder)) r.file = await moveInto(r.file, staging(r.folder));
    for (const r of misplaced) {
      if (r.item) {
        r.file = await moveInto(r.file, this.responseDir(r.item.index));
        this.warn(`answers for line ${r.item.lineNumber} (${printable(r.item.source)}) re-attached by identity: ${path.relative(this.dir, r.file)}`);
      } else {
        r.file = await moveInto(r.file, path.join(this.dir, 'annotations/unattached', when, r.folder.split('--').at(-1)));
        this.warn(`answers that match no line were moved to ${r.file}`);
      }
    }
    for (const folder of new Set(misplaced.map((r) => r.folder))) {
      for (const dir of [staging(folder), path.join(this.responsesDir, folder)]) {
        if (!(await readdir(dir).catch(() => ['keep'])).length) await rmdir(dir);
      }
    }
    await syncDir(this.responsesDir);
  }

  /** The worker names that answered an item. */
  workersOf(index) { return [...(this.#answers.get(index)?.keys() ?? [])]; }
  answerOf(index, worker) { return this.#answers.get(index)?.get(worker) ?? null; }
  isComplete(index) { return (this.#answers.get(index)?.size ?? 0) >= this.workersPerItem; }

  /** The next item a worker should do: not done by them and still short of answers; or null. */
  nextFor(worker) {
    return this.items.find((item) => !this.#answers.get(item.index)?.has(worker) && !this.isComplete(item.index)) ?? null;
  }

  /**
   * Records a worker's answer to an item (a second answer by the same worker replaces the first).
   * Resolves once it is on disk, with the worker-response file and the output manifest. An item
   * that already has its answers from others refuses a new annotator's (ConflictError).
   */
  submit(index, worker, { answerContent, acceptanceTime, submissionTime = new Date() }) {
    const run = async () => {
      const item = this.items[index];
      const answers = this.#answers.get(index) ?? new Map();
      if (!answers.has(worker) && answers.size >= this.workersPerItem) {
        const n = this.workersPerItem;
        throw new ConflictError(`item ${index + 1} already has the ${n === 1 ? 'answer' : `${n} answers`} it needs (from ${[...answers.keys()].join(', ')}), so yours was not recorded; go on to the next item`);
      }
      const answer = {
        acceptanceTime: new Date(acceptanceTime ?? submissionTime).toISOString(),
        answerContent,
        submissionTime: submissionTime.toISOString(),
        timeSpentInSeconds: Math.max(0, (submissionTime - new Date(acceptanceTime ?? submissionTime)) / 1000),
        workerId: `local.${worker}`,
        workerMetadata: { identityData: { identityProviderType: 'avseg-local', issuer: 'avseg local labeling run', sub: worker } },
      };
      const next = new Map(answers).set(worker, answer);
      // One file per item, as Ground Truth writes one per data object: named when first written.
      const file = this.#files.get(index) ?? path.join(this.responseDir(index), `${stamp(submissionTime)}.json`);
      const avsegItem = { ...item.identity, lineNumber: item.lineNumber };
      await writeAtomic(file, `${JSON.stringify({ answers: [...next.values()], avsegItem }, null, 2)}\n`);
      this.#files.set(index, file);
      this.#answers.set(index, next);
      await this.#writeManifest();
      return { file, answer };
    };
    const result = this.#chain.then(run);
    this.#chain = result.catch(() => {});
    return result;
  }

  async #writeManifest() {
    const lines = [];
    for (const item of this.items) {
      if (!this.isComplete(item.index)) continue;
      const answers = [...this.#answers.get(item.index).values()];
      const first = answers.map((a) => a.submissionTime).sort()[0];
      lines.push(JSON.stringify({
        ...item.line,
        [this.labelAttribute]: {
          annotationsFromAllWorkers: answers.map((a) => ({ workerId: a.workerId, annotationData: { content: JSON.stringify(a.answerContent) } })),
        },
        [`${this.labelAttribute}-metadata`]: {
          job_name: this.jobName,
          type: 'groundTruth/custom',
          'human-annotated': 'yes',
          creation_date: first,
        },
      }));
    }
    await writeAtomic(this.manifestPath, lines.map((l) => `${l}\n`).join(''));
  }
}
