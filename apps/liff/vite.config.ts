import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The LIFF app is served by the Kizuna server at `/liff/` (API under /v1 on the same origin), so
// its assets live under /liff/assets. No plugin: Vite's own transform handles JSX.
//
// The code is written against React's API (its types check it), and the bundle runs it on Preact's
// compatibility layer: the card must be usable within 1.5 s on a mid-range phone over 4G, and
// react-dom alone is most of the script such a phone parses before it can draw anything (see
// bench/liff/HISTORY.md, run 4). The app uses only function components and the basic hooks.
const preact = (path: string) => fileURLToPath(import.meta.resolve(path));
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/liff/',
  logLevel: 'warn',
  resolve: {
    alias: [
      { find: /^react$/, replacement: preact('preact/compat') },
      { find: /^react-dom\/client$/, replacement: preact('preact/compat/client') },
      { find: /^react-dom$/, replacement: preact('preact/compat') },
      { find: /^react\/jsx-runtime$/, replacement: preact('preact/jsx-runtime') },
      { find: /^react\/jsx-dev-runtime$/, replacement: preact('preact/jsx-dev-runtime') },
    ],
  },
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
