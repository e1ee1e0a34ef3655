// SPDX-License-Identifier: MIT
// A labeling run's output, laid out as Ground Truth lays out a job's output in S3, so the same
// post-processing reads both:
//   <dir>/manifests/output/output.manifest                         one line per finished item
//   <dir>/annotations/worker-response/iteration-1/<i>/<time>.json  every worker's raw answer
// Every file is written whole to a temporary name, synced, then renamed over the old one (and
// the folder synced), so a kill at any moment leaves the old file or the new one, never half.
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeAtomic(file, text) {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const handle = await open(tmp, 'w');
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
  const dir = await open(path.dirname(file), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export class OutputStore {
  /** answers per item index: Map(workerName -> answer) */
  #answers = new Map();
  #files = new Map(); // item index -> its worker-response file
  #chain = Promise.resolve();

  /**
   * @param {{dir: string, items: any[], labelAttribute: string, jobName: string, workersPerItem: number}} opts
   */
  constructor({ dir, items, labelAttribute, jobName, workersPerItem }) {
    Object.assign(this, { dir, items, labelAttribute, jobName, workersPerItem });
  }

  get manifestPath() { return path.join(this.dir, 'manifests/output/output.manifest'); }
  responseDir(index) { return path.join(this.dir, 'annotations/worker-response/iteration-1', String(index)); }

  /** Reads what earlier runs wrote (a restarted run resumes where it stopped). */
  async load() {
    for (const item of this.items) {
      const dir = this.responseDir(item.index);
      const names = (await readdir(dir).catch(() => [])).filter((n) => n.endsWith('.json')).sort();
      const answers = new Map();
      for (const name of names) {
        const doc = JSON.parse(await readFile(path.join(dir, name), 'utf8'));
        for (const a of doc.answers ?? []) answers.set(a.workerMetadata?.identityData?.sub ?? a.workerId, a);
        this.#files.set(item.index, path.join(dir, name));
      }
      if (answers.size) this.#answers.set(item.index, answers);
    }
    await this.#writeManifest();
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
   * Resolves once it is on disk, with the worker-response file and the output manifest.
   */
  submit(index, worker, { answerContent, acceptanceTime, submissionTime = new Date() }) {
    const run = async () => {
      const answers = this.#answers.get(index) ?? new Map();
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
      const file = this.#files.get(index) ?? path.join(this.responseDir(index), `${submissionTime.toISOString().replace(/[:.]/g, '-')}.json`);
      await writeAtomic(file, `${JSON.stringify({ answers: [...next.values()] }, null, 2)}\n`);
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
