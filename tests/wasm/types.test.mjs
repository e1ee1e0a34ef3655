// SPDX-License-Identifier: MIT
// The hand-written .d.ts of both wasm modules (web/avseg-core.d.ts, web/avseg-model.d.ts) against
// the modules themselves, loaded in Node: each class's methods, their argument counts and the
// result shapes are what the binding has, no more and no less; code using them as the worker
// and the element do type-checks.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { loadCore, loadModel } from './load-core.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const MODULES = [
  { dts: 'web/avseg-core.d.ts', cpp: 'wasm/bindings/Bindings.cpp', moduleType: 'AvsegCoreModule', load: loadCore },
  { dts: 'web/avseg-model.d.ts', cpp: 'wasm/bindings/ModelBindings.cpp', moduleType: 'AvsegModelModule', load: loadModel },
];

let program, checker;
const loaded = new Map();

before(async () => {
  program = ts.createProgram(MODULES.map((m) => `${root}${m.dts}`), { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022 });
  checker = program.getTypeChecker();
  for (const m of MODULES) loaded.set(m.dts, await m.load());
});

/** The declarations of a .d.ts by name: classes and interfaces. */
function declarations(dts) {
  const source = program.getSourceFile(`${root}${dts}`);
  assert.ok(source, `${dts} is part of the program`);
  const out = new Map();
  for (const s of source.statements) if ((ts.isClassDeclaration(s) || ts.isInterfaceDeclaration(s)) && s.name) out.set(s.name.text, s);
  return out;
}

/** Every property of a declared type, inherited ones included. */
const propertiesOf = (decl) => checker.getPropertiesOfType(checker.getTypeAtLocation(decl.name)).map((p) => p.name).sort();

/** Method name -> parameter count, and the constructor's parameter count, of a declared class. */
function classShape(decl) {
  const methods = new Map();
  let ctor = 0;
  for (const member of decl.members) {
    if (ts.isMethodDeclaration(member)) methods.set(member.name.text, member.parameters.length);
    if (ts.isConstructorDeclaration(member)) ctor = member.parameters.length;
  }
  return { methods, ctor };
}

/** What EMSCRIPTEN_BINDINGS registers: classes, free functions, and each value_object's fields. */
async function registered(cpp) {
  const text = await readFile(`${root}${cpp}`, 'utf8');
  const block = text.slice(text.indexOf('EMSCRIPTEN_BINDINGS'));
  const classes = [...block.matchAll(/class_<\w+>\("(\w+)"\)/g)].map((m) => m[1]);
  const functions = [...block.matchAll(/^\s*function\("(\w+)"/gm)].map((m) => m[1]);
  const valueObjects = new Map([...block.matchAll(/value_object<\w+>\("(\w+)"\)([^;]*);/g)]
    .map((m) => [m[1], [...m[2].matchAll(/\.field\("(\w+)"/g)].map((f) => f[1]).sort()]));
  return { classes, functions, valueObjects };
}

const sorted = (iterable) => [...iterable].sort();
// Embind's own members of every handle (ClassHandle.prototype), declared by EmbindHandle.
const handleMembers = (Class) => Object.getOwnPropertyNames(Object.getPrototypeOf(Class.prototype)).filter((n) => n !== 'constructor');

test('code using both modules as the worker and the element do type-checks against the .d.ts files', async () => {
  const tsc = `${root}node_modules/typescript/bin/tsc`;
  await promisify(execFile)(process.execPath, [tsc, '--noEmit', '--strict', '--lib', 'es2022,dom', '--target', 'es2022',
    '--moduleResolution', 'bundler', '--module', 'esnext', `${root}tests/wasm/types-usage.ts`]);
});

test('each module declares exactly the classes and functions its binding registers, and has them at runtime', async () => {
  for (const m of MODULES) {
    const { classes, functions } = await registered(m.cpp);
    const decls = declarations(m.dts);
    assert.deepEqual(propertiesOf(decls.get(m.moduleType)), sorted([...classes, ...functions]), `${m.moduleType} in ${m.dts}`);
    const M = loaded.get(m.dts);
    for (const name of classes) {
      assert.ok(decls.has(name) && ts.isClassDeclaration(decls.get(name)), `${m.dts} declares class ${name}`);
      assert.equal(typeof M[name]?.prototype?.delete, 'function', `the module has the Embind class ${name}`);
    }
    for (const name of functions) assert.equal(typeof M[name], 'function', `the module has the function ${name}`);
  }
});

test('every class declares each method its prototype has at runtime, and no other', () => {
  for (const m of MODULES) {
    const decls = declarations(m.dts);
    const M = loaded.get(m.dts);
    const handle = sorted(propertiesOf(declarations('web/avseg-core.d.ts').get('EmbindHandle')));   // the model's re-exports it
    for (const [name, decl] of decls) {
      if (!ts.isClassDeclaration(decl)) continue;
      const runtime = Object.getOwnPropertyNames(M[name].prototype).filter((n) => n !== 'constructor');
      assert.deepEqual(sorted(classShape(decl).methods.keys()), sorted([...runtime, ...handleMembers(M[name])]), `${name}'s methods in ${m.dts}`);
      assert.deepEqual(sorted(handleMembers(M[name])), handle, `EmbindHandle in ${m.dts} is what Embind gives ${name}`);
    }
  }
});

test('every method and constructor takes as many arguments as declared (one more is refused before it runs)', () => {
  for (const m of MODULES) {
    const M = loaded.get(m.dts);
    for (const [name, decl] of declarations(m.dts)) {
      if (!ts.isClassDeclaration(decl)) continue;
      const { methods, ctor } = classShape(decl);
      assert.throws(() => new M[name](...Array(ctor + 1).fill(0)), new RegExp(`expected \\(${ctor}\\) parameters`), `new ${name}: ${ctor} parameters`);
      const instance = new M[name](...Array(ctor).fill(0));
      try {
        for (const method of Object.getOwnPropertyNames(M[name].prototype).filter((n) => n !== 'constructor')) {
          const count = methods.get(method);
          assert.throws(() => instance[method](...Array(count + 1).fill(undefined)), new RegExp(`called with ${count + 1} arguments, expected ${count} args`),
            `${name}.${method}: ${count} parameters`);
        }
      } finally {
        instance.delete();
      }
    }
  }
});

test('every result shape is declared with exactly the fields the binding gives it', async () => {
  for (const m of MODULES) {
    const decls = declarations(m.dts);
    const { valueObjects } = await registered(m.cpp);
    assert.ok(valueObjects.size > 0, `${m.cpp} registers value objects`);
    for (const [name, fields] of valueObjects) {
      assert.ok(decls.has(name), `${m.dts} declares ${name}`);
      assert.deepEqual(propertiesOf(decls.get(name)), fields, `${name}'s fields in ${m.dts}`);
    }
  }
});

test('results at runtime carry the declared fields: a status, the media info, a peaks read, the analyses, a model edit', () => {
  const core = loaded.get('web/avseg-core.d.ts');
  const coreDecls = declarations('web/avseg-core.d.ts');
  const modelDecls = declarations('web/avseg-model.d.ts');
  const keys = (value) => Object.keys(value).sort();
  const session = new core.Session();
  try {
    assert.deepEqual(keys(session.pump(1)), propertiesOf(coreDecls.get('Status')));
    assert.deepEqual(keys(session.info()), propertiesOf(coreDecls.get('Info')));
    assert.deepEqual(keys(session.seedPeaksFile(new Uint8Array(0))), propertiesOf(coreDecls.get('PeaksRead')));
  } finally {
    session.delete();
  }
  const analyses = new core.Session();
  try {
    assert.deepEqual(keys(analyses.energy()), propertiesOf(coreDecls.get('Energy')));
    assert.deepEqual(keys(analyses.loudness(10)), propertiesOf(coreDecls.get('Loudness')));
    assert.deepEqual(keys(analyses.pauses(-30, 0.2, true)), propertiesOf(coreDecls.get('Pauses')));
    assert.deepEqual(keys(analyses.pitch(0, 4800, 50, 800, 0.001)), propertiesOf(coreDecls.get('Pitch')));
    assert.deepEqual(keys(analyses.snap(100, 10, 7)), propertiesOf(coreDecls.get('Snapped')));
    assert.deepEqual(keys(core.speakerPitchRange(new Float32Array(0), new Float32Array(0), 50, 800)), propertiesOf(coreDecls.get('PitchRange')));
  } finally {
    analyses.delete();
  }
  const motion = new core.Motion();
  assert.deepEqual(keys(motion.result()), propertiesOf(coreDecls.get('MotionResult')));
  motion.delete();
  const plan = new core.ReadPlan(0);
  assert.deepEqual(keys(plan.state()), propertiesOf(coreDecls.get('ReadPlanState')));
  plan.delete();
  const annotations = new (loaded.get('web/avseg-model.d.ts').Annotations)();
  assert.deepEqual(keys(annotations.addTrack('speaker', 'A')), propertiesOf(modelDecls.get('Result')));
  annotations.delete();
});
