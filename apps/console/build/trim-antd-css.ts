/**
 * Ant Design's stylesheet without the components the console never renders (bench/console,
 * issue #16). `antd/dist/antd.css` (zero-runtime mode, main.tsx) holds every component's styles,
 * about 1 MB that Chromium parses on every load before the first paint, and whose attribute
 * selectors (`[class^="ant-cascader"]`) are tried against every element at each style recalc.
 *
 * A component is left out only when none of its code is in the build: the plugin fails the build
 * when a module under `antd/es/<folder>` of a trimmed component is bundled (someone started using
 * it), so its styles can never go missing silently.
 */
import type { Plugin } from 'vite';

/** The class roots trimmed (`.ant-<root>`, `.ant-<root>-…`), each with the antd/es folders that render it. */
export const UNUSED_ANTD: Readonly<Record<string, readonly string[]>> = {
  affix: ['affix'],
  anchor: ['anchor'],
  avatar: ['avatar'],
  badge: ['badge'],
  ribbon: ['badge'],
  breadcrumb: ['breadcrumb'],
  carousel: ['carousel'],
  cascader: ['cascader'],
  divider: ['divider'],
  'float-btn': ['float-button', 'back-top'],
  image: ['image'],
  masonry: ['masonry'],
  mentions: ['mentions'],
  qrcode: ['qr-code', 'qrcode'],
  rate: ['rate'],
  slider: ['slider'],
  splitter: ['splitter'],
  tour: ['tour'],
  transfer: ['transfer'],
  'tree-select': ['tree-select'],
  'select-tree': ['tree-select'],
  upload: ['upload'],
};

/** The end of the block that opens at `open` (a `{`), skipping strings and comments. */
function blockEnd(css: string, open: number): number {
  let depth = 0;
  for (let i = open; i < css.length; i++) {
    const c = css[i];
    if (c === '"' || c === "'") {
      i = css.indexOf(c, i + 1);
      if (i < 0) break;
    } else if (c === '/' && css[i + 1] === '*') {
      i = css.indexOf('*/', i + 2) + 1;
      if (i <= 0) break;
    } else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  throw new Error('trim-antd-css: unbalanced braces');
}

/** Splits at the commas that are not inside parentheses or strings. */
function splitSelectors(prelude: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  let quote = '';
  for (let i = 0; i < prelude.length; i++) {
    const c = prelude[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(prelude.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(prelude.slice(start));
  return parts;
}

/** The selector without what is inside parentheses: `:not(.ant-divider)` must not drop a rule. */
function outsideParentheses(selector: string): string {
  let out = '';
  let depth = 0;
  for (const c of selector) {
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0) out += c;
  }
  return out;
}

/** The stylesheet without the rules whose every selector names a class of a trimmed root. */
export function trimAntdCss(css: string, roots: readonly string[] = Object.keys(UNUSED_ANTD)): string {
  const unused = new RegExp(`[."]ant-(?:${roots.join('|')})(?![a-z0-9_])`);
  const filter = (text: string): string => {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const open = text.indexOf('{', i);
      const semicolon = text.indexOf(';', i);
      // A statement at-rule (@import, @charset) or the tail of the text.
      if (
        open < 0 ||
        (semicolon >= 0 && semicolon < open && text.slice(i, semicolon).trimStart().startsWith('@'))
      ) {
        const end = open < 0 ? text.length : semicolon + 1;
        out += text.slice(i, end);
        i = end;
        continue;
      }
      const close = blockEnd(text, open);
      const prelude = text.slice(i, open);
      const body = text.slice(open + 1, close);
      i = close + 1;
      const head = prelude.trim();
      if (/^@(media|supports|layer|container)\b/.test(head)) {
        const inner = filter(body);
        if (inner.trim()) out += `${prelude}{${inner}}`;
      } else if (head.startsWith('@')) {
        out += `${prelude}{${body}}`;
      } else {
        const kept = splitSelectors(prelude).filter((s) => !unused.test(outsideParentheses(s)));
        if (kept.length > 0) out += `${kept.join(',')}{${body}}`;
      }
    }
    return out;
  };
  return filter(css);
}

/** The Vite plugin: trims antd/dist/antd.css, and fails the build if a trimmed component is bundled. */
export function trimAntdCssPlugin(): Plugin {
  const folders = new Set(Object.values(UNUSED_ANTD).flat());
  return {
    name: 'kizuna-trim-antd-css',
    apply: 'build',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]antd[\\/]dist[\\/]antd\.css$/.test(id)) return null;
      return { code: trimAntdCss(code), map: null };
    },
    generateBundle(_options, bundle) {
      const used = new Set<string>();
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        for (const id of Object.keys(chunk.modules)) {
          const folder = /[\\/]antd[\\/](?:es|lib)[\\/]([a-z-]+)[\\/]/.exec(id)?.[1];
          if (folder && folders.has(folder)) used.add(folder);
        }
      }
      if (used.size > 0)
        this.error(
          `kizuna-trim-antd-css: the console now uses ${[...used].join(', ')} from Ant Design, whose styles ` +
            'build/trim-antd-css.ts leaves out: remove it from UNUSED_ANTD there.',
        );
    },
  };
}
