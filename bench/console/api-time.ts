// The API's own time for what a console page asks for, from Node over loopback with the same
// session cookie: the baseline each browser load is compared with.
import type { PageName } from './page-load.ts';

/** The calls each page makes after the session check (apps/console/src/…/queries.ts). */
export const PAGE_CALLS: Record<PageName, string[]> = {
  dashboard: [
    '/v1/analytics/overview',
    '/v1/analytics/forecast',
    '/v1/analytics/retention',
    '/v1/analytics/rfm',
    '/v1/segments',
  ],
  customers: ['/v1/customers?limit=50'],
};

export interface ApiTiming {
  /** GET /v1/auth/session, then the page's calls side by side (as the page sends them), in ms. */
  criticalPath: number;
  /** Each call alone (request → parsed JSON), in ms. */
  calls: Record<string, number>;
}

async function get(base: string, path: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(base + path, { headers });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  await res.json();
}

async function time(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Times the page's calls: first as the page sends them, then each one alone. */
export async function timeApi(
  base: string,
  page: PageName,
  headers: Record<string, string>,
): Promise<ApiTiming> {
  const paths = PAGE_CALLS[page];
  const criticalPath = await time(async () => {
    await get(base, '/v1/auth/session', headers);
    await Promise.all(paths.map((path) => get(base, path, headers)));
  });
  const calls: Record<string, number> = {};
  calls['/v1/auth/session'] = await time(() => get(base, '/v1/auth/session', headers));
  for (const path of paths) calls[path] = await time(() => get(base, path, headers));
  return { criticalPath, calls };
}
