#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The local labeling run (and, with --preview, the template preview): serves the Ground Truth
// templates for each line of a manifest, walks annotators through the items, and writes a
// Ground Truth-style output folder. Three origins, as in Ground Truth: pages on PORT, the
// component on PORT+1, media on PORT+2. See template/README.md.
import express from 'express';
import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  corsFor, hostGuard, hostNames, isLoopback, legacySecretsFile, pageOrigins, RunSecrets, sameOriginOnly, sameSecret, secretsFile, stateDir,
  withoutSecrets,
} from './lib/labeling/access.mjs';
import { blindDocument, blindInput, blindTokens, unblindAnswer } from './lib/labeling/blind.mjs';
import { DRAFT_LIMIT, isDraft, RunDrafts } from './lib/labeling/drafts.mjs';
import { ManifestError, mediaOf, PEAKS_KEYS, printable, readManifest, SOURCE_KEYS, stillInPlace } from './lib/labeling/manifest.mjs';
import { ConflictError, lockFolder, OutputStore } from './lib/labeling/output.mjs';
import { adminPage, css, donePage, namePage, taskPage } from './lib/labeling/pages.mjs';
import { localize, renderTemplate, TEMPLATE_LIMIT } from './lib/labeling/render.mjs';
import { presigner } from './lib/labeling/s3.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: scripts/run [options] [MANIFEST]
       scripts/preview [options] [MANIFEST]
  MANIFEST                 JSON Lines, one {"source-ref": PATH|URL|s3://...} per line, optionally
                           with "peaks-ref" (default: the bundled sample, build/fixtures/sample-manifest.jsonl);
                           or a comparison: {"prompt": ..., "clips": [{"source-ref": ..., "system": ...}, ...]}
                           (2 to 4 clips, systems distinct; doc/comparison-format.md)
  --media-root DIR         local media must be inside DIR (default: the manifest's folder)
  --template T             audio, video, diagnostics, compare-audio, compare-video, or a template file
                           (default: by each item's media; a comparison gets compare-video when any
                           clip is a video by its extension, else compare-audio, and --template
                           audio or video picks compare-audio or compare-video for comparisons)
  --output DIR             the output folder (default: output/<job>-<manifest name>-<hash of its path>)
  --reattach               move stored answers to the lines with the same media and content
                           (after lines were reordered or edited); otherwise such a change stops the run
  --job NAME               the job name (default: avseg-local)
  --label-attribute NAME   the output manifest's key for the answers (default: the job name)
  --workers-per-item N     answers wanted per item, from different annotators (default 1)
  --annotators A,B,...     annotators who sign in with a personal link (printed at start)
  --host HOST              address to listen on (default 127.0.0.1; 0.0.0.0 for a LAN, where
                           everyone signs in with a personal link)
  --port PORT              pages on PORT, component on PORT+1, media on PORT+2 (default 8080)
  --frame-ancestors O,...  origins allowed to show the task pages in a frame, as a worker portal
                           does (default: none; e.g. to try a template inside a portal-like page)
  --compare-sample         (scripts/run, first) a comparison sample: two espeak-ng voices made
                           into build/compare-sample/ once
  --preview                render one item and show what would be submitted, writing nothing
  --line N                 with --preview: the manifest line to show (default 1)
s3:// media is presigned for AVSEG_S3_LINK_SECONDS (default 21600, 6 hours); a task page whose
link expired gets a fresh one from the run by itself.
Relative paths are read from the folder the command is typed in. The run's tokens and personal
links are kept outside the output folder, in $AVSEG_STATE_DIR/runs/ (default
\${XDG_STATE_HOME:-~/.local/state}/avseg/runs/), so a restart keeps its links.`;

/** Express error handler: the status and its reason only (Express's own shows a stack trace outside production). */
function plainErrors(err, req, res, next) {
  if (res.headersSent) return next(err);
  const status = Number.isInteger(err.status) && err.status >= 400 && err.status < 600 ? err.status : 500;
  if (err.headers) res.set(err.headers);
  res.status(status).type('text').send(status < 500 && err.expose ? err.message : http.STATUS_CODES[status]);
}

const VIDEO = /\.(mp4|m4v|mov|webm|mkv|ogv|avi)$/i;
const WORKER = /^[A-Za-z0-9 ._-]{1,64}$/;
// Keys the run itself puts in a task's input, beside the media's.
const RESERVED = [...SOURCE_KEYS, ...PEAKS_KEYS, 'avsegJob', 'avsegAnnotator', 'preAnnotations', 'preAnnotationsTime', 'clips'];
const TEMPLATES = ['audio', 'video', 'diagnostics', 'compare-audio', 'compare-video'];
const isVideo = (r) => VIDEO.test(r.path ?? new URL(r.source, 'file:///').pathname);

/** JSON text as its value; text that is not JSON as it is (the page says it cannot be read). */
const parseOr = (text) => {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * How a comparison document in an answer differs from its item's clips (count, systems in manifest
 * order), or null: one that does not match would put its ratings and judgement on the wrong systems.
 */
export function comparisonMismatch(answer, item, want = item.clips.map((c) => c.system)) {
  for (const [key, value] of Object.entries(answer)) {
    let doc = value;
    if (typeof value === 'string') {
      try { doc = JSON.parse(value); } catch { continue; }
    }
    if (doc?.format !== 'avseg-comparison') continue;
    const got = Array.isArray(doc.clips) ? doc.clips.map((c) => (typeof c?.system === 'string' ? c.system.trim() : c?.system ?? null)) : null;
    if (JSON.stringify(got) !== JSON.stringify(want)) {
      return `the answer's "${key}" names the clips ${JSON.stringify(got)}, not this item's ${JSON.stringify(want)} (in manifest order)`;
    }
  }
  return null;
}

/** The template an item gets: --template, else by its media (a comparison: compare-video when any clip is a video). */
function templateName(item, chosen) {
  if (item.kind !== 'comparison') return chosen ?? (isVideo(item) ? 'video' : 'audio');
  if (chosen === 'audio' || chosen === 'video') return `compare-${chosen}`;
  return chosen ?? (item.clips.some(isVideo) ? 'compare-video' : 'compare-audio');
}

/** output/<job>-<manifest name>-<8 hex of its real path>: two manifests never share answers by default. */
async function defaultOutput(job, manifest) {
  const real = await realpath(manifest).catch(() => path.resolve(manifest));
  const name = path.basename(real).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '') || 'manifest';
  return path.join(root, 'output', `${job}-${name}-${createHash('sha256').update(real).digest('hex').slice(0, 8)}`);
}

function checkLabelAttribute(labelAttribute, items) {
  if (!labelAttribute || RESERVED.includes(labelAttribute)) {
    throw new ManifestError(`--label-attribute "${labelAttribute}": that key is the task's own input (${RESERVED.join(', ')}); choose another name`);
  }
  for (const key of [labelAttribute, `${labelAttribute}-metadata`]) {
    const clash = items.find((i) => Object.hasOwn(i.line, key));
    if (clash) throw new ManifestError(`--label-attribute "${labelAttribute}": line ${clash.lineNumber} already has a "${key}" key, which the answers would overwrite; choose another name (--label-attribute or --job)`);
  }
}

export async function startLabeling(opts) {
  const held = []; // what a start that fails midway gives back: the output folder's lock, the servers listening
  try {
    return await start(opts, held);
  } catch (err) {
    for (const undo of held.reverse()) await undo().catch(() => {});
    throw err;
  }
}

async function start(opts, held) {
  const items = await readManifest(opts.manifest, { mediaRoot: opts.mediaRoot });
  const job = opts.job ?? 'avseg-local';
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(job)) throw new ManifestError(`--job "${job}": use letters, digits and dashes (Ground Truth's rule for job names)`);
  const labelAttribute = opts.labelAttribute ?? job;
  checkLabelAttribute(labelAttribute, items);
  const workersPerItem = Number(opts.workersPerItem ?? 1);
  if (!Number.isInteger(workersPerItem) || workersPerItem < 1) throw new ManifestError('--workers-per-item must be a whole number, 1 or more');
  const outputDir = path.resolve(opts.output ?? await defaultOutput(job, opts.manifest));
  const host = opts.host ?? '127.0.0.1';
  const basePort = Number(opts.port ?? 8080);
  const names = (opts.annotators ?? []).map((n) => n.trim()).filter(Boolean);
  const frameAncestors = (opts.frameAncestors ?? []).map((o) => o.trim()).filter(Boolean);
  const badOrigin = frameAncestors.find((o) => {
    try {
      return new URL(o).origin !== o || !/^https?:$/.test(new URL(o).protocol);
    } catch {
      return true;
    }
  });
  if (badOrigin) throw new ManifestError(`--frame-ancestors: "${badOrigin}" is not an origin (scheme://host[:port], nothing after it)`);
  const badName = names.find((n) => !WORKER.test(n));
  if (badName) throw new ManifestError(`--annotators: "${badName}": use 1 to 64 letters, digits, spaces, dots, dashes or underscores`);
  // Off the machine's loopback, or when names are given, everyone signs in with a personal link.
  const identities = !opts.preview && (!isLoopback(host) || names.length > 0);

  const templates = {};
  const templateFor = async (item) => {
    const name = templateName(item, opts.template);
    const file = TEMPLATES.includes(name) ? path.join(root, 'template', `${name}.liquid.html`) : path.resolve(name);
    templates[file] ??= await readFile(file, 'utf8').catch((err) => { throw new ManifestError(`cannot read the template ${file}: ${err.message}`); });
    return templates[file];
  };
  for (const item of items) await templateFor(item); // a missing template stops the run now, not mid-item
  const sign = items.some((i) => mediaOf(i).some((r) => r.kind === 's3' || r.peaks?.kind === 's3' || r.analysis?.kind === 's3')) ? await presigner() : null;

  const release = opts.preview ? async () => {} : await lockFolder(outputDir);
  held.push(release);
  const store = opts.preview ? null : new OutputStore({ dir: outputDir, items, labelAttribute, jobName: job, workersPerItem });
  await store?.load({ reattach: !!opts.reattach });
  // Kept outside the output folder, which is what gets copied and shared.
  const secrets = opts.preview ? new RunSecrets(null) : new RunSecrets(await secretsFile(outputDir, { state: opts.stateDir ?? stateDir() }), {
    legacy: legacySecretsFile(outputDir), output: outputDir,
  });
  await secrets.load();
  // Unsaved drafts, for pages whose browser keeps none (lib/labeling/drafts.mjs): beside the secrets.
  const drafts = opts.preview ? null : new RunDrafts(secrets.file.replace(/\.json$/, '.drafts'));
  if (identities) await secrets.add(names);
  const { runToken, mediaToken } = secrets;
  const annotators = identities ? secrets : null;
  const ports = basePort ? { page: basePort, assets: basePort + 1, media: basePort + 2 } : { page: 0, assets: 0, media: 0 };
  const { names: hosts, shown } = hostNames(host);
  const origins = () => pageOrigins(hosts, ports.page);
  const publicBase = () => `http://${shown}:${ports.page}`;
  const hostOf = (req) => /^(\[[^\]]+\]|[^:]+)/.exec(String(req.headers.host))[1]; // checked by hostGuard
  const origin = (req, port) => `http://${hostOf(req)}:${port}`;

  // Each clip of a comparison is served as a single clip is, under its own tag.
  const byTag = new Map(items.flatMap((i) => mediaOf(i).map((r) => [r.tag, r])));
  /** What grant_read_access gives for each of an item's values: its media, peaks and analysis (each clip's, for a comparison). */
  const served = async (req, item) => {
    const urls = new Map();
    for (const clip of mediaOf(item)) {
      for (const [slot, r] of [['media', clip], ['peaks', clip.peaks], ['analysis', clip.analysis]]) {
        if (!r) continue;
        if (r.kind === 'file') urls.set(r.source, `${origin(req, ports.media)}/${mediaToken}/${slot}/${clip.tag}/${encodeURIComponent(servedName(item, slot, r))}`);
        else urls.set(r.source, r.kind === 's3' ? await sign(r.bucket, r.key) : r.source);
      }
    }
    return urls;
  };

  // A comparison's file is served under an opaque name keeping only its extension: its own name often names the system.
  const servedName = (item, slot, r) => {
    if (item?.kind !== 'comparison') return r.name;
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(r.name)?.[0] ?? '';
    return `${slot}${ext}`;
  };
  const itemOfTag = new Map(items.flatMap((i) => mediaOf(i).map((r) => [r.tag, i])));

  /**
   * Who a page or API request is from: {admin} for the admin's link, {worker, link} for an
   * annotator (named by their link, or in a loopback run without links by ?worker=); else null.
   */
  const who = (req) => {
    const key = req.params.key;
    if (sameSecret(key, runToken)) {
      if (identities) return { admin: true, key };
      const worker = opts.preview ? 'preview' : String(req.query.worker ?? '').trim();
      return { open: true, key, worker, link: (p) => `/${key}/${p}${p.includes('?') ? '&' : '?'}worker=${encodeURIComponent(worker)}` };
    }
    const worker = annotators?.nameFor(key);
    return worker ? { worker, key, link: (p) => `/${key}/${p}` } : null;
  };
  const unknownLink = 'this link is not valid for this run: open the address it printed at start';
  /** An annotator's request, or null once answered with a refusal (or, in an open run, the name page). */
  const annotator = (req, res, { api = false } = {}) => {
    const w = who(req);
    if (!w || w.admin) {
      if (api) res.status(404).json({ error: unknownLink });
      else res.status(404).type('text').send(unknownLink);
      return null;
    }
    if (w.open && !WORKER.test(w.worker)) {
      if (api) res.status(400).json({ error: 'no annotator name' });
      else {
        res.status(w.worker ? 400 : 200).type('html').send(namePage({
          job, action: `/${w.key}/next`, error: w.worker ? 'Use 1 to 64 letters, digits, spaces, dots, dashes or underscores.' : '',
        }));
      }
      return null;
    }
    return w;
  };

  // Pages: the worker portal's origin.
  const pages = express();
  pages.disable('x-powered-by');
  pages.use(hostGuard(hosts, () => ports.page));
  pages.use(sameOriginOnly(origins));
  pages.use((req, res, next) => {
    res.set({
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; style-src 'self'; img-src data:; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    });
    next();
  });
  pages.get('/local.css', (req, res) => res.type('text/css').send(css));

  pages.get('/:key', (req, res) => {
    const w = who(req);
    if (w?.admin) return res.redirect(`/${w.key}/admin`);
    if (opts.preview && w) return res.redirect(w.link(`task/${opts.previewIndex ?? 0}`));
    if (w?.open && !req.query.worker) return res.type('html').send(namePage({ job, action: `/${w.key}/next` }));
    const a = annotator(req, res);
    if (a) res.redirect(a.link('next'));
  });
  pages.get('/:key/next', (req, res) => {
    const a = annotator(req, res);
    if (!a) return;
    if (!store) return res.redirect(a.link(`task/${opts.previewIndex ?? 0}`));
    const next = store.nextFor(a.worker);
    if (!next) return res.type('html').send(donePage({ job, worker: a.worker, output: identities ? '' : outputDir, review: a.link('task/0') }));
    res.redirect(a.link(`task/${next.index}`));
  });
  pages.get('/:key/task/:index', async (req, res, next) => {
    try {
      const a = annotator(req, res);
      if (!a) return;
      const name = a.worker;
      const index = Number(req.params.index);
      const item = items[index];
      if (!Number.isInteger(index) || !item) return res.status(404).type('text').send(`no item ${req.params.index}: the manifest has ${items.length}`);
      const assets = origin(req, ports.assets);
      const urls = await served(req, item);
      // An item answered before opens with that answer, whatever the browser kept.
      const previous = store?.answerOf(index, name);
      const input = { ...item.line, avsegJob: job };
      if (item.peaks) input.peaks = item.peaks.source;
      if (item.analysis) input['analysis-ref'] = item.analysis.source;
      // A comparison's clips are shown in an order drawn from the annotator and the item (compare-task.js).
      if (item.kind === 'comparison') input.avsegAnnotator = name;
      // Without "prompt", a comparison's prompt is its line's "source" (doc/comparison-format.md, "Manifest").
      if (item.kind === 'comparison' && input.prompt === undefined && item.prompt !== null) input.prompt = item.prompt;
      // Blind: the page names a comparison's clips by tokens and opaque references only (lib/labeling/blind.mjs).
      const grants = item.kind === 'comparison' && !opts.preview ? (await blindInput(input, item, { secret: mediaToken, annotator: name })).grants : new Map();
      if (previous?.answerContent?.annotations) Object.assign(input, { preAnnotations: previous.answerContent.annotations, preAnnotationsTime: previous.submissionTime });
      // A comparison's answer (its document, as JSON text) comes back the same way, its systems as tokens: compare-task.js restores it.
      else if (item.kind === 'comparison' && previous?.answerContent?.comparison) {
        const doc = blindDocument(parseOr(previous.answerContent.comparison), item, mediaToken);
        if (doc) Object.assign(input, { preAnnotations: doc, preAnnotationsTime: previous.submissionTime });
      }
      const grant = (v) => {
        const url = urls.get(grants.get(v.trim()) ?? v.trim());
        if (url === undefined) throw new Error(`grant_read_access("${v}"): the local run serves only a line's media, peaks and analysis`);
        return url;
      };
      const rendered = await renderTemplate(await templateFor(item), input, { grant });
      if (rendered.length > TEMPLATE_LIMIT) {
        return res.status(500).type('text').send(`the rendered template has ${rendered.length} characters: Ground Truth allows ${TEMPLATE_LIMIT}`);
      }
      const mediaOrigins = [...new Set([...urls.values()].map((u) => new URL(u).origin))].join(' ');
      const done = store ? items.filter((i) => store.workersOf(i.index).includes(name)).map((i) => i.index) : [];
      res.set('content-security-policy', [
        "default-src 'none'",
        `script-src ${assets} 'wasm-unsafe-eval'`,
        `connect-src 'self' ${assets} ${mediaOrigins}`,
        `media-src ${mediaOrigins}`,
        `worker-src blob: ${assets}`,
        "style-src 'self'",
        'img-src data: blob:',
        "base-uri 'none'",
        "form-action 'self'",
        `frame-ancestors ${frameAncestors.join(' ') || "'none'"}`,
      ].join('; '));
      res.type('html').send(taskPage({
        job, worker: name, item, total: items.length, done,
        template: localize(rendered, { assetBase: assets, crowdElements: `${assets}/crowd-html-elements.js` }),
        // The full URL, with its secret: the crowd-form stand-in posts to it as it is.
        // The item's identity too: a page left open while the run restarted on an edited manifest cannot answer another item.
        submitUrl: opts.preview ? undefined : `${origin(req, ports.page)}${a.link(`api/submit/${index}/${item.tag}`)}`,
        // Where the page gets a fresh link once its presigned one expires, and the script that asks.
        mediaLinkUrl: `${origin(req, ports.page)}${a.link(`api/media-link/${index}/${item.tag}`)}`,
        freshLinks: `${assets}/fresh-links.js`,
        draftStoreUrl: drafts ? `${origin(req, ports.page)}${a.link(`api/draft/${index}/${item.tag}`)}` : undefined,
        draftStore: `${assets}/draft-store.js`,
        preview: !!opts.preview,
        answered: !!previous,
        full: !!store && !previous && store.isComplete(index),
        prev: index > 0 && !opts.preview ? a.link(`task/${index - 1}`) : undefined,
        next: index < items.length - 1 && !opts.preview ? a.link(`task/${index + 1}`) : undefined,
      }));
      if (store) acceptance.set(`${index}\n${name}`, acceptance.get(`${index}\n${name}`) ?? new Date());
    } catch (err) {
      next(err);
    }
  });
  const acceptance = new Map();
  const json = express.json({ limit: '64mb' });
  pages.post('/:key/api/submit/:index{/:item}', (req, res, next) => {
    const a = annotator(req, res, { api: true });
    if (!a) return;
    if (!store) return res.status(409).json({ error: 'this is a preview: nothing is saved' });
    if (!req.is('application/json')) return res.status(415).json({ error: 'the body must be JSON (content-type application/json)' });
    res.locals.worker = a.worker;
    next();
  }, json, async (req, res) => {
    const name = res.locals.worker;
    const received = Date.now();
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || !items[index]) return res.status(404).json({ error: `no item ${req.params.index}` });
    if (req.params.item !== items[index].tag) {
      return res.status(409).json({ error: `item ${index + 1} of the manifest is no longer the one this page shows (the run restarted with the manifest changed), so this answer was not recorded; open the run's address again to find the item` });
    }
    const answer = req.body?.answer;
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return res.status(400).json({ error: 'the body must be {"answer": {...}}' });
    // The page knows the clips by their tokens: checked against those, stored under the real systems.
    const blind = items[index].kind === 'comparison';
    const wrong = blind ? comparisonMismatch(answer, items[index], blindTokens(mediaToken, items[index])) : null;
    if (wrong) return res.status(400).json({ error: `${wrong}, so this answer was not recorded` });
    try {
      const item = items[index];
      const kept = withoutSecrets(blind ? unblindAnswer(answer, item) : answer, {
        mediaToken,
        secrets: [runToken, ...(annotators?.names.map((n) => annotators.secretOf(n)) ?? [])],
        sourceOf: (slot, tag) => (slot === 'peaks' || slot === 'analysis' ? byTag.get(tag)?.[slot] : byTag.get(tag))?.source,
        // A presigned URL is the same but for its query, whenever it was made.
        signed: await Promise.all(mediaOf(item).flatMap((c) => [c, c.peaks, c.analysis]).filter((r) => r?.kind === 's3').map(async (r) => [(await sign(r.bucket, r.key)).split('?')[0], r.source])),
      });
      await store.submit(index, name, { answerContent: kept, acceptanceTime: acceptance.get(`${index}\n${name}`) });
      acceptance.delete(`${index}\n${name}`);
      await drafts.remove(name, item.tag, { before: received }).catch((err) => console.warn(`avseg: the draft of item ${index + 1} by ${printable(name)} could not be removed: ${err.message}`));
      res.json({ ok: true, next: who(req).link('next') });
    } catch (err) {
      if (err instanceof ConflictError) return res.status(409).json({ error: err.message });
      res.status(500).json({ error: `the answer could not be saved: ${err.message}` });
    }
  });
  // The task page's unsaved draft (template/local/draft-store.js): read, replaced or removed by
  // its annotator alone (the same link as the page), from the run's own pages (sameOriginOnly).
  const draftOf = (req, res) => {
    const a = annotator(req, res, { api: true });
    if (!a) return null;
    if (!drafts) {
      res.status(409).json({ error: 'this is a preview: no draft is kept' });
      return null;
    }
    const index = Number(req.params.index);
    if (!Number.isInteger(index) || !items[index]) {
      res.status(404).json({ error: `no item ${req.params.index}` });
      return null;
    }
    if (req.params.item !== items[index].tag) {
      res.status(409).json({ error: `item ${index + 1} of the manifest is no longer the one this page shows (the run restarted with the manifest changed), so its draft is not kept here` });
      return null;
    }
    return { worker: a.worker, index, tag: items[index].tag };
  };
  const draftRoute = '/:key/api/draft/:index/:item';
  pages.get(draftRoute, async (req, res, next) => {
    const d = draftOf(req, res);
    if (!d) return;
    try {
      res.json({ draft: await drafts.load(d.worker, d.tag) });
    } catch (err) {
      next(err);
    }
  });
  pages.put(draftRoute, (req, res, next) => {
    const d = draftOf(req, res);
    if (!d) return;
    if (!req.is('application/json')) return res.status(415).json({ error: 'the body must be JSON (content-type application/json)' });
    res.locals.draft = d;
    next();
  }, express.json({ limit: DRAFT_LIMIT }), async (req, res, next) => {
    const d = res.locals.draft;
    if (!isDraft(req.body?.draft)) return res.status(400).json({ error: 'the body must be {"draft": {"text": "...", "savedAt": <epoch ms>, ...}}' });
    try {
      await drafts.save(d.worker, d.tag, req.body.draft);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  }, (err, req, res, next) => {
    if (err.type !== 'entity.too.large') return next(err);
    res.status(413).json({ error: `this draft is ${err.length ?? 'more than'} bytes, and the run keeps drafts up to ${DRAFT_LIMIT / 1024 / 1024} MB: it was not saved by the run, so submit before you leave the page` });
  });
  pages.delete(draftRoute, async (req, res, next) => {
    const d = draftOf(req, res);
    if (!d) return;
    try {
      await drafts.remove(d.worker, d.tag);
      res.status(204).end();
    } catch (err) {
      next(err);
    }
  });
  // A task page whose s3:// media link expired (presigned for AVSEG_S3_LINK_SECONDS) gets the same
  // item's media signed again; the editor checks it is the same file and reads on. POST: a request
  // from another site is refused by its Origin (sameOriginOnly), and the answer holds a credential.
  pages.post('/:key/api/media-link/:index/:item', async (req, res) => {
    const a = annotator(req, res, { api: true });
    if (!a) return;
    const index = Number(req.params.index);
    const item = Number.isInteger(index) ? items[index] : undefined;
    if (!item) return res.status(404).json({ error: `no item ${req.params.index}` });
    if (req.params.item !== item.tag) {
      return res.status(409).json({ error: `item ${index + 1} of the manifest is no longer the one this page shows (the run restarted with the manifest changed); open the run's address again to find the item` });
    }
    // A comparison's clip is named by ?clip=K (its place in the manifest line, from 0).
    // Digits only: Number() would read "" as clip 0 and "0x1" as clip 1.
    const clip = item.kind === 'comparison' ? item.clips[/^\d{1,2}$/.test(String(req.query.clip ?? '')) ? Number(req.query.clip) : -1] : item;
    if (!clip) return res.status(400).json({ error: `item ${index + 1} is a comparison of ${item.clips.length} clips: name the clip with ?clip=0 to ${item.clips.length - 1}` });
    if (clip.kind === 'http') return res.status(409).json({ error: 'the manifest gives this media as an http(s) URL, which the run cannot sign again; reload the page (if the URL itself has expired, the manifest needs a new one)' });
    try {
      res.json({ url: (await served(req, item)).get(clip.source) });
    } catch (err) {
      res.status(502).json({ error: `a fresh link to the media could not be made: ${err.message}` });
    }
  });
  pages.get('/:key/api/status', (req, res) => {
    const w = who(req);
    if (!w) return res.status(404).json({ error: unknownLink });
    const status = { job, items: items.length, workersPerItem, answers: items.map((i) => store?.workersOf(i.index).length ?? 0) };
    if (w.admin || w.open) Object.assign(status, { output: outputDir, workers: items.map((i) => store?.workersOf(i.index) ?? []) });
    if (!w.admin && w.worker) status.done = items.filter((i) => store?.answerOf(i.index, w.worker)).map((i) => i.index);
    res.json(status);
  });
  const adminLinks = () => annotators.names.map((n) => ({
    name: n, link: `${publicBase()}/${annotators.secretOf(n)}/`, done: items.filter((i) => store.answerOf(i.index, n)).length,
  }));
  pages.get('/:key/admin', (req, res) => {
    if (!who(req)?.admin) return res.status(404).type('text').send(unknownLink);
    const added = String(req.query.added ?? '');
    res.type('html').send(adminPage({ job, annotators: adminLinks(), total: items.length, action: `/${req.params.key}/admin/annotators`, added: annotators.secretOf(added) ? added : '' }));
  });
  pages.post('/:key/admin/annotators', (req, res, next) => {
    if (!who(req)?.admin) return res.status(404).type('text').send(unknownLink);
    next();
  }, express.urlencoded({ extended: false, limit: '4kb' }), async (req, res, next) => {
    try {
      const name = String(req.body?.name ?? '').trim();
      const action = `/${req.params.key}/admin/annotators`;
      const refuse = (error) => res.status(400).type('html').send(adminPage({ job, annotators: adminLinks(), total: items.length, action, error }));
      if (!WORKER.test(name)) return refuse('Use 1 to 64 letters, digits, spaces, dots, dashes or underscores.');
      if (annotators.secretOf(name)) return refuse(`${name} already has a link (below).`);
      await annotators.add([name]);
      res.redirect(303, `/${req.params.key}/admin?added=${encodeURIComponent(name)}`);
    } catch (err) {
      next(err);
    }
  });
  pages.use((req, res) => res.status(404).type('text').send(unknownLink));
  pages.use((err, req, res, next) => {
    res.status(err.status ?? 500).type('text').send(`error: ${err.message}`);
  });

  // The component: the CDN's origin. Public code, but only for the run's pages.
  const assets = express();
  assets.disable('x-powered-by');
  assets.use(hostGuard(hosts, () => ports.assets));
  assets.use(corsFor(origins));
  assets.get('/crowd-html-elements.js', (req, res) => res.sendFile(path.join(root, 'template/local/crowd-html-elements.js')));
  assets.get('/fresh-links.js', (req, res) => res.sendFile(path.join(root, 'template/local/fresh-links.js')));
  assets.get('/draft-store.js', (req, res) => res.sendFile(path.join(root, 'template/local/draft-store.js')));
  // The diagnostics template's probes (template/diagnostics.liquid.html), beside the component as on the asset host.
  assets.use('/diagnostics', express.static(path.join(root, 'template/diagnostics'), { dotfiles: 'deny', index: false, fallthrough: false }));
  assets.use(express.static(path.join(root, 'dist'), { dotfiles: 'deny', index: false, fallthrough: true }));
  assets.use(plainErrors);

  // Media: only the manifest's own files, looked up by item behind the run's media token.
  const mediaApp = express();
  mediaApp.disable('x-powered-by');
  mediaApp.use(hostGuard(hosts, () => ports.media));
  mediaApp.use(corsFor(origins, { expose: 'Content-Length, Content-Range, Accept-Ranges' }));
  mediaApp.get('/:token/:slot/:item/:name', async (req, res, next) => {
    try {
      const item = sameSecret(req.params.token, mediaToken) ? byTag.get(req.params.item) : undefined;
      const file = req.params.slot === 'media' ? item : req.params.slot === 'peaks' || req.params.slot === 'analysis' ? item?.[req.params.slot] : undefined;
      if (!file || file.kind !== 'file' || req.params.name !== servedName(itemOfTag.get(req.params.item), req.params.slot, file)) return res.status(404).type('text').send('not found');
      if (!(await stillInPlace(file.path))) {
        console.warn(`avseg: ${printable(file.source)} (line ${item.lineNumber}) no longer resolves to ${file.path}: not served`);
        return res.status(404).type('text').send('not found');
      }
      // Served as data, never as a page: a manifest's .html or .svg cannot run script on this origin.
      res.set({ 'x-content-type-options': 'nosniff', 'content-security-policy': "sandbox; default-src 'none'" });
      res.sendFile(file.path, { dotfiles: 'allow', acceptRanges: true });
    } catch (err) {
      next(err);
    }
  });
  mediaApp.use((req, res) => res.status(404).type('text').send('not found'));
  mediaApp.use(plainErrors);

  const servers = [];
  const closeServers = () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
  held.push(closeServers);
  // Express 5 calls back with the error too (an address in use): the run says so and gives back what it took.
  const listen = (app, port) => new Promise((resolve, reject) => {
    const server = app.listen(port, host, (err) => {
      if (err) return reject(new ManifestError(`cannot listen on ${host}:${port} (${err.code ?? err.message})${err.code === 'EADDRINUSE' ? ': another program uses that port; give another --port' : ''}`));
      servers.push(server);
      resolve(server);
    });
  });
  for (const [app, port] of [[pages, ports.page], [assets, ports.assets], [mediaApp, ports.media]]) await listen(app, port);
  ports.page = servers[0].address().port;
  ports.assets = servers[1].address().port;
  ports.media = servers[2].address().port;
  return {
    // The address to open: the name page of a loopback run, or the admin's page when annotators have links.
    url: `${publicBase()}/${runToken}/${identities ? 'admin' : ''}`,
    links: identities ? annotators.names.map((n) => ({ name: n, url: `${publicBase()}/${annotators.secretOf(n)}/` })) : [],
    identities, ports, items, outputDir, store,
    close: () => closeServers().then(release),
  };
}

async function main() {
  let args;
  try {
    args = parseArgs({
      allowPositionals: true,
      options: {
        template: { type: 'string' }, output: { type: 'string' }, job: { type: 'string' }, 'label-attribute': { type: 'string' },
        'workers-per-item': { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, preview: { type: 'boolean' },
        line: { type: 'string' }, help: { type: 'boolean', short: 'h' }, 'media-root': { type: 'string' }, reattach: { type: 'boolean' },
        annotators: { type: 'string' }, 'frame-ancestors': { type: 'string' },
      },
    });
  } catch (err) {
    console.error(`avseg: ${err.message}\n${USAGE}`);
    process.exit(2);
  }
  const { values: v, positionals } = args;
  if (v.help) {
    console.log(USAGE);
    return;
  }
  const manifest = positionals[0] ?? path.join(root, 'build/fixtures/sample-manifest.jsonl');
  try {
    const run = await startLabeling({
      manifest, template: v.template, output: v.output, job: v.job, labelAttribute: v['label-attribute'],
      workersPerItem: v['workers-per-item'], host: v.host, port: v.port ?? process.env.AVSEG_PORT, preview: v.preview,
      previewIndex: Math.max(0, Number(v.line ?? 1) - 1), mediaRoot: v['media-root'], reattach: v.reattach,
      annotators: v.annotators?.split(','), frameAncestors: v['frame-ancestors']?.split(','),
    });
    if (v.preview && !run.items[Math.max(0, Number(v.line ?? 1) - 1)]) throw new ManifestError(`--line ${v.line}: the manifest has ${run.items.length} lines with media`);
    const width = Math.max(0, ...run.links.map((l) => l.name.length));
    console.log(v.preview
      ? `avseg preview: open ${run.url}  (${manifest}, line ${v.line ?? 1}; submitting shows the answer, nothing is written)`
      : run.identities
        ? [
          `avseg: ${run.items.length} items from ${manifest}; output in ${run.outputDir}`,
          run.links.length ? 'avseg: personal links (each signs in as that annotator: give it to them alone):' : 'avseg: no annotators yet: make their links on the page below',
          ...run.links.map((l) => `  ${l.name.padEnd(width)}  ${l.url}`),
          `avseg: open ${run.url}  (for you alone: everyone's links, and new ones)`,
        ].join('\n')
        : `avseg: open ${run.url}  (${run.items.length} items from ${manifest}; output in ${run.outputDir})`);
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => run.close().then(() => process.exit(0)));
  } catch (err) {
    console.error(`avseg: ${err instanceof ManifestError ? err.message : err.stack ?? err}`);
    process.exit(1);
  }
}

// Run as a program, by its path or a link to it (Node gives the module its real path).
const invoked = (() => {
  try {
    return process.argv[1] && realpathSync(process.argv[1]);
  } catch {
    return undefined;
  }
})();
if (invoked === fileURLToPath(import.meta.url)) main();
