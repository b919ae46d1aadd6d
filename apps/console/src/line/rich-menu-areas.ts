// Tap areas drawn by hand: whole pixels of the menu image, inside it, never overlapping (LINE
// takes the first area that contains a tap, so an overlap makes part of a later area dead, which
// shop owners cannot see). Pure functions: the drawing surface, the numeric inputs and the tests
// share them.
import type { Bounds } from './rich-menu-layouts.ts';

/** LINE's limit on areas per rich menu (shared/line-platform.md §4). */
export const MAX_AREAS = 20;
/** A drag shorter than this (image pixels) is a click that selects, not a new area. */
export const MIN_DRAWN = 24;

export type BoundsField = 'x' | 'y' | 'width' | 'height';
export const BOUNDS_FIELDS: readonly BoundsField[] = ['x', 'y', 'width', 'height'];

export type BoundsProblem =
  | { field: BoundsField; reason: 'notWhole' | 'tooSmall' | 'outside'; max: number }
  | { field?: undefined; reason: 'overlap'; other: number }
  | { field?: undefined; reason: 'tooMany'; max: number };

/** Rounds to whole pixels and keeps the point on the image (0..width, 0..height). */
export function clampPoint(x: number, y: number, image: { width: number; height: number }) {
  return {
    x: Math.min(image.width, Math.max(0, Math.round(x))),
    y: Math.min(image.height, Math.max(0, Math.round(y))),
  };
}

/** The rectangle between two corners, whichever way the drag went. */
export function boundsBetween(a: { x: number; y: number }, b: { x: number; y: number }): Bounds {
  return {
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    width: Math.abs(a.x - b.x),
    height: Math.abs(a.y - b.y),
  };
}

/** The area moved by (dx, dy) image pixels, stopped at the image's edges, its size kept. */
export function moveBounds(bounds: Bounds, dx: number, dy: number, image: { width: number; height: number }) {
  return {
    ...bounds,
    x: Math.min(image.width - bounds.width, Math.max(0, Math.round(bounds.x + dx))),
    y: Math.min(image.height - bounds.height, Math.max(0, Math.round(bounds.y + dy))),
  };
}

export type Corner = 'nw' | 'ne' | 'sw' | 'se';
export const CORNERS: readonly Corner[] = ['nw', 'ne', 'sw', 'se'];

/** The corner across from `corner`: it stays put while `corner` is dragged. */
export function oppositeCorner(bounds: Bounds, corner: Corner): { x: number; y: number } {
  return {
    x: corner.endsWith('w') ? bounds.x + bounds.width : bounds.x,
    y: corner.startsWith('n') ? bounds.y + bounds.height : bounds.y,
  };
}

/** True when the two areas share at least one pixel (touching edges do not). */
export function overlaps(a: Bounds, b: Bounds): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * What is wrong with `bounds` as area number `index` among `areas` (index = areas.length for a
 * new one), or undefined. The field named first is the one the owner should change.
 */
export function boundsProblem(
  bounds: Bounds,
  index: number,
  areas: readonly Bounds[],
  image: { width: number; height: number },
): BoundsProblem | undefined {
  if (index >= MAX_AREAS) return { reason: 'tooMany', max: MAX_AREAS };
  for (const field of BOUNDS_FIELDS) {
    if (!Number.isInteger(bounds[field])) return { field, reason: 'notWhole', max: 0 };
  }
  if (bounds.x < 0 || bounds.x >= image.width) return { field: 'x', reason: 'outside', max: image.width - 1 };
  if (bounds.y < 0 || bounds.y >= image.height)
    return { field: 'y', reason: 'outside', max: image.height - 1 };
  if (bounds.width < 1) return { field: 'width', reason: 'tooSmall', max: image.width - bounds.x };
  if (bounds.height < 1) return { field: 'height', reason: 'tooSmall', max: image.height - bounds.y };
  if (bounds.x + bounds.width > image.width)
    return { field: 'width', reason: 'outside', max: image.width - bounds.x };
  if (bounds.y + bounds.height > image.height)
    return { field: 'height', reason: 'outside', max: image.height - bounds.y };
  const other = areas.findIndex((area, i) => i !== index && overlaps(area, bounds));
  if (other >= 0) return { reason: 'overlap', other };
  return undefined;
}
