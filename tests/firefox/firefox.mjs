// SPDX-License-Identifier: MIT
// Launches Debian's Firefox ESR headless through puppeteer-core over WebDriver BiDi (playwright-core
// drives only its own patched Firefox), with a throwaway profile that never reaches past loopback.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';

export const FIREFOX = process.env.AVSEG_FIREFOX ?? '/usr/bin/firefox-esr';

// On top of puppeteer's own test profile (no app or add-on updates, no safe browsing, blocklist and
// health report pointed at a dummy host): the rest of what a fresh profile would fetch at startup.
export const FIREFOX_PREFS = {
  'media.autoplay.default': 0,                     // play() without a user gesture, as Chromium's flag does
  'media.autoplay.blocking_policy': 0,
  'app.update.auto': false,
  'app.update.enabled': false,
  'toolkit.telemetry.enabled': false,
  'toolkit.telemetry.unified': false,
  'toolkit.telemetry.server': '',
  'toolkit.telemetry.archive.enabled': false,
  'datareporting.usage.uploadEnabled': false,
  'browser.ping-centre.telemetry': false,
  'browser.newtabpage.activity-stream.telemetry': false,
  'browser.newtabpage.activity-stream.feeds.telemetry': false,
  'app.shield.optoutstudies.enabled': false,
  'app.normandy.enabled': false,
  // Remote settings: none at all. A release build honours this only under MOZ_DISABLE_NONLOCAL_CONNECTIONS.
  'services.settings.server': 'data:,#remote-settings-dummy/v1',
  'extensions.systemAddon.update.enabled': false,
  'extensions.blocklist.enabled': false,
  'browser.region.network.url': '',
  'browser.region.update.enabled': false,
  'browser.search.geoip.url': '',
  'network.captive-portal-service.enabled': false,
  'network.connectivity-service.enabled': false,
  'network.dns.disablePrefetch': true,
  'network.prefetch-next': false,
  'network.proxy.type': 0,
  'captivedetect.canonicalURL': '',
  'browser.topsites.contile.enabled': false,
  'browser.safebrowsing.provider.mozilla.updateURL': '',
  'media.gmp-gmpopenh264.enabled': false,          // H.264 comes from the system's FFmpeg, not a download
  'media.gmp-widevinecdm.enabled': false,
  'security.OCSP.enabled': 0,
  'security.remote_settings.crlite_filters.enabled': false,
  'security.remote_settings.intermediates.enabled': false,
  'identity.fxaccounts.enabled': false,
  'privacy.sanitize.sanitizeOnShutdown': false,
};

/** Firefox with a fresh profile; one per test file, a tab per test. */
export async function launchFirefox({ prefs = {} } = {}) {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), 'avseg-firefox-'));
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      protocol: 'webDriverBiDi',
      headless: true,
      userDataDir,
      extraPrefsFirefox: { ...FIREFOX_PREFS, ...prefs },
      defaultViewport: null,
      // Firefox's own test switch: connections to anything but loopback are refused, and the
      // remote settings server above is taken (a release build ignores it otherwise).
      env: { ...process.env, MOZ_DISABLE_NONLOCAL_CONNECTIONS: '1' },
      timeout: 60000,
    });
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    browser,
    userDataDir,
    newPage: () => browser.newPage(),
    async close() {
      try {
        // A browser that does not finish closing in time is killed: the file's end must not wait on it.
        let timer;
        const late = new Promise((resolve) => { timer = setTimeout(() => resolve('late'), 15000); });
        if (await Promise.race([browser.close().then(() => 'closed'), late]) === 'late') browser.process()?.kill('SIGKILL');
        clearTimeout(timer);
      } finally {
        await rm(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** Records console messages and uncaught page errors as {type, text, where} into the returned array. */
export function collectConsole(page) {
  const log = [];
  page.on('console', (msg) => {
    const { url, lineNumber } = msg.location() ?? {};
    log.push({ type: msg.type(), text: msg.text(), where: url ? `${url}:${lineNumber}` : '' });
  });
  page.on('pageerror', (err) => log.push({ type: 'pageerror', text: err.stack ?? String(err), where: '' }));
  return log;
}
