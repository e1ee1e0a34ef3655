#!/usr/bin/env node
// SPDX-License-Identifier: MIT
// Serves the local annotator: page, component assets and media on three loopback origins.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers } from './lib/servers.mjs';
import { demoPage, strictCsp } from '../web/demo/page.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const base = Number(process.env.AVSEG_PORT ?? 8080);
const mediaRoot = process.env.AVSEG_MEDIA ?? path.join(root, 'build/fixtures');
const file = process.argv[2] ?? 'sample.mp3';

let page = '';
const servers = await startServers({
  pages: { '/index.html': '' },
  csp: strictCsp,
  assetRoot: path.join(root, 'dist'),
  mediaRoot,
  ports: { page: base, assets: base + 1, media: base + 2 },
  log: false,
});
page = demoPage({ assets: servers.assets.origin, media: servers.media.origin }, file);
servers.setPage('/index.html', page);
console.log(`avseg: open ${servers.page.url('/')}  (assets ${servers.assets.origin}, media ${servers.media.origin}: ${mediaRoot})`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => servers.close().then(() => process.exit(0)));
