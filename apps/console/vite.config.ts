import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the Kizuna server at `/` (API under /v1), so assets are absolute.
// JSX goes through Vite's own transform (React's automatic runtime); no plugin is needed for a
// production build, and fast refresh is not worth a dependency for an admin app.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      // antd marks its modules "use client" for React Server Components; a browser bundle has
      // none, so the warning that the directive is dropped is noise.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
      output: {
        // Charts are heavy and needed only by the dashboard: keep them out of the first route's chunk.
        codeSplitting: { groups: [{ name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ }] },
      },
    },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
