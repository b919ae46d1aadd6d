// One cold load of a page in Chromium with a phone's CPU and network, measured inside the page:
// a fresh browser context (no cache, no connections), cache disabled, CPU throttled and the
// network shaped over CDP. The page reports "usable card" itself: the moment the member number
// and the QR's path are both in the DOM, taken at the next animation frame (the frame that
// paints them), in performance.now() milliseconds since navigation start.
import type { Browser } from 'playwright-core';

/** Chrome DevTools' presets (front_end/core/sdk/NetworkManager.ts): bytes/s and ms. */
export const NETWORK_PROFILES = {
  /** 9 Mbps down, 1.5 Mbps up, 60 ms RTT (× DevTools' 2.75 latency factor). */
  fast4g: {
    label: 'Fast 4G',
    downloadThroughput: ((9 * 1000 * 1000) / 8) * 0.9,
    uploadThroughput: ((1.5 * 1000 * 1000) / 8) * 0.9,
    latency: 60 * 2.75,
  },
  /** 1.6 Mbps down, 750 kbps up, 150 ms RTT (× 3.75): Lighthouse's mobile network. */
  slow4g: {
    label: 'Slow 4G',
    downloadThroughput: ((1.6 * 1000 * 1000) / 8) * 0.9,
    uploadThroughput: ((750 * 1000) / 8) * 0.9,
    latency: 150 * 3.75,
  },
} as const;
export type ProfileName = keyof typeof NETWORK_PROFILES;

export interface LoadTiming {
  /** Navigation start → the frame after the member number and the QR are both in the DOM. */
  readyMs: number;
  /** Navigation start → the HTML's last byte. */
  htmlMs: number;
  firstPaintMs: number | undefined;
  /** responseEnd of each request the page made, by a short name (js, css, mock, session, card). */
  resources: Record<string, number>;
  /** Bytes over the wire (transferSize) of every request, the document included. */
  bytes: number;
}

/**
 * Runs in the page before any of its scripts (addInitScript). Plain JavaScript in a string: the
 * bench's tsconfig has no DOM types, as for the browser tests.
 */
const measureScript = (idToken: string) => `
  globalThis.kizunaLiffMock = { idToken: ${JSON.stringify(idToken)} };
  const bench = (globalThis.__kizunaBench = { ready: 0 });
  const observer = new MutationObserver(() => {
    const memberNo = document.querySelector('[data-testid="member-no"]');
    if (!memberNo || !memberNo.textContent || !document.querySelector('svg[data-payload] path')) return;
    observer.disconnect();
    requestAnimationFrame(() => { bench.ready = performance.now(); });
  });
  observer.observe(document, { childList: true, subtree: true, characterData: true });
`;

/** Read in the page once the card is there: the navigation, paint and resource timings. */
const READ_TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const paint = performance.getEntriesByName('first-paint')[0];
  return {
    ready: globalThis.__kizunaBench.ready,
    html: nav.responseEnd,
    htmlBytes: nav.transferSize,
    firstPaint: paint ? paint.startTime : undefined,
    resources: performance.getEntriesByType('resource').map((r) => ({
      name: r.name, responseEnd: r.responseEnd, transferSize: r.transferSize,
    })),
  };
})()`;

interface RawTimings {
  ready: number;
  html: number;
  htmlBytes: number;
  firstPaint: number | undefined;
  resources: { name: string; responseEnd: number; transferSize: number }[];
}

/** A short name for a request the card page makes. */
function resourceName(url: string): string {
  const { pathname } = new URL(url);
  if (pathname === '/v1/liff/session') return 'session';
  if (pathname === '/v1/liff/me/card') return 'card';
  if (pathname.endsWith('.css')) return 'css';
  if (/\/assets\/index-[^/]+\.js$/.test(pathname)) return 'js';
  if (pathname.endsWith('.js')) return 'mock';
  return pathname;
}

/**
 * Loads `url` cold with the CPU slowed `cpuRate` times and the network shaped as `profile`, and
 * waits (up to 60 s) for the card.
 */
export async function coldLoad(
  browser: Browser,
  url: string,
  options: { profile: ProfileName; cpuRate: number; idToken: string },
): Promise<LoadTiming> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    reducedMotion: 'reduce',
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const cdp = await context.newCDPSession(page);
    const { label: _label, ...network } = NETWORK_PROFILES[options.profile];
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, ...network });
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: options.cpuRate });
    await page.addInitScript({ content: measureScript(options.idToken) });
    await page.goto(url, { waitUntil: 'commit' });
    // A function, not a string: the LIFF page's CSP has no 'unsafe-eval'.
    await page
      .waitForFunction(
        () => ((globalThis as { __kizunaBench?: { ready: number } }).__kizunaBench?.ready ?? 0) > 0,
        null,
        { timeout: 60_000, polling: 50 },
      )
      .catch(async (error: unknown) => {
        const text = await page
          .locator('body')
          .textContent()
          .catch(() => '');
        throw new Error(
          `${url}: no card within 60 s (page: ${(text ?? '').slice(0, 200)}; errors: ${errors.join('; ')})`,
          {
            cause: error,
          },
        );
      });
    const raw = await page.evaluate<RawTimings>(READ_TIMINGS);
    const resources: Record<string, number> = {};
    for (const r of raw.resources) resources[resourceName(r.name)] ??= r.responseEnd;
    return {
      readyMs: raw.ready,
      htmlMs: raw.html,
      firstPaintMs: raw.firstPaint,
      resources,
      bytes: raw.htmlBytes + raw.resources.reduce((sum, r) => sum + r.transferSize, 0),
    };
  } finally {
    await context.close();
  }
}
