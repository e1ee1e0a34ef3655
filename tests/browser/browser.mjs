// SPDX-License-Identifier: MIT
// Launches Debian's Chromium headless with a throwaway profile, for the browser tests.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.AVSEG_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

// playwright-core only accepts a caller-chosen user-data-dir through launchPersistentContext,
// so the browser is a single persistent context.
export async function launchBrowser() {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'avseg-chromium-'));
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    context,
    userDataDir,
    newPage: () => context.newPage(),
    async close() {
      try {
        await context.close();
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Records console messages and uncaught page errors as {type, text} into the returned array. */
export function collectConsole(page) {
  const log = [];
  page.on('console', (msg) => {
    const { url, lineNumber } = msg.location();
    log.push({ type: msg.type(), text: msg.text(), where: url ? `${url}:${lineNumber}` : '' });
  });
  page.on('pageerror', (err) => log.push({ type: 'pageerror', text: err.stack ?? String(err), where: '' }));
  page.on('crash', () => log.push({ type: 'crash', text: 'page crashed', where: '' }));
  return log;
}
