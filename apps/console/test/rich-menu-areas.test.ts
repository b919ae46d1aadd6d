// The rules a drawn or typed tap area must meet, without a browser: whole pixels inside the
// image, no overlap (touching is fine), at most LINE's 20 areas.
import { describe, expect, it } from 'vitest';
import {
  boundsBetween,
  boundsProblem,
  clampPoint,
  MAX_AREAS,
  moveBounds,
  oppositeCorner,
  overlaps,
} from '../src/line/rich-menu-areas.ts';

const LARGE = { width: 2500, height: 1686 };
const COMPACT = { width: 2500, height: 843 };

describe('rich menu area geometry', () => {
  it('rounds a pointer to whole pixels and keeps it on the image', () => {
    expect(clampPoint(10.4, 20.6, LARGE)).toEqual({ x: 10, y: 21 });
    expect(clampPoint(-30, 2000, LARGE)).toEqual({ x: 0, y: 1686 });
    expect(clampPoint(2600.2, 900, COMPACT)).toEqual({ x: 2500, y: 843 });
  });

  it('makes the same rectangle whichever way the drag went', () => {
    const forwards = boundsBetween({ x: 100, y: 200 }, { x: 400, y: 260 });
    expect(forwards).toEqual({ x: 100, y: 200, width: 300, height: 60 });
    expect(boundsBetween({ x: 400, y: 260 }, { x: 100, y: 200 })).toEqual(forwards);
  });

  it('moves an area no further than the image edge, keeping its size', () => {
    const area = { x: 2000, y: 100, width: 400, height: 300 };
    expect(moveBounds(area, 500, -500, LARGE)).toEqual({ x: 2100, y: 0, width: 400, height: 300 });
    expect(moveBounds(area, -10.6, 20.4, LARGE)).toEqual({ x: 1989, y: 120, width: 400, height: 300 });
  });

  it('resizes from the corner across from the handle', () => {
    const area = { x: 100, y: 200, width: 300, height: 400 };
    expect(oppositeCorner(area, 'se')).toEqual({ x: 100, y: 200 });
    expect(oppositeCorner(area, 'nw')).toEqual({ x: 400, y: 600 });
    expect(oppositeCorner(area, 'ne')).toEqual({ x: 100, y: 600 });
    expect(oppositeCorner(area, 'sw')).toEqual({ x: 400, y: 200 });
  });

  it('lets areas touch but not share a pixel', () => {
    const left = { x: 0, y: 0, width: 833, height: 843 };
    expect(overlaps(left, { x: 833, y: 0, width: 834, height: 843 })).toBe(false);
    expect(overlaps(left, { x: 832, y: 842, width: 10, height: 10 })).toBe(true);
    expect(overlaps(left, { x: 0, y: 843, width: 833, height: 843 })).toBe(false);
  });

  it('names the field to change: off the image, not whole, too small', () => {
    const ok = { x: 0, y: 0, width: 2500, height: 843 };
    expect(boundsProblem(ok, 0, [], COMPACT)).toBeUndefined();
    expect(boundsProblem({ ...ok, width: 2501 }, 0, [], COMPACT)).toEqual({
      field: 'width',
      reason: 'outside',
      max: 2500,
    });
    expect(boundsProblem({ ...ok, x: 100, width: 2500 }, 0, [], COMPACT)).toMatchObject({
      field: 'width',
      max: 2400,
    });
    expect(boundsProblem({ ...ok, y: 843 }, 0, [], COMPACT)).toMatchObject({ field: 'y', reason: 'outside' });
    expect(boundsProblem({ ...ok, x: -1 }, 0, [], COMPACT)).toMatchObject({ field: 'x', reason: 'outside' });
    expect(boundsProblem({ ...ok, height: 10.5 }, 0, [], COMPACT)).toMatchObject({
      field: 'height',
      reason: 'notWhole',
    });
    expect(boundsProblem({ ...ok, height: 0 }, 0, [], COMPACT)).toMatchObject({
      field: 'height',
      reason: 'tooSmall',
    });
  });

  it('refuses an overlap naming the other area, but not with the area itself', () => {
    const areas = [
      { x: 0, y: 0, width: 1000, height: 800 },
      { x: 1000, y: 0, width: 1500, height: 800 },
    ];
    expect(boundsProblem({ x: 900, y: 700, width: 500, height: 500 }, 2, areas, LARGE)).toEqual({
      reason: 'overlap',
      other: 0,
    });
    // Area 1 grown over area 0's right edge overlaps 0; moved within its own old place it does not.
    expect(boundsProblem({ x: 999, y: 0, width: 1501, height: 800 }, 1, areas, LARGE)).toEqual({
      reason: 'overlap',
      other: 0,
    });
    expect(boundsProblem({ x: 1100, y: 10, width: 1000, height: 700 }, 1, areas, LARGE)).toBeUndefined();
  });

  it("refuses a 21st area (LINE's limit)", () => {
    const twenty = Array.from({ length: MAX_AREAS }, (_, i) => ({
      x: i * 100,
      y: 0,
      width: 100,
      height: 100,
    }));
    expect(boundsProblem({ x: 0, y: 500, width: 100, height: 100 }, 20, twenty, LARGE)).toEqual({
      reason: 'tooMany',
      max: 20,
    });
    expect(boundsProblem({ x: 0, y: 500, width: 100, height: 100 }, 19, twenty, LARGE)).toBeUndefined();
  });
});
