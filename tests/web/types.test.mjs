// SPDX-License-Identifier: MIT
// The hand-written .d.ts type-checks embedder code, and names exactly what the element has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('embedder code type-checks against avseg.d.ts', async () => {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--strict', '--lib', 'es2022,dom',
    '--target', 'es2022', '--moduleResolution', 'bundler', '--module', 'esnext', `${root}tests/web/usage.ts`]);
});

test('the .d.ts declares the members the element implements', async () => {
  const dts = await readFile(`${root}web/avseg.d.ts`, 'utf8');
  const source = await readFile(`${root}web/src/avseg-editor.js`, 'utf8');
  const body = dts.slice(dts.indexOf('export declare class AvsegEditor'), dts.indexOf('\n}\n', dts.indexOf('export declare class AvsegEditor')));
  const declared = [...new Set([...body.matchAll(/^ {2}(?:static )?(?:readonly )?(\w+)[(:]/gm)].map((m) => m[1]))]
    .filter((name) => !['addEventListener', 'removeEventListener'].includes(name));
  for (const name of declared) {
    assert.ok(new RegExp(`^\\s+(get |set |static |async )?${name}\\b`, 'm').test(source), `${name} is declared but not implemented`);
  }
  for (const name of ['src', 'duration', 'currentTime', 'playbackRate', 'view', 'sampleRate', 'channels', 'play', 'pause', 'zoomTo', 'zoomBy', 'stats', 'refreshSource',
    'config', 'value', 'taskId', 'addTrack', 'addSegment', 'updateSegment', 'removeSegment', 'undo', 'redo', 'validate']) {
    assert.ok(declared.includes(name), `${name} is implemented but not declared`);
  }
});
