// SPDX-License-Identifier: MIT
// Media for the analysis tests, made by sox at test time: a 220 Hz tone broken by two silences of
// known lengths (the pauses), and the editor opened on it through the real worker.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const RATE = 48000;
// Tone, silence, tone, silence, tone: the silences are the pauses.
const PARTS = [['tone', 0.5], ['gap', 0.6], ['tone', 0.8], ['gap', 0.4], ['tone', 0.7]];
export const TRUTH = [{ start: 24000, end: 52800 }, { start: 91200, end: 110400 }];

/** Writes `dir`/tones.wav (3 s, 48 kHz mono) and steps.wav (the tone loud, 14 dB quieter, loud: a second each). */
export async function makeTones(dir) {
  const steps = [];
  for (const [i, vol] of ['0.5', '0.1', '0.5'].entries()) {
    steps.push(path.join(dir, `step${i}.wav`));
    await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', steps.at(-1), 'synth', '1', 'sine', '220', 'vol', vol]);
  }
  await run('sox', ['-D', ...steps, path.join(dir, 'steps.wav')]);
  const files = [];
  for (const [i, [kind, seconds]] of PARTS.entries()) {
    const file = path.join(dir, `part${i}.wav`);
    const body = kind === 'tone' ? ['synth', String(seconds), 'sine', '220', 'vol', '0.5'] : ['trim', '0', `${Math.round(seconds * RATE)}s`];
    await run('sox', ['-D', '-n', '-r', String(RATE), '-b', '16', '-c', '1', file, ...body]);
    files.push(file);
  }
  await run('sox', ['-D', ...files, path.join(dir, 'tones.wav')]);
}

/** A tab of `env` (harness.mjs) whose editor has loaded `name` with `config`, is ready and knows its pauses. */
export async function openTones(env, t, config, name = 'tones.wav') {
  const page = await env.open(t, { width: 1000, height: 1000 });
  await page.evaluate(({ src, config }) => new Promise((resolve, reject) => {
    const el = document.querySelector('avseg-editor');
    el.addEventListener('ready', resolve, { once: true });
    el.addEventListener('error', (e) => { if (e.detail.fatal) reject(new Error(e.detail.message)); });
    // Each test begins afresh: no draft of another test's edits to the same media.
    el.setAttribute('autosave', 'off');
    el.config = config;
    el.src = src;
  }), { src: env.servers.media.url(`/${name}`), config });
  await page.waitForFunction(() => document.querySelector('avseg-editor').analysis.pauses?.final);
  return page;
}
