#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// The local labeling run (and, with --preview, the template preview): serves the Ground Truth
// templates for each line of a manifest, walks annotators through the items, and writes a
// Ground Truth-style output folder. Three origins, as in Ground Truth: pages on PORT, the
// component on PORT+1, media on PORT+2. See template/README.md.
import express from 'express';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ManifestError, readManifest } from './lib/labeling/manifest.mjs';
import { OutputStore } from './lib/labeling/output.mjs';
import { css, donePage, esc, namePage, taskPage } from './lib/labeling/pages.mjs';
import { localize, renderTemplate, TEMPLATE_LIMIT } from './lib/labeling/render.mjs';
import { presigner } from './lib/labeling/s3.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const USAGE = `usage: scripts/run [options] [MANIFEST]
       scripts/preview [options] [MANIFEST]
  MANIFEST                 JSON Lines, one {"source-ref": PATH|URL|s3://...} per line
                           (default: the bundled sample, build/fixtures/sample-manifest.jsonl)
  --template T             audio, video, or a template file (default: by each item's media)
  --output DIR             the output folder (default: output/<job>)
  --job NAME               the job name (default: avseg-local)
  --label-attribute NAME   the output manifest's key for the answers (default: the job name)
  --workers-per-item N     answers wanted per item, from different annotators (default 1)
  --host HOST              address to listen on (default 127.0.0.1; 0.0.0.0 for a LAN)
  --port PORT              pages on PORT, component on PORT+1, media on PORT+2 (default 8080)
  --preview                render one item and show what would be submitted, writing nothing
  --line N                 with --preview: the manifest line to show (default 1)`;

const VIDEO = /\.(mp4|m4v|mov|webm|mkv|ogv|avi)$/i;
const WORKER = /^[A-Za-z0-9 ._-]{1,64}$/;

export async function startLabeling(opts) {
  const items = await readManifest(opts.manifest);
  const job = opts.job ?? 'avseg-local';
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}$/.test(job)) throw new ManifestError(`--job "${job}": use letters, digits and dashes (Ground Truth's rule for job names)`);
  const labelAttribute = opts.labelAttribute ?? job;
  const workersPerItem = Number(opts.workersPerItem ?? 1);
  if (!Number.isInteger(workersPerItem) || workersPerItem < 1) throw new ManifestError('--workers-per-item must be a whole number, 1 or more');
  const outputDir = path.resolve(opts.output ?? path.join(root, 'output', job));
  const host = opts.host ?? '127.0.0.1';
  const basePort = Number(opts.port ?? 8080);
  const templates = {};
  const templateFor = async (item) => {
    const name = opts.template ?? (VIDEO.test(item.path ?? new URL(item.source, 'file:///').pathname) ? 'video' : 'audio');
    const file = ['audio', 'video'].includes(name) ? path.join(root, 'template', `${name}.liquid.html`) : path.resolve(name);
    templates[file] ??= await readFile(file, 'utf8').catch((err) => { throw new ManifestError(`cannot read the template ${file}: ${err.message}`); });
    return templates[file];
  };
  for (const item of items) await templateFor(item); // a missing template stops the run now, not mid-item
  const sign = items.some((i) => i.kind === 's3') ? await presigner() : null;

  const store = opts.preview ? null : new OutputStore({ dir: outputDir, items, labelAttribute, jobName: job, workersPerItem });
  await store?.load();

  const origin = (req, port) => `${req.protocol}://${req.hostname.includes(':') ? `[${req.hostname}]` : req.hostname}:${port}`;
  const ports = { page: basePort, assets: basePort + 1, media: basePort + 2 };
  const mediaUrl = async (req, item) => {
    if (item.kind === 'file') return `${origin(req, ports.media)}/media/${item.index}/${encodeURIComponent(path.basename(item.path))}`;
    if (item.kind === 's3') return sign(item.bucket, item.key);
    return item.source;
  };

  // Pages: the worker portal's origin.
  const pages = express();
  pages.disable('x-powered-by');
  pages.use(express.json({ limit: '64mb' }));
  pages.get('/local.css', (req, res) => res.type('text/css').send(css));
  const worker = (req, res) => {
    const name = String(req.query.worker ?? '').trim();
    if (!WORKER.test(name)) {
      res.status(name ? 400 : 200).type('html').send(namePage({ job, error: name ? 'Use 1 to 64 letters, digits, spaces, dots, dashes or underscores.' : '' }));
      return null;
    }
    return name;
  };
  const workerQuery = (name) => `worker=${encodeURIComponent(name)}`;

  pages.get('/', (req, res) => {
    if (opts.preview) return res.redirect(`/task/${opts.previewIndex ?? 0}?worker=preview`);
    if (!req.query.worker) return res.type('html').send(namePage({ job }));
    const name = worker(req, res);
    if (name) res.redirect(`/next?${workerQuery(name)}`);
  });
  pages.get('/next', (req, res) => {
    const name = worker(req, res);
    if (!name) return;
    const next = store.nextFor(name);
    if (!next) return res.type('html').send(donePage({ job, worker: name, output: outputDir }));
    res.redirect(`/task/${next.index}?${workerQuery(name)}`);
  });
  pages.get('/task/:index', async (req, res, next) => {
    try {
      const name = worker(req, res);
      if (!name) return;
      const index = Number(req.params.index);
      const item = items[index];
      if (!Number.isInteger(index) || !item) return res.status(404).type('text').send(`no item ${req.params.index}: the manifest has ${items.length}`);
      const assets = origin(req, ports.assets);
      const media = await mediaUrl(req, item);
      // An item answered before opens with that answer, whatever the browser kept.
      const previous = store?.answerOf(index, name)?.answerContent?.annotations;
      const input = previous ? { ...item.line, preAnnotations: previous } : item.line;
      const rendered = await renderTemplate(await templateFor(item), input, { grant: () => media });
      if (rendered.length > TEMPLATE_LIMIT) {
        return res.status(500).type('text').send(`the rendered template has ${rendered.length} characters: Ground Truth allows ${TEMPLATE_LIMIT}`);
      }
      const mediaOrigin = new URL(media, 'http://invalid/').origin;
      const done = store ? items.filter((i) => store.workersOf(i.index).includes(name)).map((i) => i.index) : [];
      res.set('content-security-policy', [
        "default-src 'none'",
        `script-src ${assets} 'wasm-unsafe-eval'`,
        `connect-src 'self' ${assets} ${mediaOrigin}`,
        `media-src ${mediaOrigin}`,
        `worker-src blob: ${assets}`,
        "style-src 'self'",
        'img-src data: blob:',
        "base-uri 'none'",
        "form-action 'self'",
      ].join('; '));
      res.type('html').send(taskPage({
        job, worker: name, item, total: items.length, done,
        template: localize(rendered, { assetBase: assets, crowdElements: `${assets}/crowd-html-elements.js` }),
        submitUrl: opts.preview ? undefined : `/api/submit/${index}?${workerQuery(name)}`,
        preview: !!opts.preview,
        answered: !!store?.answerOf(index, name),
        prev: index > 0 && !opts.preview ? `/task/${index - 1}?${workerQuery(name)}` : undefined,
        next: index < items.length - 1 && !opts.preview ? `/task/${index + 1}?${workerQuery(name)}` : undefined,
      }));
      if (store) acceptance.set(`${index}\n${name}`, acceptance.get(`${index}\n${name}`) ?? new Date());
    } catch (err) {
      next(err);
    }
  });
  const acceptance = new Map();
  pages.post('/api/submit/:index', async (req, res) => {
    const name = String(req.query.worker ?? '');
    const index = Number(req.params.index);
    if (!store) return res.status(409).json({ error: 'this is a preview: nothing is saved' });
    if (!WORKER.test(name)) return res.status(400).json({ error: 'no annotator name' });
    if (!Number.isInteger(index) || !items[index]) return res.status(404).json({ error: `no item ${req.params.index}` });
    const answer = req.body?.answer;
    if (!answer || typeof answer !== 'object' || Array.isArray(answer)) return res.status(400).json({ error: 'the body must be {"answer": {...}}' });
    try {
      await store.submit(index, name, { answerContent: answer, acceptanceTime: acceptance.get(`${index}\n${name}`) });
      acceptance.delete(`${index}\n${name}`);
      res.json({ ok: true, next: `/next?${workerQuery(name)}` });
    } catch (err) {
      res.status(500).json({ error: `the answer could not be saved: ${err.message}` });
    }
  });
  pages.get('/api/status', (req, res) => res.json({
    job, items: items.length, workersPerItem, output: outputDir,
    answers: store ? items.map((i) => store.workersOf(i.index)) : [],
  }));
  pages.use((err, req, res, next) => {
    res.status(500).type('text').send(`error: ${err.message}`);
  });

  // The component: the CDN's origin.
  const assets = express();
  assets.disable('x-powered-by');
  assets.use((req, res, next) => { res.set('access-control-allow-origin', '*'); next(); });
  assets.get('/crowd-html-elements.js', (req, res) => res.sendFile(path.join(root, 'template/local/crowd-html-elements.js')));
  assets.use(express.static(path.join(root, 'dist'), { dotfiles: 'deny', index: false, fallthrough: true }));

  // Media: only the manifest's own files, looked up by item, so no path reaches anything else.
  const mediaApp = express();
  mediaApp.disable('x-powered-by');
  mediaApp.use((req, res, next) => {
    res.set('access-control-allow-origin', '*');
    res.set('access-control-expose-headers', 'Content-Length, Content-Range, Accept-Ranges');
    next();
  });
  mediaApp.get('/media/:index/:name', (req, res) => {
    const item = items[Number(req.params.index)];
    if (!item || item.kind !== 'file' || req.params.name !== path.basename(item.path)) return res.status(404).type('text').send('not found');
    res.sendFile(item.path, { dotfiles: 'allow', acceptRanges: true });
  });
  mediaApp.use((req, res) => res.status(404).type('text').send('not found'));

  const listen = (app, port) => new Promise((resolve, reject) => {
    const server = app.listen(port, host, () => resolve(server));
    server.once('error', reject);
  });
  const servers = [await listen(pages, ports.page), await listen(assets, ports.assets), await listen(mediaApp, ports.media)];
  ports.page = servers[0].address().port;
  ports.assets = servers[1].address().port;
  ports.media = servers[2].address().port;
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return {
    url: `http://${shown}:${ports.page}/`,
    ports, items, outputDir, store,
    close: () => Promise.all(servers.map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); }))),
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
        line: { type: 'string' }, help: { type: 'boolean', short: 'h' },
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
      previewIndex: Math.max(0, Number(v.line ?? 1) - 1),
    });
    if (v.preview && !run.items[Math.max(0, Number(v.line ?? 1) - 1)]) throw new ManifestError(`--line ${v.line}: the manifest has ${run.items.length} lines with media`);
    console.log(v.preview
      ? `avseg preview: open ${run.url}  (${manifest}, line ${v.line ?? 1}; submitting shows the answer, nothing is written)`
      : `avseg: open ${run.url}  (${run.items.length} items from ${manifest}; output in ${run.outputDir})`);
    for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => run.close().then(() => process.exit(0)));
  } catch (err) {
    console.error(`avseg: ${err instanceof ManifestError ? err.message : err.stack ?? err}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
