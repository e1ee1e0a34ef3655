// SPDX-License-Identifier: MIT
// The precompute Lambda (Node.js 20 or later; scripts/aws/precompute.yaml fans it out over a manifest with
// a Step Functions Distributed Map). `handler` takes one manifest item, {line, index, output,
// options?}: it reads each of the line's s3:// media, runs the avseg-cli packaged beside it
// (static, scripts/build-cli-static), writes peaks (.dat) and the analysis sidecar (.avsa) under
// `output` (s3://bucket/prefix/) and returns {index, line} with the line naming them (peaks-ref,
// analysis-ref). Outputs already there for the same source (its ETag) and options are kept. A
// medium that cannot be analysed gives {index, line (unchanged), error}, not a failure: the
// new manifest keeps the item, and the report names it; so does a failure another try would meet
// again (no room in /tmp, S3 access refused: permanentProblem). Other S3 failures throw (the state
// machine retries). A video without sound gets only its sidecar (motion), and the line only analysis-ref.
// `writeManifest` gathers the Map's results (its ResultWriter's files) into the new manifest.
import { constants as fs, existsSync } from 'node:fs';
import { access, chmod, copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ANALYSIS_TYPE, ItemError, PEAKS_TYPE, analyzeArgs, analyzeFile, mediaOfLine, noPeaksReason, outputBase, parseS3Uri, s3Store, withRefs,
} from './precompute-item.mjs';

/**
 * Failures that another try would meet again (the item's, reported, not retried for ever): no room
 * in /tmp for the medium or its outputs, or S3 refusing this role the object. Others (throttling,
 * timeouts, a network error) throw, for the state machine's retry.
 */
export function permanentProblem(err) {
  const text = `${err?.code ?? ''} ${err?.name ?? ''} ${err?.message ?? ''}`;
  if (/\bENOSPC\b|no space left on device/i.test(text)) return `no room left in ${os.tmpdir()} (ENOSPC): give the function more ephemeral storage (EphemeralStorageMiB)`;
  if (/\b(AccessDenied|Forbidden|AllAccessDisabled|InvalidObjectState|KMS\.AccessDeniedException)\b|\(HTTP 403\)/.test(text)) return `access refused: ${String(err.message ?? err).slice(0, 300)}`;
  return null;
}

const here = path.dirname(fileURLToPath(import.meta.url));

let cliPath;
/** The packaged CLI, made executable in /tmp if the archive lost its mode bits. */
async function cli() {
  if (cliPath) return cliPath;
  const packaged = process.env.AVSEG_CLI ?? [path.join(here, 'avseg-cli'), path.resolve(here, '../../../build/avseg-cli')].find((f) => existsSync(f));
  if (!packaged) throw new Error(`avseg-cli is not packaged beside ${here} (scripts/package-lambdas puts it there)`);
  try {
    await access(packaged, fs.X_OK);
    cliPath = packaged;
  } catch {
    cliPath = path.join(os.tmpdir(), 'avseg-cli');
    await copyFile(packaged, cliPath);
    await chmod(cliPath, 0o755);
  }
  return cliPath;
}

function checkOutput(output) {
  if (typeof output !== 'string' || !/^s3:\/\/[^/]+\/(.*\/)?$/.test(output)) {
    throw new Error(`the event's "output" must be s3://bucket/ or s3://bucket/prefix/ (ending in /), got ${JSON.stringify(output)?.slice(0, 200)}`);
  }
}

export async function handler(event) {
  const { line, index, output, options = {} } = event ?? {};
  checkOutput(output);
  const args = analyzeArgs(options);
  const store = await s3Store();
  let media;
  try {
    media = mediaOfLine(line);
    for (const { source } of media) if (!/^s3:\/\//.test(source)) throw new ItemError(`"${source}": the Lambda reads s3:// media only`);
  } catch (err) {
    if (!(err instanceof ItemError)) throw err;
    console.warn(`precompute: item ${index}: ${err.message}`);
    return { index, line, error: err.message };
  }
  const refs = [];
  let computed = 0;
  for (const { clip, source } of media) {
    const what = clip === null ? '' : `clip ${clip + 1}: `;
    let head;
    try {
      head = await store.head(source);
    } catch (err) {
      const why = permanentProblem(err);
      if (!why) throw err;
      console.warn(`precompute: item ${index}: ${what}${source}: ${why}`);
      return { index, line, error: `${what}${source}: ${why}` };
    }
    if (!head) {
      console.warn(`precompute: item ${index}: ${what}${source} does not exist`);
      return { index, line, error: `${what}${source} does not exist` };
    }
    const base = outputBase(source, { etag: head.etag, size: head.size }, args);
    const peaks = `${output}${base}.dat`;
    const analysis = `${output}${base}.avsa`;
    try {
      // The sidecar is uploaded last: with it the medium is done, with peaks unless it has no sound.
      if (await store.head(analysis)) {
        refs.push({ clip, peaks: (await store.head(peaks)) ? peaks : null, analysis });
        continue;
      }
    } catch (err) {
      const why = permanentProblem(err);
      if (!why) throw err;
      console.warn(`precompute: item ${index}: ${what}${why}`);
      return { index, line, error: `${what}${why}` };
    }
    const scratch = await mkdtemp(path.join(os.tmpdir(), 'avseg-precompute-'));
    try {
      const file = path.join(scratch, path.basename(parseS3Uri(source).Key).replace(/[^A-Za-z0-9._-]+/g, '_') || 'media');
      await store.download(source, file);
      const files = { dat: path.join(scratch, `${base}.dat`), avsa: path.join(scratch, `${base}.avsa`) };
      const reason = noPeaksReason(await analyzeFile(await cli(), file, files, args));
      // The sidecar last: its presence marks the pair complete.
      if (!reason) await store.upload(peaks, await readFile(files.dat), PEAKS_TYPE);
      else console.warn(`precompute: item ${index}: ${what}${source}: no peaks (${reason}); the line names only its analysis-ref`);
      await store.upload(analysis, await readFile(files.avsa), ANALYSIS_TYPE);
      refs.push({ clip, peaks: reason ? null : peaks, analysis });
      computed++;
    } catch (err) {
      const why = err instanceof ItemError ? err.message : permanentProblem(err);
      if (!why) throw err;
      console.warn(`precompute: item ${index}: ${what}${source}: ${why}`);
      return { index, line, error: `${what}${source}: ${why}` };
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { index, line: withRefs(line, refs), computed, kept: media.length - computed };
}

/**
 * The state machine's Catch on a failed Map (more failures than ToleratedFailurePercentage, or the
 * manifest unreadable): event {failure: {Error, Cause}, report: "s3://bucket/key", outputs}. Writes
 * a report saying so, where the outputs written so far are (a rerun with the same input keeps them,
 * found by their sources' ETags and options, and computes only the rest), and returns it.
 */
async function writeFailure({ failure, report, outputs }) {
  parseS3Uri(report);
  const written = {
    failed: true,
    error: String(failure.Error ?? 'unknown'),
    cause: String(failure.Cause ?? '').slice(0, 4000),
    outputs: outputs ?? null,
    rerun: 'start the execution again with the same input: outputs already written are kept, only the rest is computed',
  };
  await (await s3Store()).upload(report, `${JSON.stringify(written, null, 2)}\n`, 'application/json');
  return { report, ...written };
}

/**
 * The Distributed Map's results into the new manifest, in the manifest's order: event
 * {results: {Bucket, Key} (the ResultWriter's manifest.json, as the Map state outputs it under
 * ResultWriterDetails), newManifest: "s3://bucket/key"}. Items whose Lambda failed for good keep their
 * line unchanged. Returns counts and the problems (the first 100).
 */
export async function writeManifest(event) {
  if (event?.failure) return writeFailure(event);
  const { results, newManifest } = event ?? {};
  if (!results?.Bucket || !results?.Key) throw new Error(`the event's "results" must be the Map's ResultWriterDetails {Bucket, Key}, got ${JSON.stringify(results)?.slice(0, 200)}`);
  parseS3Uri(newManifest);
  const store = await s3Store();
  const listing = JSON.parse(await store.readText(`s3://${results.Bucket}/${results.Key}`));
  const lines = new Map();
  const problems = [];
  let computed = 0;
  let kept = 0;
  const files = listing.ResultFiles ?? {};
  for (const status of ['SUCCEEDED', 'FAILED']) {
    for (const { Key } of files[status] ?? []) {
      for (const run of JSON.parse(await store.readText(`s3://${listing.DestinationBucket ?? results.Bucket}/${Key}`))) {
        const input = JSON.parse(run.Input);
        if (status === 'SUCCEEDED') {
          const result = JSON.parse(run.Output);
          lines.set(result.index, result.line);
          computed += result.computed ?? 0;
          kept += result.kept ?? 0;
          if (result.error) problems.push({ index: result.index, error: result.error });
        } else {
          lines.set(input.index, input.line);
          problems.push({ index: input.index, error: `${run.Error ?? 'failed'}: ${String(run.Cause ?? '').slice(0, 300)}` });
        }
      }
    }
  }
  const pending = (files.PENDING ?? []).length;
  const order = [...lines.keys()].sort((a, b) => a - b);
  const text = order.map((i) => JSON.stringify(lines.get(i))).join('\n');
  await store.upload(newManifest, text ? `${text}\n` : '', 'application/jsonl');
  problems.sort((a, b) => a.index - b.index);
  return { newManifest, lines: order.length, computed, kept, failed: problems.length, pending, problems: problems.slice(0, 100) };
}
