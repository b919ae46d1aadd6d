// Debian's Chromium driven by playwright-core, with axe-core and screenshots, for the console's
// browser tests. One browser per test file: launching is the slow part.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../test-results/screenshots/', import.meta.url));

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Errors the page logged or threw (a CSP refusal shows up here). */
  errors: string[];
  /**
   * Resolves once no request of the page (or of its frames) has been in flight for `quietMs`.
   * Playwright's `waitForLoadState('networkidle')` is a lifecycle event of the page's document:
   * once a sandboxed `srcdoc` frame (a mail preview) has been on the page, that event may never
   * come for the rest of the document's life, even after the frame is gone.
   */
  networkQuiet(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Chromium at 1280×800 with a fresh profile, Japanese locale and Japan's time zone. */
export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'kizuna-chromium-'));
  // A persistent context is Playwright's way to hand Chromium a --user-data-dir of our own.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1280, height: 800 },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    // The console then skips Ant Design's animations: axe and screenshots see settled pages.
    reducedMotion: 'reduce',
  });
  const page = context.pages()[0] ?? (await context.newPage());
  // Fail in seconds, not Playwright's 30 s, when something never shows up.
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const networkQuiet = watchNetwork(page);
  return {
    context,
    page,
    errors,
    networkQuiet,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Counts the page's requests in flight (its frames' too), for `Browser.networkQuiet`. */
export function watchNetwork(page: Page): Browser['networkQuiet'] {
  const inFlight = new Set<unknown>();
  let lastChange = Date.now();
  const settle = (request: unknown) => {
    inFlight.delete(request);
    lastChange = Date.now();
  };
  page.on('request', (request) => {
    inFlight.add(request);
    lastChange = Date.now();
  });
  page.on('requestfinished', settle);
  page.on('requestfailed', settle);
  return async (quietMs = 500) => {
    const giveUpAt = Date.now() + 15_000;
    while (inFlight.size > 0 || Date.now() - lastChange < quietMs) {
      if (Date.now() > giveUpAt)
        throw new Error(
          `the page's network did not go quiet for ${quietMs} ms within 15 s (${inFlight.size} in flight)`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core over the page and returns the serious and critical violations. The script goes in
 * through the DevTools protocol (evaluate), which the console's CSP does not apply to: the page
 * itself allows no inline script.
 */
export async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => ({ target: n.target })),
    }));
}

/** Saves a 1280×800 screenshot under apps/console/test-results/screenshots/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}
