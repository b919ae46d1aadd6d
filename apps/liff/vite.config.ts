import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The LIFF app is served by the Kizuna server at `/liff/` (API under /v1 on the same origin), so
// its assets live under /liff/assets. No plugin: Vite's own transform handles JSX.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/liff/',
  logLevel: 'warn',
  build: { outDir: 'dist', emptyOutDir: true },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
