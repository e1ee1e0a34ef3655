// SPDX-License-Identifier: MIT
// The wasm core reading in place (Session.openSeekable): a read the page's reader cannot serve (it
// returns no bytes, as RemoteFile does once a link has expired) interrupts the decode (pump state
// 3) instead of ending it, and the decode goes on where it stopped once reads work again: the same
// frames and peaks as an uninterrupted decode, without reading the file again from its start.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { loadCore } from './load-core.mjs';

const fixtures = process.env.AVSEG_FIXTURES ?? path.join(import.meta.dirname, '../../build/fixtures');
const INTERRUPTED = 3;
const colours = { background: 0xffffffff, wave: 0x000000ff, axis: 0x808080ff, sampleDot: 0xff0000ff, amplitude: 1 };
let core;

before(async () => { core = await loadCore(); });

/** Decodes through openSeekable; reads past `refuseAt` of the file are refused once for a while. */
function decode(bytes, refuseAt) {
  const session = new core.Session();
  const refuseFrom = Math.floor(bytes.length * refuseAt);
  let refusing = false;
  let armed = refuseAt > 0;
  let lowestAfter = Infinity;
  let resumed = false;
  let last = 0;
  const reads = (pos, len) => {
    if (refusing && pos + len > refuseFrom) return new Uint8Array(0);
    last = pos;
    if (resumed) lowestAfter = Math.min(lowestAfter, pos);
    return bytes.subarray(pos, pos + len);
  };
  assert.equal(session.openSeekable(reads, bytes.length).state, 2);
  const states = [];
  for (let status; ;) {
    // Once the file is open and the decode half way to the refused bytes (opening reads ahead).
    if (armed && session.opened() && last >= refuseFrom / 2) { refusing = true; armed = false; }
    status = session.pump(8);
    states.push(status.state);
    assert.ok(status.state >= 0, `${status.code}: ${status.message}`);
    if (status.state === 2) {
      resumed = false;   // what a view reads next is not the load's
      break;
    }
    if (status.state === INTERRUPTED && refusing) {
      // Still refused: interrupted again, never the end.
      for (let i = 0; i < 50 && (status = session.pump(8)).state === 1;);
      assert.equal(status.state, INTERRUPTED);
      refusing = false;
      resumed = true;
    }
  }
  const info = session.info();
  const whole = session.render({ startFrame: 0, framesPerPixel: info.frames / 400, width: 400, height: 60, ...colours }, false);
  assert.ok(whole.ok);
  const pixels = Array.from(session.pixels());
  session.delete();
  return { frames: info.frames, pixels, interruptions: states.filter((s) => s === INTERRUPTED).length, lowestAfter, refuseFrom };
}

for (const name of ['speech-gaps.pcm_s16le.wav', 'speech-gaps.mp3', 'speech-gaps.flac', 'speech-gaps.aac.m4a', 'speech-gaps.opus.webm']) {
  test(`${name}: a refused read interrupts the decode, which goes on where it stopped with the same frames and peaks`, async () => {
    const bytes = await readFile(path.join(fixtures, name));
    const plain = decode(bytes, 0);
    const cut = decode(bytes, 0.6);
    assert.ok(cut.interruptions >= 1, 'interrupted');
    assert.equal(cut.frames, plain.frames);
    assert.ok(cut.pixels.every((v, i) => v === plain.pixels[i]), 'the same peaks');
    assert.ok(cut.lowestAfter > cut.refuseFrom / 4, `went on from near ${cut.refuseFrom}, read from ${cut.lowestAfter}`);
  });
}
