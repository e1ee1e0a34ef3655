// SPDX-License-Identifier: MIT
// The media side's listeners are released when the element is removed and wired again when it is
// put back (web/src/media-side.js): what happened meanwhile is shown, and the controls and
// gestures work again, once each.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startElementPage } from './harness.mjs';

let harness;
before(async () => { harness = await startElementPage({ title: 'avseg media reconnect' }); });
after(() => harness?.close());

test('removed while playing and put back: the play button says Play, and zoom, spectrogram, seek and play work again once each', { timeout: 90000 }, async (t) => {
  const page = await harness.openMedia(t, 'speech-gaps.wav');
  const out = await page.evaluate(async () => {
    const el = document.querySelector('avseg-editor');
    const root = el.shadowRoot;
    const button = root.querySelector('.play');
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
    await el.play();
    await frame();
    const playing = { text: button.textContent, label: button.getAttribute('aria-label') };
    const parent = el.parentNode;
    el.remove();
    await frame();
    parent.append(el);
    await frame();
    const back = { text: button.textContent, label: button.getAttribute('aria-label'), paused: root.querySelector('video').paused };
    const views = [];
    el.addEventListener('viewchange', (e) => views.push(e.detail));
    const whole = el.view;
    root.querySelector('.zoom-in').click();
    const zoomed = el.view;
    const toggle = root.querySelector('.spectro');
    toggle.click();
    const scale = root.querySelector('.spectro-scale');
    scale.value = 'log';
    scale.dispatchEvent(new Event('change'));
    const spectrogram = { shown: el.spectrogram, strip: !root.querySelector('.spectrogram').hidden, scale: el.spectrogramOptions.scale };
    toggle.click();
    spectrogram.after = el.spectrogram;
    const times = [];
    el.addEventListener('timeupdate', (e) => times.push(e.detail.currentTime));
    const wave = root.querySelector('.wave');
    const rect = wave.getBoundingClientRect();
    const at = { clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2, button: 0, pointerId: 1, bubbles: true };
    wave.dispatchEvent(new PointerEvent('pointerdown', at));
    wave.dispatchEvent(new PointerEvent('pointerup', at));
    const seeked = el.currentTime;
    const seeks = times.length;
    const started = new Promise((resolve) => root.querySelector('video').addEventListener('play', resolve, { once: true }));
    button.click();
    await started;
    await frame();
    const again = { text: button.textContent, label: button.getAttribute('aria-label') };
    el.pause();
    return { playing, back, whole, zoomed, views: views.length, spectrogram, seeks, seeked, again };
  });
  assert.deepEqual(out.playing, { text: '❚❚', label: 'Pause' });
  assert.deepEqual(out.back, { text: '▶', label: 'Play', paused: true }, 'the pause on removal is shown once put back');
  assert.ok(out.zoomed.end - out.zoomed.start < (out.whole.end - out.whole.start) * 0.51, `zoom in halves the view: ${JSON.stringify(out)}`);
  assert.equal(out.views, 1, 'one viewchange for one click (listeners not doubled)');
  assert.deepEqual(out.spectrogram, { shown: true, strip: true, scale: 'log', after: false }, 'the Spectrogram box and its selects work again');
  const middle = (out.zoomed.start + out.zoomed.end) / 2;
  assert.ok(Math.abs(out.seeked - middle) < 0.01 * (out.zoomed.end - out.zoomed.start), `a click on the waveform seeks there: ${out.seeked} vs ${middle}`);
  assert.equal(out.seeks, 1, 'one seek for one click on the waveform (listeners not doubled)');
  assert.deepEqual(out.again, { text: '❚❚', label: 'Pause' });
});
