// SPDX-License-Identifier: MIT
// The classic-script build (scripts/build-classic.mjs): dist/*.classic.js parse as classic scripts
// with no import, export or import.meta left, and the classic templates load them instead of
// module scripts (scripts/lib/labeling/classic-template.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from '/usr/share/nodejs/acorn/dist/acorn.mjs';
import { full } from '/usr/share/nodejs/acorn-walk/dist/walk.mjs';
import { classicTemplate } from '../../scripts/lib/labeling/classic-template.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BUNDLES = ['worker.classic.js', 'avseg.classic.js', 'crowd-task.classic.js', 'compare-task.classic.js'];
const TEMPLATES = ['audio', 'video', 'aws-sample-audio', 'aws-sample-video'];

for (const name of BUNDLES) {
  test(`dist/${name} is a classic script: no import or export statement, no import(), no import.meta`, async () => {
    const code = await readFile(`${root}dist/${name}`, 'utf8');
    // As a script, an import or export statement (and import.meta) is a syntax error.
    const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
    const found = [];
    full(ast, (node) => {
      if (node.type === 'ImportExpression' || node.type === 'MetaProperty') found.push(`${node.type} at ${node.start}`);
    });
    assert.deepEqual(found, []);
    // A classic script is decoded in the page's encoding unless the host names a charset (a module
    // script always as UTF-8): its code and strings are ASCII, non-ASCII text written as escapes.
    const nonAscii = [];
    full(ast, (node) => {
      const raw = node.type === 'TemplateElement' ? node.value.raw : node.type === 'Literal' || node.type === 'Identifier' ? (node.raw ?? node.name) : null;
      if (raw && /[^\x00-\x7f]/.test(raw)) nonAscii.push(raw.slice(0, 60));
    });
    assert.deepEqual(nonAscii, []);
    // One function evaluated once: nothing but its global name (if any) leaks into the page.
    const top = ast.body.map((s) => s.type);
    assert.ok(top.length === 1 && /^(ExpressionStatement|VariableDeclaration)$/.test(top[0]), `top level: ${top}`);
  });
}

test('each import.meta.url of the modules became the bundle\'s own URL, read while it is evaluated', async () => {
  for (const name of BUNDLES) {
    const code = await readFile(`${root}dist/${name}`, 'utf8');
    assert.match(code, /avsegClassicScriptUrl = typeof document !== "undefined" \? document\.currentScript\?\.src/, name);
    // The wasm glue's own fallback looks beside that URL (the worker's core, the page's model).
    assert.match(code, /new URL\("avseg-(core|model)\.wasm", avsegClassicScriptUrl\)/, name);
  }
});

test('the classic templates load crowd-task.classic.js deferred, and no module script', async () => {
  for (const name of TEMPLATES) {
    const module = await readFile(`${root}template/${name}.liquid.html`, 'utf8');
    const classic = classicTemplate(module);
    assert.doesNotMatch(classic, /type\s*=\s*["']?module/i, name);
    assert.equal(classic.match(/<script src="__AVSEG_ASSET_BASE__\/crowd-task\.classic\.js" defer><\/script>/g)?.length, 1, name);
    // Nothing else changes: the rest of the template is the module one's.
    assert.equal(classic.replace('<script src="__AVSEG_ASSET_BASE__/crowd-task.classic.js" defer></script>',
      '<script type="module" src="__AVSEG_ASSET_BASE__/crowd-task.js"></script>'), module);
    const built = await readFile(`${root}dist/templates/${name}-classic.liquid.html`, 'utf8');
    assert.equal(built.replace(/^(<!-- SPDX[^\n]*\n)<!-- Made by scripts\/build [^\n]*\n/, '$1'), classic, `dist/templates/${name}-classic.liquid.html is out of date: run scripts/build`);
  }
});

test('a module script the classic build has no bundle for is refused, not left to fail in the portal', () => {
  assert.throws(() => classicTemplate('<script type="module">import "./x.js";</script>'), /module script with no classic bundle: <script type="module">/);
  assert.throws(() => classicTemplate('<script type="module" src="https://elsewhere.example/x.js"></script>'), /no classic bundle/);
  assert.equal(classicTemplate('<script type="module" src="__AVSEG_ASSET_BASE__/crowd-task.js"></script>'), '<script src="__AVSEG_ASSET_BASE__/crowd-task.classic.js" defer></script>');
});
