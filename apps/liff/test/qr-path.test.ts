// The card's QR is drawn from the server's modules: the path must cover exactly the dark ones.
import qrcode from 'qrcode-generator';
import { describe, expect, it } from 'vitest';
import { modulesPath } from '../src/card/qr-modules.ts';

/** The cells a path of `M x y h w v1 h-w z` rectangles fills, quiet zone removed. */
function filled(path: string, size: number): string[] {
  const grid = Array.from({ length: size }, () => Array<string>(size).fill('0'));
  for (const [, x, y, w, back] of path.matchAll(/M(\d+) (\d+)h(\d+)v1h-(\d+)z/g)) {
    expect(back).toBe(w);
    for (let i = 0; i < Number(w); i++) {
      const row = grid[Number(y) - 4] as string[];
      expect(row[Number(x) - 4 + i]).toBe('0'); // no cell drawn twice
      row[Number(x) - 4 + i] = '1';
    }
  }
  expect(path.replace(/M\d+ \d+h\d+v1h-\d+z/g, '')).toBe('');
  return grid.map((row) => row.join(''));
}

describe('the QR path', () => {
  it('fills exactly the dark modules, a rectangle per run', () => {
    for (const payload of ['K1', 'kzc1.0123456789abcdef.ABCDEFGHIJKLMNOPQRSTUVWXYZ_-abcdefghijklmnop']) {
      const qr = qrcode(0, 'M');
      qr.addData(payload);
      qr.make();
      const n = qr.getModuleCount();
      const rows = Array.from({ length: n }, (_, r) =>
        Array.from({ length: n }, (_, c) => (qr.isDark(r, c) ? '1' : '0')).join(''),
      );
      const path = modulesPath(rows);
      expect(filled(path, n)).toEqual(rows);
      const runs = rows.reduce((sum, row) => sum + (row.match(/1+/g)?.length ?? 0), 0);
      expect(path.match(/M/g)?.length).toBe(runs);
    }
    expect(modulesPath(['0000', '0110', '1111', '1001'])).toBe(
      'M5 5h2v1h-2zM4 6h4v1h-4zM4 7h1v1h-1zM7 7h1v1h-1z',
    );
  });
});
