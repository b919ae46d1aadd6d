import {
  isObject,
  type Problems,
  requireArray,
  requireHttpsUrl,
  requireObject,
  requireString,
} from './validate.ts';
import { validateAction } from './validate-action.ts';

/** Checks a template message's `template` (buttons, confirm, carousel, image_carousel) against LINE's limits. */
export function validateTemplate(p: Problems, template: unknown, at: string): void {
  if (!requireObject(p, template, at)) return;
  switch (template.type) {
    case 'buttons': {
      const hasTitleOrImage = template.title !== undefined || template.thumbnailImageUrl !== undefined;
      requireString(p, template.text, `${at}.text`, 1, hasTitleOrImage ? 60 : 160);
      if (template.title !== undefined) requireString(p, template.title, `${at}.title`, 1, 40);
      if (template.thumbnailImageUrl !== undefined)
        requireHttpsUrl(p, template.thumbnailImageUrl, `${at}.thumbnailImageUrl`);
      validateActions(p, template.actions, `${at}.actions`, 1, 4);
      return;
    }
    case 'confirm':
      requireString(p, template.text, `${at}.text`, 1, 240);
      validateActions(p, template.actions, `${at}.actions`, 2, 2);
      return;
    case 'carousel':
      if (!requireArray(p, template.columns, `${at}.columns`, 1, 10)) return;
      template.columns.forEach((column, i) => {
        const c = `${at}.columns[${i}]`;
        if (!requireObject(p, column, c)) return;
        const hasTitleOrImage = column.title !== undefined || column.thumbnailImageUrl !== undefined;
        requireString(p, column.text, `${c}.text`, 1, hasTitleOrImage ? 60 : 120);
        if (column.title !== undefined) requireString(p, column.title, `${c}.title`, 1, 40);
        validateActions(p, column.actions, `${c}.actions`, 1, 3);
      });
      if (!sameActionCounts(template.columns))
        p.add(`${at}.columns`, 'every column must have the same number of actions');
      return;
    case 'image_carousel':
      if (!requireArray(p, template.columns, `${at}.columns`, 1, 10)) return;
      template.columns.forEach((column, i) => {
        const c = `${at}.columns[${i}]`;
        if (!requireObject(p, column, c)) return;
        requireHttpsUrl(p, column.imageUrl, `${c}.imageUrl`);
        validateAction(p, column.action, `${c}.action`);
      });
      return;
    default:
      p.add(`${at}.type`, template.type === undefined ? 'must be specified' : 'unsupported template type');
  }
}

function validateActions(p: Problems, actions: unknown, at: string, min: number, max: number): void {
  if (!requireArray(p, actions, at, min, max)) return;
  actions.forEach((a, i) => {
    validateAction(p, a, `${at}[${i}]`, true);
  });
}

function sameActionCounts(columns: unknown[]): boolean {
  const counts = new Set(
    columns.map((c) => (isObject(c) && Array.isArray(c.actions) ? c.actions.length : -1)),
  );
  return counts.size <= 1;
}
