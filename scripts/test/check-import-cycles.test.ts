import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkImportCycles } from '../check-import-cycles.ts';

const trees: string[] = [];

/** Writes a small tree of files (path → text) into a fresh temporary folder. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kizuna-cycles-'));
  trees.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('the import cycle check', () => {
  it('reports a three-file loop as a chain of files, type-only imports included', () => {
    const root = tree({
      'apps/app/src/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'apps/app/src/b.ts': "import type { C } from './c.ts';\nexport const b: C = 1;\n",
      'apps/app/src/c.ts': "export type C = number;\nexport { a } from './a.ts';\n",
    });
    expect(checkImportCycles(root)).toEqual([
      'apps/app/src/a.ts -> apps/app/src/b.ts -> apps/app/src/c.ts -> apps/app/src/a.ts',
    ]);
  });

  it('follows literal dynamic imports and workspace packages through their exports', () => {
    const root = tree({
      'packages/lib/package.json': JSON.stringify({
        name: '@x/lib',
        exports: { './tool': './src/tool.ts', './internal/*': './src/*.ts' },
      }),
      'packages/lib/src/tool.ts': "export const load = () => import('../../../bench/run.ts');\n",
      'packages/lib/src/deep/part.ts':
        "import { run } from '../../../../bench/other.ts';\nexport const part = run;\n",
      'bench/run.ts': "import { load } from '@x/lib/tool';\nexport const run = load;\n",
      'bench/other.ts': "import { part } from '@x/lib/internal/deep/part';\nexport const run = () => part;\n",
    });
    expect(checkImportCycles(root)).toEqual([
      'bench/other.ts -> packages/lib/src/deep/part.ts -> bench/other.ts',
      'bench/run.ts -> packages/lib/src/tool.ts -> bench/run.ts',
    ]);
  });

  it('passes a tree without loops, and ignores tests that import each other', () => {
    const root = tree({
      'apps/app/src/a.ts': "import { b } from './b.ts';\nexport const a = b;\n",
      'apps/app/src/b.ts': 'export const b = 1;\n',
      'apps/app/src/a.test.ts': "import { t } from './b.test.ts';\nexport const s = t;\n",
      'apps/app/src/b.test.ts': "import { s } from './a.test.ts';\nexport const t = s;\n",
    });
    expect(checkImportCycles(root)).toEqual([]);
  });
});
