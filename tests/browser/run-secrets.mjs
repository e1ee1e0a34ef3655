// SPDX-License-Identifier: MIT
// Where a local run keeps its secrets (as README's local-run section says, worked out here on its
// own rather than asked of the code under test), and a byte-for-byte search for them in a folder.
import { createHash } from 'node:crypto';
import { readdir, readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

/** <AVSEG_STATE_DIR>/runs/<first 16 hex of the SHA-256 of the output folder's real path>.json */
export async function stateFileOf(output, state = process.env.AVSEG_STATE_DIR) {
  const hash = createHash('sha256').update(await realpath(output)).digest('hex').slice(0, 16);
  return path.join(state, 'runs', `${hash}.json`);
}

/** Every secret of a run, as its state file holds them. */
export async function secretsOf(output) {
  const doc = JSON.parse(await readFile(await stateFileOf(output), 'utf8'));
  return [doc.runToken, doc.mediaToken, ...doc.annotators.map((a) => a.secret)];
}

/** [file, secret] for each file under `dir` (hidden ones and all) whose bytes hold one of `secrets`. */
export async function secretsIn(dir, secrets) {
  const found = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath ?? entry.path, entry.name);
    const bytes = await readFile(file);
    for (const s of secrets) if (bytes.includes(Buffer.from(s))) found.push([path.relative(dir, file), s]);
  }
  return found;
}
