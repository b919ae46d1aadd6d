// Ant Design's stylesheet without the components the console never renders (build/trim-antd-css.ts,
// bench/console): the trimmed components' rules go, every other rule stays byte for byte.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { trimAntdCss, UNUSED_ANTD } from '../build/trim-antd-css.ts';

describe("trimming Ant Design's stylesheet", () => {
  it('drops the selectors of trimmed roots, keeps :not() and other rules, recurses into @media', () => {
    const css =
      '.a{x:1}.ant-divider,.b{y:2}@media (max-width:1px){.ant-badge{z:1}.c{w:1}}' +
      '.ant-space-item:not(.ant-divider){a:b}.ant-badge-status{c:d}.ant-list-item-meta-avatar{e:f}' +
      '.x [class^="ant-cascader"]{g:h}@keyframes k{0%{a:b}}.ant-tree{t:1}.ant-select-tree{s:1}';
    expect(trimAntdCss(css)).toBe(
      '.a{x:1}.b{y:2}@media (max-width:1px){.c{w:1}}.ant-space-item:not(.ant-divider){a:b}' +
        '.ant-list-item-meta-avatar{e:f}@keyframes k{0%{a:b}}.ant-tree{t:1}',
    );
  });

  it("leaves antd.css unchanged with nothing to trim, and keeps every rule of the console's components", () => {
    const file = createRequire(import.meta.url).resolve('antd/dist/antd.css');
    const css = readFileSync(file, 'utf8');
    expect(trimAntdCss(css, ['no-such-root'])).toBe(css);
    const trimmed = trimAntdCss(css);
    expect(trimmed.length).toBeLessThan(css.length * 0.9);
    // Outside parentheses: `:not(.ant-divider)` and `:has(> .ant-rate)` stay, as in the first test.
    let outside = trimmed;
    for (let before = ''; before !== outside; ) {
      before = outside;
      outside = outside.replace(/\([^()]*\)/g, '');
    }
    for (const root of Object.keys(UNUSED_ANTD))
      expect(outside).not.toMatch(new RegExp(`\\.ant-${root}[-{ ,:.>+~[]`));
    // Every selector of a component the console renders stays, unless it also names a trimmed
    // component (`.ant-transfer-customize-list .ant-table-wrapper`): counted selector by selector.
    const trimmedRoot = new RegExp(`\\.ant-(?:${Object.keys(UNUSED_ANTD).join('|')})(?![a-z0-9_])`);
    const selectors = (text: string) =>
      (text.match(/[^{}]+\{/g) ?? [])
        .filter((s) => !s.startsWith('@'))
        .flatMap((s) => s.slice(0, -1).split(','));
    for (const cls of [
      '.ant-btn',
      '.ant-table',
      '.ant-statistic',
      '.ant-menu',
      '.ant-picker',
      '.ant-typography',
    ]) {
      const expected = selectors(css).filter(
        (s) => s.includes(cls) && !trimmedRoot.test(s.replace(/\([^()]*\)/g, '')),
      );
      expect(selectors(trimmed).filter((s) => s.includes(cls)).length, cls).toBe(expected.length);
    }
  });
});
