// The tap areas over the preview's image, drawn and changed with the mouse (or a finger): drag on
// the image for a new area, drag an area to move it, drag a corner handle to resize it. Every
// gesture is shown live and handed to the editor only on release, in whole image pixels; the
// editor refuses an overlap and the area springs back. A focused area moves with the arrow keys
// and is removed with Delete; the numeric inputs in the area list do the rest without a mouse.
import { type KeyboardEvent, type PointerEvent, useRef, useState } from 'react';
import {
  boundsBetween,
  CORNERS,
  type Corner,
  clampPoint,
  MIN_DRAWN,
  moveBounds,
  oppositeCorner,
} from './rich-menu-areas.ts';
import type { Bounds } from './rich-menu-layouts.ts';

type Gesture =
  | { kind: 'draw'; start: { x: number; y: number }; current: Bounds }
  | { kind: 'move'; index: number; from: { x: number; y: number }; origin: Bounds; current: Bounds }
  | { kind: 'resize'; index: number; fixed: { x: number; y: number }; current: Bounds };

export interface RichMenuDrawingProps {
  width: number;
  height: number;
  areas: readonly Bounds[];
  /** A stable key per area (its index changes when an earlier one is deleted). */
  ids: readonly number[];
  /** What each area does, drawn on it ("A ショップ"), and its accessible name. */
  labels: readonly string[];
  names: readonly string[];
  selected: number | undefined;
  onSelect(index: number | undefined): void;
  /** Whether `bounds` may be area `index` (areas.length: a new one); drawn red while dragging if not. */
  allowed(index: number, bounds: Bounds): boolean;
  /** A finished gesture: the editor keeps it or says why not. */
  onCommit(index: number, bounds: Bounds): void;
  onDelete(index: number): void;
  surfaceLabel: string;
}

export function RichMenuDrawing(props: RichMenuDrawingProps) {
  const { width, height, areas, selected } = props;
  const surface = useRef<HTMLDivElement>(null);
  const [gesture, setGesture] = useState<Gesture>();
  const image = { width, height };

  /** The pointer in image pixels, rounded and kept on the image. */
  const at = (event: PointerEvent) => {
    const box = surface.current!.getBoundingClientRect();
    return clampPoint(
      ((event.clientX - box.left) / box.width) * width,
      ((event.clientY - box.top) / box.height) * height,
      image,
    );
  };

  const begin = (event: PointerEvent<HTMLDivElement>) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const point = at(event);
    const target = event.target as HTMLElement;
    const index = Number(target.closest<HTMLElement>('[data-area]')?.dataset.area ?? Number.NaN);
    const corner = target.dataset.corner as Corner | undefined;
    surface.current!.setPointerCapture(event.pointerId);
    const area = Number.isNaN(index) ? undefined : areas[index];
    if (area && corner) {
      setGesture({ kind: 'resize', index, fixed: oppositeCorner(area, corner), current: area });
    } else if (area) {
      props.onSelect(index);
      (target.closest('[data-area]') as HTMLElement | null)?.focus();
      setGesture({ kind: 'move', index, from: point, origin: area, current: area });
    } else {
      setGesture({ kind: 'draw', start: point, current: boundsBetween(point, point) });
    }
  };

  const drag = (event: PointerEvent<HTMLDivElement>) => {
    if (!gesture) return;
    const point = at(event);
    if (gesture.kind === 'draw') setGesture({ ...gesture, current: boundsBetween(gesture.start, point) });
    else if (gesture.kind === 'resize')
      setGesture({ ...gesture, current: boundsBetween(gesture.fixed, point) });
    else
      setGesture({
        ...gesture,
        current: moveBounds(gesture.origin, point.x - gesture.from.x, point.y - gesture.from.y, image),
      });
  };

  const end = () => {
    if (!gesture) return;
    setGesture(undefined);
    const { current } = gesture;
    if (gesture.kind === 'draw') {
      // A click on the bare image (no real drag) only clears the selection.
      if (current.width < MIN_DRAWN || current.height < MIN_DRAWN) return props.onSelect(undefined);
      return props.onCommit(areas.length, current);
    }
    const before = areas[gesture.index]!;
    if (current.width < 1 || current.height < 1) return;
    if (
      current.x !== before.x ||
      current.y !== before.y ||
      current.width !== before.width ||
      current.height !== before.height
    )
      props.onCommit(gesture.index, current);
  };

  const key = (index: number) => (event: KeyboardEvent<HTMLDivElement>) => {
    const area = areas[index]!;
    if (event.key === 'Delete' || event.key === 'Backspace') {
      event.preventDefault();
      return props.onDelete(index);
    }
    // Arrow keys move by 10 pixels, 1 with Shift.
    const step = event.shiftKey ? 1 : 10;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const moved = moveBounds(area, move[0], move[1], image);
    // At the image's edge the area cannot go further: nothing changed, nothing to commit.
    if (moved.x !== area.x || moved.y !== area.y) props.onCommit(index, moved);
  };

  const pct = (value: number, of: number) => `${(value / of) * 100}%`;
  const place = (b: Bounds) => ({
    left: pct(b.x, width),
    top: pct(b.y, height),
    width: pct(b.width, width),
    height: pct(b.height, height),
  });
  const live = gesture?.kind === 'draw' ? undefined : gesture;
  const newIndex = areas.length;
  return (
    // biome-ignore lint/a11y/useSemanticElements: a fieldset would announce a form; this groups the area buttons over the image
    <div
      ref={surface}
      className="kz-rm-surface"
      role="group"
      aria-label={props.surfaceLabel}
      onPointerDown={begin}
      onPointerMove={drag}
      onPointerUp={end}
      onPointerCancel={() => setGesture(undefined)}
    >
      {areas.map((stored, i) => {
        const bounds = live?.index === i ? live.current : stored;
        const bad = live?.index === i && !props.allowed(i, bounds);
        return (
          // biome-ignore lint/a11y/useSemanticElements: a positioned area with handles inside cannot be a <button>
          <div
            key={props.ids[i]}
            data-area={i}
            role="button"
            tabIndex={0}
            aria-pressed={selected === i}
            aria-label={props.names[i]}
            className={`kz-rm-area${selected === i ? ' kz-rm-area-selected' : ''}${bad ? ' kz-rm-area-bad' : ''}`}
            style={place(bounds)}
            onFocus={() => props.onSelect(i)}
            onKeyDown={key(i)}
          >
            <span>{props.labels[i]}</span>
            {selected === i &&
              CORNERS.map((corner) => (
                <i key={corner} data-corner={corner} className={`kz-rm-handle kz-rm-handle-${corner}`} />
              ))}
          </div>
        );
      })}
      {gesture?.kind === 'draw' && gesture.current.width > 0 && (
        <div
          className={`kz-rm-area kz-rm-area-drawing${props.allowed(newIndex, gesture.current) ? '' : ' kz-rm-area-bad'}`}
          style={place(gesture.current)}
          aria-hidden="true"
        />
      )}
    </div>
  );
}
