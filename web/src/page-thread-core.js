// SPDX-License-Identifier: MIT
// The core on the page's own thread, for pages that let no worker start: worker-host.js serves one
// end of a MessageChannel and the other end is handed to core-client.js as if it were a worker.
// The load decodes in slices of a few milliseconds and yields between them (load-decode.js), so
// the page keeps answering while the media loads.

/**
 * A worker-like object: postMessage, onmessage, onerror and terminate(). worker-host.js is
 * imported only now, so a page whose worker starts never loads the core twice.
 */
export function startPageCore() {
  const channel = new MessageChannel();
  let stop = null;
  let ended = false;
  const core = {
    onmessage: null,
    onerror: null,
    postMessage: (message, transfer = []) => channel.port1.postMessage(message, transfer),
    terminate() {
      ended = true;
      stop?.();
      channel.port1.close();
      channel.port2.close();
    },
  };
  channel.port1.onmessage = (event) => core.onmessage?.(event);
  import('./worker-host.js').then(({ serve }) => {
    if (!ended) stop = serve(channel.port2);
  }, (err) => {
    if (!ended) core.onerror?.({ message: err?.message ?? String(err), preventDefault() {} });
  });
  return core;
}
