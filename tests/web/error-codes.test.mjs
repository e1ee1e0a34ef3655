// SPDX-License-Identifier: MIT
// One list of error codes: the core's table (MediaError.h), web/src/error-codes.js, the .d.ts
// union and the doc's table name the same codes, and the code in web/src names only those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { ErrorCode, UNREPORTED } from '../../web/src/error-codes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const read = (path) => readFile(`${root}${path}`, 'utf8');

/** [enum name, code] of the core's kErrorCodes table, and the enum's names. */
async function coreTable() {
  const header = await read('wasm/core/MediaError.h');
  const table = header.match(/kErrorCodes\[\]\s*=\s*\{([^;]*)\};/);
  const enumBody = header.match(/enum class ErrorCode\s*\{([^}]*)\}/);
  assert.ok(table && enumBody, 'MediaError.h has the ErrorCode enum and the kErrorCodes table');
  return {
    entries: [...table[1].matchAll(/\{\s*ErrorCode::(\w+)\s*,\s*"([^"]*)"\s*\}/g)].map((m) => [m[1], m[2]]),
    enumNames: enumBody[1].split(',').map((s) => s.trim()).filter(Boolean),
  };
}

/** The string literals of the AvsegErrorCode union. */
async function typesUnion() {
  const source = ts.createSourceFile('avseg.d.ts', await read('web/avseg.d.ts'), ts.ScriptTarget.Latest, true);
  const alias = source.statements.find((s) => ts.isTypeAliasDeclaration(s) && s.name.text === 'AvsegErrorCode');
  assert.ok(alias && ts.isUnionTypeNode(alias.type), 'avseg.d.ts declares AvsegErrorCode as a union');
  return alias.type.types.map((t) => {
    assert.ok(ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal), `AvsegErrorCode member ${t.getText()} is a string literal`);
    return t.literal.text;
  });
}

/** The codes of the table under "### Error codes" in the element's doc. */
async function docTable() {
  const doc = await read('doc/element-api.md');
  const start = doc.indexOf('\n### Error codes\n');
  assert.ok(start >= 0, 'doc/element-api.md has an "Error codes" section');
  const section = doc.slice(start + 1).split(/\n#{1,3} /)[0];
  const rows = section.split('\n').filter((line) => line.startsWith('|') && !/^\|\s*(code|-+)\s*\|/.test(line));
  return rows.map((row) => {
    const cell = row.split('|')[1].trim();
    assert.match(cell, /^`[a-z-]+`$/, `an error-code row starts with a code: ${row}`);
    return cell.slice(1, -1);
  });
}

// Calls whose first argument is a code (the worker's RemoteError, the element's reporters).
const CODE_TAKERS = new Set(['RemoteError', 'fail', 'refuse', 'codedError', '#warn', '#reportEditError', 'report']);
const nameOf = (node) => (ts.isIdentifier(node) || ts.isPrivateIdentifier(node) ? node.text
  : ts.isPropertyAccessExpression(node) ? node.name.text : '');
const isCodeAccess = (node) => ts.isPropertyAccessExpression(node) && node.name.text === 'code';

/** The codes a JS file spells out: literals where a code goes, and ErrorCode.X members. */
function codesIn(text, file) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
  const found = [];
  const where = (node) => `${file}:${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
  // The strings an expression can evaluate to: 'a', c ? 'a' : 'b', x ?? 'a', x || 'a'.
  const literals = (node) => {
    if (ts.isStringLiteralLike(node)) return [node];
    if (ts.isParenthesizedExpression(node)) return literals(node.expression);
    if (ts.isConditionalExpression(node)) return [...literals(node.whenTrue), ...literals(node.whenFalse)];
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(node.operatorToken.kind)) {
      return [...literals(node.left), ...literals(node.right)];
    }
    return [];
  };
  const seen = new Set();
  const add = (nodes) => {
    for (const n of nodes) {
      // KeyboardEvent codes ('KeyZ', 'Space') are compared with .code too; ours are lower-case.
      if (seen.has(n) || !/^[a-z]/.test(n.text)) continue;
      seen.add(n);
      found.push({ code: n.text, at: where(n) });
    }
  };
  const visit = (node) => {
    if (ts.isPropertyAssignment(node) && nameOf(node.name) === 'code') add(literals(node.initializer));
    if (ts.isBinaryExpression(node) && [ts.SyntaxKind.EqualsEqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken,
      ts.SyntaxKind.EqualsEqualsToken, ts.SyntaxKind.ExclamationEqualsToken].includes(node.operatorToken.kind)) {
      if (isCodeAccess(node.left)) add(literals(node.right));
      if (isCodeAccess(node.right)) add(literals(node.left));
    }
    if (ts.isBinaryExpression(node) && isCodeAccess(node.left)
      && [ts.SyntaxKind.QuestionQuestionToken, ts.SyntaxKind.BarBarToken].includes(node.operatorToken.kind)) add(literals(node.right));
    if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && CODE_TAKERS.has(nameOf(node.expression)) && node.arguments?.length) {
      add(literals(node.arguments[0]));
    }
    // Sets and tables of codes: PAUSING = new Set([...]), RESULT_CODES = {name: 'code'}.
    if (ts.isVariableDeclaration(node) && /CODES|PAUSING/.test(nameOf(node.name)) && node.initializer) {
      const strings = (n) => (ts.isStringLiteralLike(n) ? [n] : n.getChildren(source).flatMap(strings));
      add(strings(node.initializer).filter((n) => !ts.isPropertyAssignment(n.parent) || n.parent.initializer === n));
    }
    if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'ErrorCode') {
      found.push({ member: node.name.text, code: ErrorCode[node.name.text], at: where(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

async function webSourceCodes() {
  const files = (await readdir(`${root}web/src`)).filter((f) => f.endsWith('.js') && f !== 'error-codes.js').sort();
  return (await Promise.all(files.map(async (f) => codesIn(await read(`web/src/${f}`), `web/src/${f}`)))).flat();
}

const listed = Object.values(ErrorCode);
const reported = listed.filter((code) => !UNREPORTED.includes(code));
const missing = (from, what) => from.filter((code) => !what.includes(code));

test('the JS list holds each code once, named as the core names it', async () => {
  assert.equal(new Set(listed).size, listed.length, 'a code is listed twice');
  for (const [name, code] of Object.entries(ErrorCode)) {
    assert.match(code, /^[a-z]+(-[a-z]+)*$/, `${name}: codes are lower-case words joined by hyphens`);
    assert.equal(name, code.split('-').map((w) => w[0].toUpperCase() + w.slice(1)).join(''), `${name} is named after '${code}'`);
  }
  for (const code of UNREPORTED) assert.ok(listed.includes(code), `unreported ${code} is listed`);
});

test('the core table names every ErrorCode, and the JS list has each under the same name', async () => {
  const { entries, enumNames } = await coreTable();
  assert.ok(entries.length >= 10, 'the table was read');
  assert.deepEqual(entries.map(([name]) => name), enumNames, 'kErrorCodes lists the enum in its order');
  for (const [name, code] of entries) assert.equal(ErrorCode[name], code, `ErrorCode.${name} in web/src/error-codes.js is '${code}' as in MediaError.h`);
});

test('avseg.d.ts and doc/element-api.md list exactly the codes a host can see', async () => {
  const union = await typesUnion();
  const doc = await docTable();
  assert.equal(new Set(union).size, union.length, 'AvsegErrorCode names a code twice');
  assert.equal(new Set(doc).size, doc.length, 'the doc table names a code twice');
  assert.deepEqual(missing(reported, union), [], 'listed in web/src/error-codes.js but not in AvsegErrorCode (web/avseg.d.ts)');
  assert.deepEqual(missing(union, reported), [], 'in AvsegErrorCode but not a reported code of web/src/error-codes.js');
  assert.deepEqual(missing(reported, doc), [], 'listed in web/src/error-codes.js but not in the doc table (doc/element-api.md, Error codes)');
  assert.deepEqual(missing(doc, reported), [], 'in the doc table but not a reported code of web/src/error-codes.js');
});

test('every code written in web/src is a listed one', async () => {
  const found = await webSourceCodes();
  assert.ok(found.length > 0, 'the scan found codes');
  const unknown = found.filter((f) => !listed.includes(f.code)).map((f) => `${f.at}: ${f.member ? `ErrorCode.${f.member}` : `'${f.code}'`}`);
  assert.deepEqual(unknown, [], 'codes not in web/src/error-codes.js');
});

// model-text-guard.js ships alone in a Lambda, without error-codes.js.
const LITERALS_ALLOWED = new Set(['web/src/model-text-guard.js']);

test('web/src names a code only as ErrorCode.X, never as a literal', async () => {
  const literal = (await webSourceCodes()).filter((f) => !f.member && !LITERALS_ALLOWED.has(f.at.split(':')[0]));
  assert.deepEqual(literal.map((f) => `${f.at}: '${f.code}'`), [], 'write ErrorCode.X (web/src/error-codes.js) instead');
});

test('every listed code is given somewhere: by web/src or by the core', async () => {
  const found = new Set((await webSourceCodes()).map((f) => f.code));
  const cxx = [];
  for (const dir of ['wasm/core', 'wasm/bindings']) {
    for (const f of (await readdir(`${root}${dir}`)).filter((name) => name.endsWith('.cpp'))) cxx.push(await read(`${dir}/${f}`));
  }
  const usedByCore = new Set(cxx.flatMap((text) => [...text.matchAll(/ErrorCode::(\w+)/g)].map((m) => ErrorCode[m[1]])));
  assert.deepEqual(reported.filter((code) => !found.has(code) && !usedByCore.has(code)), [], 'listed but never given: drop them or give them');
});

test('the scan sees codes wherever web/src puts them', () => {
  const codes = codesIn(`
    const PAUSING = new Set(['link-expired', 'connection-lost']);
    const RESULT_CODES = { load: 'invalid-document' };
    post({ type: 'error', code: cond ? 'a-b' : 'c-d', message });
    if (err.code === 'e-f' || 'g-h' !== x.code) throw new RemoteError('i-j', 'message');
    if (event.code === 'KeyZ') undo();
    this.#reportEditError(err.code ?? 'k-l', err.message);
    host.report('m-n', 'message');
    throw codedError(ErrorCode.NotReady, 'm');
    ErrorCode.Typo;
  `, 'probe.js').map((f) => f.member ?? f.code);
  assert.deepEqual(codes, ['link-expired', 'connection-lost', 'invalid-document', 'a-b', 'c-d', 'e-f', 'g-h', 'i-j', 'k-l', 'm-n', 'NotReady', 'Typo']);
});
