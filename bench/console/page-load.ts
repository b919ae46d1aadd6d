// One cold load of a console page in Chromium, measured inside the page: a fresh browser context
// (no HTTP cache, no open connections) holding only the session cookie, the cache disabled over
// CDP as well. A script the page runs before its own watches the DOM; each condition's time is
// taken at the animation frame after it first holds (the frame that paints it), in
// performance.now() milliseconds since navigation start. Nothing is added to the console for it.
import type { Browser } from 'playwright-core';

/** What "the data shown" means on each page, as DOM conditions (plain JavaScript, run in the page). */
export const PAGES = {
  dashboard: {
    path: '/',
    /**
     * figures: the headline's first figure (顧客数) reads the expected customer count;
     * complete: no section is still loading and the three charts (retention, RFM, segment sizes)
     * have their canvas.
     */
    conditions: (expected: string) => ({
      figures: `(() => {
        const v = document.querySelector('.ant-statistic-content-value');
        return !!v && v.textContent === ${JSON.stringify(expected)};
      })()`,
      complete: `(() => !!document.querySelector('.ant-statistic-content-value')
        && !document.querySelector('main [role="status"] .ant-spin')
        && document.querySelectorAll('main canvas').length >= 3)()`,
    }),
  },
  customers: {
    path: '/customers',
    /** rows: the first page's 50 rows are in the table, the first one naming a customer. */
    conditions: (_expected: string) => ({
      rows: `(() => {
        const rows = document.querySelectorAll('tbody tr.ant-table-row');
        return rows.length === 50 && !!rows[0].querySelector('a[href^="/customers/"]')?.textContent;
      })()`,
    }),
  },
} as const;
export type PageName = keyof typeof PAGES;

export interface LoadTiming {
  /** Navigation start → the frame after each condition first held. */
  marks: Record<string, number>;
  /** Navigation start → the HTML's last byte. */
  htmlMs: number;
  /** startTime (sent) and responseEnd (answered) of each API call the page made, by path (the first of each). */
  api: Record<string, { sent: number; answered: number }>;
  /** When the page sent its first API call (the session check): its scripts had run by then. */
  firstCallMs: number;
  /**
   * The first route's JavaScript: scripts requested before the first of the page's data arrived
   * (what it needed to render and ask for the data), gzip as served, by file name.
   */
  firstJs: Record<string, number>;
  /** Every script the load fetched up to the last condition (ECharts is fetched after the data). */
  allJs: Record<string, number>;
  /**
   * The renderer's main-thread time over the load, read over CDP (Performance.getMetrics) once
   * every condition held, in ms: all its tasks, and the parts running script and laying out.
   */
  mainThread: { tasks: number; script: number; layout: number };
  /** With `profile`, the renderer's CPU profile over the load (CDP Profiler), for profile.ts. */
  profile?: CpuProfile;
  /** With `profile`: every script and API call of the load, sent → answered, by start. */
  waterfall?: { name: string; sent: number; answered: number }[];
}

/** The parts of a CDP Profiler.Profile that profile.ts reads. */
export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

const measureScript = (conditions: Record<string, string>) => `
  const bench = (globalThis.__kizunaBench = { marks: {}, pending: ${Object.keys(conditions).length} });
  const checks = { ${Object.entries(conditions)
    .map(([name, code]) => `${JSON.stringify(name)}: () => ${code}`)
    .join(', ')} };
  const seen = new Set();
  const check = () => {
    for (const [name, holds] of Object.entries(checks)) {
      if (seen.has(name) || !holds()) continue;
      seen.add(name);
      requestAnimationFrame(() => { bench.marks[name] = performance.now(); bench.pending -= 1; });
    }
    if (seen.size === Object.keys(checks).length) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document, { childList: true, subtree: true, characterData: true, attributes: true });
`;

const READ_TIMINGS = `(() => {
  const nav = performance.getEntriesByType('navigation')[0];
  return {
    marks: globalThis.__kizunaBench.marks,
    html: nav.responseEnd,
    resources: performance.getEntriesByType('resource').map((r) => ({
      name: r.name, startTime: r.startTime, responseEnd: r.responseEnd, encodedBodySize: r.encodedBodySize,
    })),
  };
})()`;

interface RawTimings {
  marks: Record<string, number>;
  html: number;
  resources: { name: string; startTime: number; responseEnd: number; encodedBodySize: number }[];
}

/** Loads `url` cold with the session cookie, and waits (up to 60 s) until every condition held. */
export async function coldLoad(
  browser: Browser,
  url: string,
  options: { page: PageName; expected: string; cookie: { name: string; value: string }; profile?: boolean },
): Promise<LoadTiming> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 800 },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    reducedMotion: 'reduce',
  });
  try {
    await context.addCookies([{ ...options.cookie, url }]);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Performance.enable');
    const conditions: Record<string, string> = PAGES[options.page].conditions(options.expected);
    await page.addInitScript({ content: measureScript(conditions) });
    if (options.profile) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      await cdp.send('Profiler.start');
    }
    await page.goto(url, { waitUntil: 'commit' });
    // A function, not a string: the console's CSP has no 'unsafe-eval'.
    await page
      .waitForFunction(
        () => ((globalThis as { __kizunaBench?: { pending: number } }).__kizunaBench?.pending ?? 1) === 0,
        null,
        { timeout: 60_000, polling: 50 },
      )
      .catch(async (error: unknown) => {
        const text = await page
          .locator('body')
          .textContent()
          .catch(() => '');
        throw new Error(
          `${url}: the data was not shown within 60 s (page: ${(text ?? '').slice(0, 300)}; errors: ${errors.join('; ')})`,
          { cause: error },
        );
      });
    const { metrics } = await cdp.send('Performance.getMetrics');
    const profile = options.profile ? ((await cdp.send('Profiler.stop')).profile as CpuProfile) : undefined;
    const metric = (name: string) => 1000 * (metrics.find((m) => m.name === name)?.value ?? Number.NaN);
    const raw = await page.evaluate<RawTimings>(READ_TIMINGS);
    const last = Math.max(...Object.values(raw.marks));
    const api: LoadTiming['api'] = {};
    let firstCallMs = Number.POSITIVE_INFINITY;
    let firstData = Number.POSITIVE_INFINITY;
    for (const r of raw.resources) {
      const { pathname } = new URL(r.name);
      if (!pathname.startsWith('/v1/')) continue;
      api[pathname] ??= { sent: r.startTime, answered: r.responseEnd };
      firstCallMs = Math.min(firstCallMs, r.startTime);
      if (pathname !== '/v1/auth/session') firstData = Math.min(firstData, r.responseEnd);
    }
    const scripts = (keep: (r: RawTimings['resources'][number]) => boolean) =>
      Object.fromEntries(
        raw.resources
          .filter((r) => new URL(r.name).pathname.endsWith('.js') && keep(r))
          .map((r) => [new URL(r.name).pathname.replace(/^.*\//, ''), r.encodedBodySize]),
      );
    return {
      marks: raw.marks,
      htmlMs: raw.html,
      api,
      firstCallMs,
      firstJs: scripts((r) => r.startTime < firstData),
      allJs: scripts((r) => r.responseEnd <= last),
      mainThread: {
        tasks: metric('TaskDuration'),
        script: metric('ScriptDuration'),
        layout: metric('LayoutDuration') + metric('RecalcStyleDuration'),
      },
      ...(profile
        ? {
            profile,
            waterfall: raw.resources
              .filter((r) => /\.js$|\/v1\//.test(new URL(r.name).pathname))
              .map((r) => ({
                name: r.name.replace(/^.*\/(assets|v1)\//, ''),
                sent: r.startTime,
                answered: r.responseEnd,
              }))
              .sort((a, b) => a.sent - b.sent),
          }
        : {}),
    };
  } finally {
    await context.close();
  }
}
