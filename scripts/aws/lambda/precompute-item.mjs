// SPDX-License-Identifier: MIT
// One manifest item's precomputation, shared by scripts/precompute (a laptop, all cores) and the
// precompute Lambda (one item per invocation): which media a line names, the names its outputs
// get (keyed by the source's identity and the options, so a changed source or other options are
// computed again and an unchanged one is found done), running avseg-cli analyze with --peaks, and
// S3 access through the AWS SDK (AWS_ENDPOINT_URL_S3 points it at a stand-in).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

export const SOURCE_KEYS = ['source-ref', 'taskObject', 'source'];
export class ItemError extends Error {}

/** The analysis options (doc/analysis-format.md) as avseg-cli arguments; unknown or bad ones refused. */
export function analyzeArgs(options = {}) {
  const flags = { pauseThresholdDb: '--pause-threshold-db', minPause: '--min-pause', pitchFloor: '--pitch-floor', pitchCeiling: '--pitch-ceiling', jumpLu: '--jump-lu' };
  const args = [];
  for (const [key, value] of Object.entries(options)) {
    if (flags[key]) {
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new ItemError(`option ${key} must be a number, got ${JSON.stringify(value)}`);
      args.push(flags[key], String(value));
    } else if (key === 'pitchRange') {
      if (value !== 'config' && value !== 'speaker') throw new ItemError(`option pitchRange must be "config" or "speaker", got ${JSON.stringify(value)}`);
      args.push('--pitch-range', value);
    } else if (key === 'pitch' || key === 'video') {
      if (typeof value !== 'boolean') throw new ItemError(`option ${key} must be true or false`);
      if (!value) args.push(`--no-${key}`);
    } else {
      throw new ItemError(`unknown option ${JSON.stringify(key)} (known: ${[...Object.keys(flags), 'pitchRange', 'pitch', 'video'].join(', ')})`);
    }
  }
  return args;
}

/**
 * The media of a manifest line: [{clip: null|k, source}] — one for a single item, one per clip of a
 * comparison ("clips"). Throws ItemError saying what is missing.
 */
export function mediaOfLine(line) {
  if (line === null || typeof line !== 'object' || Array.isArray(line)) throw new ItemError('the line is not a JSON object');
  if (line.clips !== undefined) {
    if (!Array.isArray(line.clips) || !line.clips.length) throw new ItemError('"clips" must be a list of clips, each with "source-ref"');
    return line.clips.map((clip, k) => {
      const key = SOURCE_KEYS.find((s) => typeof clip?.[s] === 'string' && clip[s].trim());
      if (!key) throw new ItemError(`clip ${k + 1} has no media: give "source-ref"`);
      return { clip: k, source: clip[key].trim() };
    });
  }
  const key = SOURCE_KEYS.find((s) => typeof line[s] === 'string' && line[s].trim());
  if (!key) throw new ItemError('no media: give "source-ref" (or "taskObject" or "source") as a path or s3:// URI');
  return [{ clip: null, source: line[key].trim() }];
}

/** The line with each medium's outputs named (peaks-ref, analysis-ref), on the line or on its clip. */
export function withRefs(line, refs) {
  const out = structuredClone(line);
  for (const { clip, peaks, analysis } of refs) {
    const target = clip === null ? out : out.clips[clip];
    // "peaks" is the old name of "peaks-ref"; "analysis" is the manifest's own field, kept.
    delete target.peaks;
    // A medium without sound has no peaks: only its analysis-ref is named.
    if (peaks) target['peaks-ref'] = peaks;
    else delete target['peaks-ref'];
    target['analysis-ref'] = analysis;
  }
  return out;
}

export function parseS3Uri(uri) {
  const m = /^s3:\/\/([^/]+)\/(.*)$/.exec(uri);
  if (!m) throw new ItemError(`"${uri}" is not an s3://bucket/key URI`);
  return { Bucket: m[1], Key: m[2] };
}

/**
 * The outputs' base name: the source's own name (readable in listings) and a hash of what
 * decides their content — the source, its identity (size and mtime, or S3's ETag) and the options.
 */
export function outputBase(source, identity, args) {
  const name = path.basename(source.replace(/[?#].*$/, '')).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'media';
  const hash = createHash('sha256').update(JSON.stringify([source, identity, args])).digest('hex').slice(0, 16);
  return `${name}-${hash}`;
}

/** Why a summary has no peaks (a video without sound), or null. */
export const noPeaksReason = (summary) => (summary?.peaks === null ? summary.problems?.find((p) => /^peaks: /.test(p.message))?.message.replace(/^peaks: /, '') ?? 'no peaks' : null);

/**
 * Runs `avseg-cli analyze MEDIA AVSA --peaks DAT ...args` writing to temporary names beside the
 * outputs, renamed into place only when the CLI succeeded (the sidecar last: it marks the pair done).
 * A video without sound gets no peaks (summary.peaks null): the sidecar alone marks it done.
 * Returns the CLI's summary. Throws ItemError with the CLI's own message on failure.
 */
export async function analyzeFile(cli, media, { dat, avsa }, args, { timeoutMs } = {}) {
  const tag = `.part-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmpDat = `${dat}${tag}.dat`;
  const tmpAvsa = `${avsa}${tag}.avsa`;
  try {
    const { code, stdout, stderr, timedOut } = await run(cli, ['analyze', media, tmpAvsa, '--peaks', tmpDat, ...args], timeoutMs);
    if (timedOut) throw new ItemError(`avseg-cli analyze did not finish within ${timeoutMs / 1000} s and was stopped (a file that hangs the decoder, or give a longer --timeout)`);
    let summary;
    try {
      summary = JSON.parse(stdout.trim().split('\n').at(-1));
    } catch {
      throw new ItemError(`avseg-cli analyze failed (exit ${code}): ${(stderr || stdout).trim().slice(0, 500) || 'no output'}`);
    }
    if (code !== 0 || summary.error) throw new ItemError(summary.error ? `${summary.error.code}: ${summary.error.message}` : `avseg-cli analyze exited with ${code}`);
    // A video without sound has no peaks (summary.peaks null, the reason in its problems).
    if (summary.peaks !== null) await rename(tmpDat, dat);
    await rename(tmpAvsa, avsa);
    return summary;
  } finally {
    await Promise.all([rm(tmpDat, { force: true }), rm(tmpAvsa, { force: true })]);
  }
}

function run(cmd, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = timeoutMs > 0 ? setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs) : null;
    child.on('close', () => clearTimeout(timer));
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', (err) => reject(new Error(`cannot run ${cmd}: ${err.message}`)));
    child.on('close', (code, signal) => resolve({ code: signal ? `signal ${signal}` : code, stdout, stderr, timedOut }));
  });
}

/**
 * An S3 client as the repository's scripts make them, with small helpers. Their failures are plain
 * Errors (worth retrying), not ItemErrors: a missing object is head()'s null.
 */
export async function s3Store() {
  const { S3Client, GetObjectCommand, PutObjectCommand, HeadObjectCommand } = await import('@aws-sdk/client-s3');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const client = new S3Client({
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
  });
  // The HTTP status too: a HEAD refused has no body, so its error is only "403 UnknownError".
  const described = (uri, err) => `${uri}: ${err.name && err.name !== 'Error' ? `${err.name}: ` : ''}${err.message}${err.$metadata?.httpStatusCode ? ` (HTTP ${err.$metadata.httpStatusCode})` : ''}`;
  return {
    /** {size, etag} or null when there is no such object. */
    async head(uri) {
      try {
        const h = await client.send(new HeadObjectCommand(parseS3Uri(uri)));
        return { size: h.ContentLength, etag: h.ETag };
      } catch (err) {
        if (err.name === 'NotFound' || err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return null;
        throw new Error(`cannot look at ${described(uri, err)}`);
      }
    },
    async download(uri, file) {
      try {
        const object = await client.send(new GetObjectCommand(parseS3Uri(uri)));
        await pipeline(object.Body, createWriteStream(file));
      } catch (err) {
        throw new Error(`cannot read ${described(uri, err)}`);
      }
    },
    async readText(uri) {
      try {
        return await (await client.send(new GetObjectCommand(parseS3Uri(uri)))).Body.transformToString();
      } catch (err) {
        throw new Error(`cannot read ${described(uri, err)}`);
      }
    },
    async upload(uri, body, contentType) {
      try {
        await client.send(new PutObjectCommand({ ...parseS3Uri(uri), Body: body, ContentType: contentType }));
      } catch (err) {
        throw new Error(`cannot write ${described(uri, err)}`);
      }
    },
  };
}

export const PEAKS_TYPE = 'application/octet-stream';
export const ANALYSIS_TYPE = 'application/vnd.avseg.analysis';
