import { defineConfig } from 'vitest/config';

// One project per unit, so CI can run only the database-backed ones again on PostgreSQL
// (`./kizuna test --project server`).
//
// `isolate: false` (all but the browser projects): a worker runs file after file in one process
// instead of a new process per file, so the app's module graph is evaluated and PGlite's WASM
// compiled once per worker rather than once per file. Measured on 22 server files (PGlite,
// load ~15): 164 s of CPU with a process per file, 116 s without (-29%). Each file still gets its
// own database; vitest still resets mocks and vi.setConfig between files. A file must close what
// it opens (servers, pools, PGlite), since the next file runs in the same process.
export default defineConfig({
  test: {
    projects: [
      // The CLV tests spawn the bin and read large files: on a loaded 2-core machine a few take over
      // vitest's 5 s default, so they get the same generous bound as the server's.
      {
        test: {
          name: 'clv',
          root: 'packages/clv',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          isolate: false,
        },
      },
      {
        test: {
          name: 'line-sandbox',
          root: 'packages/line-sandbox',
          include: ['test/**/*.test.ts'],
          testTimeout: 60_000,
          isolate: false,
        },
      },
      // The repository's own scripts (the import cycle check) are tested on small temporary trees.
      { test: { name: 'scripts', root: 'scripts', include: ['test/**/*.test.ts'], isolate: false } },
      {
        test: {
          name: 'test-support',
          root: 'packages/test-support',
          include: ['test/**/*.test.ts'],
          isolate: false,
        },
      },
      // The web console in Debian's Chromium against the real server (one browser per file). Its
      // files start the server on a test database like the server's tests, so they share the
      // server's global setup; CI runs them once, on PGlite (they test pages, not SQL dialects).
      {
        test: {
          name: 'console',
          root: 'apps/console',
          include: ['test/**/*.test.ts'],
          globalSetup: ['../server/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // expect.poll gives up after 1 s by default: a lazily loaded page on the shared, loaded
          // 2-core machine takes longer to show its data (the customer list: 1.0–1.6 s at load 12–14).
          expect: { poll: { timeout: 15_000 } },
        },
      },
      // The LIFF member app in Chromium at a phone's size against the real server and the LINE
      // sandbox; like the console's, once, on PGlite.
      {
        test: {
          name: 'liff',
          root: 'apps/liff',
          include: ['test/**/*.test.ts'],
          globalSetup: ['../server/test/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'server',
          root: 'apps/server',
          include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
          globalSetup: ['test/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          isolate: false,
        },
      },
    ],
  },
});
