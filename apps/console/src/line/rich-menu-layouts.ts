// Rich menu sizes and the tap-area templates LINE Official Account Manager offers, and the
// editor's state (areas from a template or drawn by hand) turned into LINE's richmenu object.
// Pure functions: the editor and its tests share them.

export type MenuSize = 'large' | 'compact';

export const SIZES: Record<MenuSize, { width: number; height: number }> = {
  large: { width: 2500, height: 1686 },
  compact: { width: 2500, height: 843 },
};

/** One area as fractions of the menu: [x, y, width, height] in sixths (columns) and halves/wholes (rows). */
type Cell = readonly [x: number, y: number, w: number, h: number];

export interface Layout {
  id: string;
  size: MenuSize;
  /** Columns and rows of the grid the cells are drawn on. */
  grid: readonly [columns: number, rows: number];
  cells: readonly Cell[];
}

export const LAYOUTS: readonly Layout[] = [
  {
    id: 'large-6',
    size: 'large',
    grid: [3, 2],
    cells: [
      [0, 0, 1, 1],
      [1, 0, 1, 1],
      [2, 0, 1, 1],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
      [2, 1, 1, 1],
    ],
  },
  {
    id: 'large-4',
    size: 'large',
    grid: [2, 2],
    cells: [
      [0, 0, 1, 1],
      [1, 0, 1, 1],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
    ],
  },
  {
    id: 'large-3',
    size: 'large',
    grid: [2, 2],
    cells: [
      [0, 0, 2, 1],
      [0, 1, 1, 1],
      [1, 1, 1, 1],
    ],
  },
  {
    id: 'large-2',
    size: 'large',
    grid: [2, 1],
    cells: [
      [0, 0, 1, 1],
      [1, 0, 1, 1],
    ],
  },
  { id: 'large-1', size: 'large', grid: [1, 1], cells: [[0, 0, 1, 1]] },
  {
    id: 'compact-3',
    size: 'compact',
    grid: [3, 1],
    cells: [
      [0, 0, 1, 1],
      [1, 0, 1, 1],
      [2, 0, 1, 1],
    ],
  },
  {
    id: 'compact-2',
    size: 'compact',
    grid: [2, 1],
    cells: [
      [0, 0, 1, 1],
      [1, 0, 1, 1],
    ],
  },
  { id: 'compact-1', size: 'compact', grid: [1, 1], cells: [[0, 0, 1, 1]] },
];

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * The areas of a layout in the menu's pixels. Edges are rounded once per grid line, so
 * neighbouring areas meet exactly and the last one ends at the image's edge (2500 / 3 is not whole).
 */
export function layoutBounds(layout: Layout): Bounds[] {
  const { width, height } = SIZES[layout.size];
  const [columns, rows] = layout.grid;
  const xAt = (c: number) => Math.round((width * c) / columns);
  const yAt = (r: number) => Math.round((height * r) / rows);
  return layout.cells.map(([x, y, w, h]) => ({
    x: xAt(x),
    y: yAt(y),
    width: xAt(x + w) - xAt(x),
    height: yAt(y + h) - yAt(y),
  }));
}

export type ActionType = 'uri' | 'message' | 'postback';

export interface AreaAction {
  type: ActionType;
  label: string;
  /** The URL, the message text or the postback data, by type. */
  value: string;
}

/** One tap area of the draft: where it is on the image and what a tap does. */
export interface DraftArea {
  bounds: Bounds;
  action: AreaAction;
}

export interface MenuDraft {
  name: string;
  chatBarText: string;
  selected: boolean;
  size: MenuSize;
  areas: readonly DraftArea[];
}

/** One letter per area, up to LINE's 20. */
export const AREA_LABELS = 'ABCDEFGHIJKLMNOPQRST'.split('');

export function areaLabel(index: number): string {
  return AREA_LABELS[index] ?? String(index + 1);
}

export function layoutById(id: string): Layout {
  const layout = LAYOUTS.find((l) => l.id === id);
  if (!layout) throw new Error(`unknown rich menu layout ${id}`);
  return layout;
}

/** The action object LINE expects for one area (a label is optional in a rich menu). */
function lineAction(action: AreaAction): Record<string, string> {
  const label: Record<string, string> = action.label.trim() ? { label: action.label.trim() } : {};
  if (action.type === 'uri') return { type: 'uri', ...label, uri: action.value.trim() };
  if (action.type === 'message') return { type: 'message', ...label, text: action.value };
  return {
    type: 'postback',
    ...label,
    data: action.value,
    ...(action.label.trim() ? { displayText: action.label.trim() } : {}),
  };
}

/** LINE's richmenu object for `POST /v1/line/channels/:channelId/rich-menus`. */
export function richMenuDefinition(draft: MenuDraft) {
  return {
    size: SIZES[draft.size],
    selected: draft.selected,
    name: draft.name.trim(),
    chatBarText: draft.chatBarText.trim(),
    areas: draft.areas.map(({ bounds, action }) => ({ bounds: { ...bounds }, action: lineAction(action) })),
  };
}

const URI = /^(https?:\/\/|tel:|line:\/\/)\S+$/;

/** The first problem with the draft's actions, naming the area, or undefined when all are usable. */
export function actionProblem(action: AreaAction): 'valueRequired' | 'uriInvalid' | undefined {
  if (!action.value.trim()) return 'valueRequired';
  if (action.type === 'uri' && !URI.test(action.value.trim())) return 'uriInvalid';
  return undefined;
}

/** Width and height from a PNG's IHDR or a JPEG's SOF marker (what LINE checks), or undefined. */
export function imageSize(bytes: Uint8Array): { width: number; height: number } | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length >= 24 && view.getUint32(0) === 0x89504e47)
    return { width: view.getUint32(16), height: view.getUint32(20) };
  if (bytes.length < 4 || view.getUint16(0) !== 0xffd8) return undefined;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return undefined;
    const marker = bytes[at + 1]!;
    const length = view.getUint16(at + 2);
    // SOF0–SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame's size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc)
      return { height: view.getUint16(at + 5), width: view.getUint16(at + 7) };
    at += 2 + length;
  }
  return undefined;
}
