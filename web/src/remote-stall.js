// SPDX-License-Identifier: MIT
// Stall watching: a request or body that brings (almost) nothing for too long is given up on.
import { STALL_BYTES } from './remote-common.js';

/**
 * Calls onStall when, in a window of `ms`, fewer than STALL_BYTES (or what is still `need`ed)
 * arrived while it ran.
 */
export class Watchdog {
  constructor(ms, onStall) {
    this.ms = ms;
    this.onStall = onStall;
    this.bytes = 0;
    this.mark = 0;
    this.timer = null;
    this.stalled = false;
    this.need = () => Infinity;
    this.busy = null;   // while it says true, silence is not a stall (see RemoteFile.send)
  }

  start() {
    if (this.timer || this.stalled || !(this.ms > 0 && this.ms < Infinity)) return;
    this.mark = this.bytes;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.bytes - this.mark >= Math.min(STALL_BYTES, this.need()) || this.busy?.()) this.start();
      else {
        this.stalled = true;
        this.onStall();
      }
    }, this.ms);
    this.timer.unref?.();
  }

  progress(n) { this.bytes += n; }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * `response` with a body that errors (a TypeError, as a broken connection) when the server sends
 * less than STALL_BYTES in `stallMs`: a streamed download never hangs on a silent server.
 */
export function watched(response, stallMs) {
  if (!response.body || !(stallMs > 0 && stallMs < Infinity)) return response;
  const reader = response.body.getReader();
  // The window runs while a read waits; a consumer that stops reading (back-pressure) is no stall.
  let bytes = 0;
  let mark = 0;
  let timer = null;
  let waiting = false;
  let stalled = false;
  let stream;
  const arm = () => {
    mark = bytes;
    timer = setTimeout(check, stallMs);
    timer.unref?.();
  };
  const check = () => {
    timer = null;
    if (!waiting) return;
    if (bytes - mark >= STALL_BYTES) return arm();
    stalled = true;
    stream.error(new TypeError(`the server sent less than ${STALL_BYTES} bytes in ${stallMs / 1000} s`));
    reader.cancel().catch(() => {});
  };
  const body = new ReadableStream({
    start(controller) { stream = controller; },
    async pull(controller) {
      waiting = true;
      if (!timer) arm();
      try {
        const { done, value } = await reader.read();
        if (stalled) return;
        if (done) {
          clearTimeout(timer);
          controller.close();
        } else {
          bytes += value.length;
          controller.enqueue(value);
        }
      } catch (err) {
        clearTimeout(timer);
        if (!stalled) controller.error(err);
      } finally {
        waiting = false;
      }
    },
    cancel(reason) {
      clearTimeout(timer);
      return reader.cancel(reason);
    },
  });
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}
