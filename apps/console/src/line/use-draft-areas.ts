// The editor's tap areas: from a template or drawn, each with its action, and the one selected.
// Every change goes through placeArea, which refuses what LINE or the owner would regret
// (rich-menu-areas.ts) with a message naming the area and the field.
import { useState } from 'react';
import { useT } from '../i18n/locale.tsx';
import { editorMessages } from './messages.ts';
import { type BoundsRefusal, FIELD_LABEL } from './rich-menu-area-fields.tsx';
import { type BoundsProblem, boundsProblem } from './rich-menu-areas.ts';
import {
  type AreaAction,
  areaLabel,
  type Bounds,
  type DraftArea,
  layoutBounds,
  layoutById,
  type MenuSize,
  SIZES,
} from './rich-menu-layouts.ts';

/** The template choice that means "no template": the owner draws the areas. */
export const FREE = 'free';

/** An area of the editor: a stable id keeps its inputs and focus when an earlier area goes. */
export type EditorArea = DraftArea & { id: number };
let nextAreaId = 1;
const blankAction = (): AreaAction => ({ type: 'uri', label: '', value: '' });

/** A template's areas, each keeping the action the area at its place had. */
function templateAreas(layoutId: string, previous: readonly EditorArea[] = []): EditorArea[] {
  return layoutBounds(layoutById(layoutId)).map((bounds, i) => ({
    id: nextAreaId++,
    bounds,
    action: previous[i]?.action ?? blankAction(),
  }));
}

/** The areas of a menu of `size`, starting from its six-area template. */
export function useDraftAreas(size: MenuSize) {
  const t = useT(editorMessages);
  const [layoutId, setLayoutId] = useState('large-6');
  const [areas, setAreas] = useState<EditorArea[]>(() => templateAreas('large-6'));
  const [selected, setSelected] = useState<number>();
  const [drawError, setDrawError] = useState<string>();
  const { width, height } = SIZES[size];
  const bounds = areas.map((a) => a.bounds);

  const chooseLayout = (id: string) => {
    setLayoutId(id);
    setAreas((previous) => (id === FREE ? [] : templateAreas(id, previous)));
    setSelected(undefined);
    setDrawError(undefined);
  };
  const setAction = (i: number, patch: Partial<AreaAction>) =>
    setAreas((previous) =>
      previous.map((a, k) => (k === i ? { ...a, action: { ...a.action, ...patch } } : a)),
    );

  const areaName = (i: number) => t('area', { label: areaLabel(i) });
  const refusalOf = (problem: BoundsProblem, i: number): BoundsRefusal => {
    if (problem.reason === 'tooMany') return { message: t('tooMany', { max: problem.max }) };
    if (problem.reason === 'overlap')
      return { message: t('overlap', { area: areaName(i), other: areaName(problem.other) }) };
    const field = t(FIELD_LABEL[problem.field]);
    return {
      field: problem.field,
      message: t(problem.reason, { area: areaName(i), field, max: problem.max }),
    };
  };
  /** Area i (areas.length: a new one) at `next`, or why not. Any change leaves the template behind. */
  const placeArea = (i: number, next: Bounds): BoundsRefusal | undefined => {
    // A refusal under the preview is about the last gesture only: a newer try replaces it.
    setDrawError(undefined);
    const problem = boundsProblem(next, i, bounds, { width, height });
    if (problem) return refusalOf(problem, i);
    setAreas((previous) =>
      i === previous.length
        ? [...previous, { id: nextAreaId++, bounds: next, action: blankAction() }]
        : previous.map((a, k) => (k === i ? { ...a, bounds: next } : a)),
    );
    setLayoutId(FREE);
    setSelected(i);
    return undefined;
  };
  const deleteArea = (i: number) => {
    setAreas((previous) => previous.filter((_, k) => k !== i));
    setLayoutId(FREE);
    setSelected(undefined);
    setDrawError(undefined);
  };

  return {
    layoutId,
    areas,
    bounds,
    selected,
    setSelected,
    drawError,
    setDrawError,
    chooseLayout,
    setAction,
    areaName,
    placeArea,
    deleteArea,
  };
}
