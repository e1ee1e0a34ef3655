// SPDX-License-Identifier: MIT
// Started by probe.js from the asset host's own URL: a worker without blob:.
postMessage('avseg-diagnostics-worker');
