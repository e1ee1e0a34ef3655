// SPDX-License-Identifier: MIT
// scripts/deploy-assets with the real AWS SDK against a loopback S3 endpoint.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startS3Stub, stubEnv } from './s3-stub.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const run = (args, env) => promisify(execFile)(process.execPath, [path.join(root, 'scripts/deploy-assets'), ...args], { env });

test('the build and the diagnostics probes go up under a content-hashed folder, each file with its type and a year of caching; the templates get that base', async (t) => {
  const s3 = await startS3Stub();
  const out = await mkdtemp(path.join(os.tmpdir(), 'avseg-deploy-'));
  t.after(async () => { await s3.close(); await rm(out, { recursive: true, force: true }); });
  const { stdout } = await run(['--bucket', 'assets-bucket', '--base-url', 'https://d111.cloudfront.net/', '--template-out', out], stubEnv(s3.endpoint));
  const base = /asset base: (\S+)/.exec(stdout)[1];
  assert.match(base, /^https:\/\/d111\.cloudfront\.net\/avseg\/\d+\.\d+\.\d+-[0-9a-f]{12}$/);
  const prefix = base.slice('https://d111.cloudfront.net/'.length);
  const dist = (await readdir(path.join(root, 'dist'), { recursive: true })).filter((n) => /\.(js|wasm)$/.test(n)).sort();
  assert.ok(dist.includes('vendor/webvtt-parser.js'), 'subfolders go up too');
  // The diagnostics template's probes, beside the component under diagnostics/, where it loads them.
  const probes = (await readdir(path.join(root, 'template/diagnostics'))).sort();
  assert.ok(['module.js', 'probe.js', 'worker.js'].every((n) => probes.includes(n)), probes.join(' '));
  const puts = s3.requests.filter((r) => r.method === 'PUT');
  assert.deepEqual(puts.map((r) => r.key).sort(), [...dist, ...probes.map((n) => `diagnostics/${n}`)].map((n) => `${prefix}/${n}`).sort());
  for (const r of puts) {
    assert.equal(r.bucket, 'assets-bucket');
    assert.equal(r.headers['content-type'], r.key.endsWith('.wasm') ? 'application/wasm' : 'application/javascript', r.key);
    assert.equal(r.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(r.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\//);
    const name = r.key.slice(prefix.length + 1);
    const local = await readFile(name.startsWith('diagnostics/') ? path.join(root, 'template', name) : path.join(root, 'dist', name));
    assert.ok(s3.objects.get(`assets-bucket/${r.key}`).body.equals(local), `${r.key} arrived whole`);
  }
  for (const name of ['audio.html', 'video.html']) {
    const html = await readFile(path.join(out, name), 'utf8');
    assert.ok(html.includes(`src="${base}/crowd-task.js"`), name);
    assert.ok(!html.includes('__AVSEG_ASSET_BASE__'), name);
  }
  // The diagnostics template loads the probe from where it went up.
  const diagnostics = await readFile(path.join(out, 'diagnostics.html'), 'utf8');
  assert.ok(diagnostics.includes(`<script src="${base}/diagnostics/probe.js"></script>`));
  assert.ok(puts.some((r) => r.key === `${prefix}/diagnostics/probe.js`));
  assert.ok(!diagnostics.includes('__AVSEG_ASSET_BASE__'));
  // The same build gives the same folder; --dry-run sends nothing.
  const before = s3.requests.length;
  const dry = await run(['--bucket', 'assets-bucket', '--base-url', 'https://d111.cloudfront.net', '--dry-run'], stubEnv(s3.endpoint));
  assert.equal(/asset base: (\S+)/.exec(dry.stdout)[1], base);
  assert.equal(s3.requests.length, before);
});

test('missing or insecure arguments are refused with the usage', async () => {
  await assert.rejects(run(['--bucket', 'b', '--base-url', 'http://d.cloudfront.net'], stubEnv('http://127.0.0.1:9')), /an https --base-url are required/);
  await assert.rejects(run(['--base-url', 'https://d.cloudfront.net'], stubEnv('http://127.0.0.1:9')), /--bucket and an https --base-url are required/);
});
