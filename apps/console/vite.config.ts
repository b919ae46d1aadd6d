import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { trimAntdCssPlugin } from './build/trim-antd-css.ts';

/**
 * `<link rel="modulepreload">` in index.html for the chunks every screen runs first (React, Ant
 * Design's core, the app: `app/start.tsx`) and the shell's (`app/shell.tsx`), with everything they
 * import. The entry imports them dynamically (app/first-load.ts asks for the session first), so
 * without these the browser would only start fetching them once the entry had run.
 */
function preloadFirstChunks(sources: readonly string[]): Plugin {
  return {
    name: 'kizuna-preload-first-chunks',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, { bundle }) {
        if (!bundle) return [];
        const seen = new Set<string>();
        const files: string[] = [];
        const add = (file: string) => {
          const chunk = bundle[file];
          if (chunk?.type !== 'chunk' || seen.has(file)) return;
          seen.add(file);
          // The entry is in the page already (its script tag).
          if (!chunk.isEntry) files.push(file);
          for (const imported of chunk.imports) add(imported);
        };
        for (const [file, chunk] of Object.entries(bundle))
          if (chunk.type === 'chunk' && sources.some((s) => chunk.facadeModuleId?.endsWith(s))) add(file);
        return files.map((file) => ({
          tag: 'link',
          attrs: { rel: 'modulepreload', crossorigin: '', href: `/${file}` },
          injectTo: 'head' as const,
        }));
      },
    },
  };
}

/**
 * The entry's script made `async`. A module script is otherwise deferred, and a deferred script
 * runs only once the stylesheets before it have loaded and been parsed (Ant Design's, about 1 MB):
 * the first-load module (main.tsx) asked for the session and the page's data only after that,
 * 150 ms after navigation start on a quiet machine (bench/console run 7). The stylesheet still
 * blocks the first paint; start.tsx waits for the body if the entry runs before it is parsed.
 */
function asyncEntry(): Plugin {
  return {
    name: 'kizuna-async-entry',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html) {
        const entry = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"><\/script>/;
        if (!entry.test(html))
          throw new Error("kizuna-async-entry: the entry's script tag was not found in index.html");
        return html.replace(entry, '<script type="module" async crossorigin src="$1"></script>');
      },
    },
  };
}

// The console is served by the Kizuna server at `/` (API under /v1), so assets are absolute.
// JSX goes through Vite's own transform (React's automatic runtime); no plugin is needed for a
// production build, and fast refresh is not worth a dependency for an admin app.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  logLevel: 'warn',
  plugins: [
    preloadFirstChunks(['/src/app/start.tsx', '/src/app/shell.tsx']),
    asyncEntry(),
    trimAntdCssPlugin(),
  ],
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
