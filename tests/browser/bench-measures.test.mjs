// SPDX-License-Identifier: MIT
// The benchmark's own measures, which its README figures rest on: the memory of a real Chromium split by
// process role (bench/memory.mjs), and the fewest single ranges that fetch an MP4's sound (bench/range.mjs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { chromiumMemory } from '../../bench/memory.mjs';
import { singleRangeFloor } from '../../bench/range.mjs';

test('chromiumMemory splits one browser by role and grows with what its renderer holds', async () => {
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto('data:text/html,<title>memory</title>');
    const idle = chromiumMemory(browser.userDataDir);
    assert.ok(idle.browser > 10e6, `browser process ${idle.browser}`);
    assert.ok(idle.renderer > 10e6, `renderers ${idle.renderer}`);
    assert.ok(idle.other > 0, `GPU/utility/zygote ${idle.other}`);
    assert.equal(idle.total, idle.browser + idle.renderer + idle.other);
    // 200 MB touched in the page lands in the renderer's share, not elsewhere.
    await page.evaluate(() => { globalThis.held = new Uint8Array(200e6).fill(1); });
    const busy = chromiumMemory(browser.userDataDir);
    assert.ok(busy.renderer - idle.renderer > 150e6, `renderer ${idle.renderer} -> ${busy.renderer}`);
    assert.ok(Math.abs(busy.browser - idle.browser) < 50e6, `browser ${idle.browser} -> ${busy.browser}`);
    // Another browser's processes are not counted.
    assert.equal(chromiumMemory(`${browser.userDataDir}-not-this-one`).total, 0);
  } finally {
    await browser.close();
  }
});

test('singleRangeFloor counts the runs of an MP4\'s sound and joins the nearest ones within the byte target', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'avseg-floor-'));
  try {
    const make = (name, args) => {
      const file = path.join(dir, name);
      execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
        '-t', '20', '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '4M', '-g', '25', '-c:a', 'aac', '-b:a', '64k', ...args, '-f', 'mp4', file]);
      return file;
    };
    // A fragment per second: each holds its pictures, then its sound, so the sound lies in 20 runs
    // 500 KB apart, more than the 6% budget can join.
    const fragmented = make('frag.mp4', ['-movflags', '+frag_keyframe+empty_moov+default_base_moof']);
    const moofs = readFileSync(fragmented).toString('latin1').split('moof').length - 1;
    const f = singleRangeFloor(fragmented);
    assert.equal(f.runs, moofs);
    assert.ok(f.requests > 0.9 * f.runs && f.requests <= f.runs, JSON.stringify(f));
    // An MP4 of sound alone holds it in one run: one request.
    const audioOnly = make('audio.mp4', ['-vn']);
    assert.equal(singleRangeFloor(audioOnly).requests, 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
