// SPDX-License-Identifier: MIT
// The templates' guard (web/src/template-guard.js) is a classic script (it must run where the
// module scripts are refused), and every template loading the editor loads it first, deferred, from
// the asset base, in its module and its classic variant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from '/usr/share/nodejs/acorn/dist/acorn.mjs';
import { full } from '/usr/share/nodejs/acorn-walk/dist/walk.mjs';
import { classicTemplate } from '../../scripts/lib/labeling/classic-template.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const GUARD = '<script src="__AVSEG_ASSET_BASE__/template-guard.js" defer></script>';

test('the guard is a classic script in ASCII, one function that leaks nothing into the page', async () => {
  const code = await readFile(`${root}web/src/template-guard.js`, 'utf8');
  const ast = parse(code, { ecmaVersion: 'latest', sourceType: 'script' });
  const found = [];
  full(ast, (node) => {
    if (node.type === 'ImportExpression' || node.type === 'MetaProperty') found.push(node.type);
  });
  assert.deepEqual(found, []);
  assert.doesNotMatch(code, /[^\x00-\x7f]/, 'a classic script is decoded in the page\'s encoding');
  assert.deepEqual(ast.body.map((s) => s.type), ['ExpressionStatement']);
});

test('every template that loads the editor loads the guard first, and so does its classic variant', async () => {
  const names = (await readdir(`${root}template`)).filter((n) => n.endsWith('.liquid.html'));
  let editors = 0;
  for (const name of names) {
    const html = await readFile(`${root}template/${name}`, 'utf8');
    const glue = html.indexOf('__AVSEG_ASSET_BASE__/crowd-task.js');
    if (glue < 0) continue;
    editors += 1;
    const guard = html.indexOf(GUARD);
    assert.ok(guard >= 0 && guard < glue, `${name}: the guard comes before the editor's script`);
    const classic = classicTemplate(html);
    assert.ok(classic.indexOf(GUARD) >= 0 && classic.indexOf(GUARD) < classic.indexOf('crowd-task.classic.js'), `${name}: classic variant`);
  }
  assert.ok(editors >= 4, `${editors} templates load the editor`);
});
