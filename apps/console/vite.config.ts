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
      // @rc-component/form declares no sideEffects in its package.json, so its index (which Ant
      // Design's form context, read by every input and select, imports for FormProvider alone)
      // would drag the whole form store into the first route. Its modules only define components
      // and functions: nothing runs on import.
      treeshake: {
        moduleSideEffects: (id: string) => !/node_modules[\\/]@rc-component[\\/]form[\\/]/.test(id),
      },
      output: {
        // Charts are heavy and needed only by the dashboard: keep them out of the first route's chunk.
        codeSplitting: {
          groups: [
            { name: 'echarts', test: /node_modules[\\/](echarts|zrender)/ },
            // Forms (the field store and validation) are for the pages that edit: out of the shared
            // chunk the dashboard and the list load first. The contexts that Ant Design's config
            // provider, inputs and selects read stay with them (they hold no form code). Hazard:
            // rc-form's index must stay in this group with Form.js: it calls forwardRef(Form) when
            // it runs, and from another chunk it ran before Form was defined (a blank console).
            {
              name: 'form',
              includeDependenciesRecursively: false,
              test: (id: string) =>
                /node_modules[\\/](@rc-component[\\/](form|async-validator)|antd[\\/]es[\\/]form)[\\/]/.test(
                  id,
                ) &&
                !/(antd[\\/]es[\\/]form[\\/](context|validateMessagesContext|hooks[\\/]useVariants)|@rc-component[\\/]form[\\/]es[\\/](FormContext|FieldContext|ListContext))\.js$/.test(
                  id,
                ),
            },
          ],
        },
      },
    },
  },
  server: { proxy: { '/v1': 'http://127.0.0.1:3000' } },
});
