// The action of an action step as the step form shows it, both ways: a coupon, points, a tag, a
// customer attribute (顧客情報を設定: text, a number, true / false or empty), a rich menu linked or
// released. Pure; step-fields.ts puts it into the whole step's values.
import type { JourneyNodeView } from './definition-view.ts';

export type ActionKind =
  | 'grantCoupon'
  | 'addPoints'
  | 'addTag'
  | 'removeTag'
  | 'setAttribute'
  | 'linkRichMenu'
  | 'unlinkRichMenu';
export const ACTION_KINDS: readonly ActionKind[] = [
  'grantCoupon',
  'addPoints',
  'addTag',
  'removeTag',
  'setAttribute',
  'linkRichMenu',
  'unlinkRichMenu',
];
/** How a setAttribute's value is typed: text, a number, true / false, or empty (null). */
export type AttributeType = 'text' | 'number' | 'true' | 'false' | 'empty';

/** The action fields of the step form's values. */
export interface ActionValues {
  actionType?: ActionKind;
  couponId?: number;
  points?: number;
  tag?: string;
  attrName?: string;
  attrType?: AttributeType;
  attrText?: string;
  attrNumber?: number;
  richMenuId?: number;
}

type Action = NonNullable<JourneyNodeView['action']>;

export function actionValuesOf(a: Action): ActionValues {
  const values: ActionValues = { actionType: a.type as ActionKind };
  if (a.templateId !== undefined) values.couponId = a.templateId;
  if (a.points !== undefined) values.points = a.points;
  if (a.tag !== undefined) values.tag = a.tag;
  if (a.richMenuId !== undefined) values.richMenuId = a.richMenuId;
  if (a.type === 'setAttribute') {
    values.attrName = a.name ?? '';
    const v = a.value;
    if (typeof v === 'number') Object.assign(values, { attrType: 'number', attrNumber: v });
    else if (typeof v === 'boolean') values.attrType = v ? 'true' : 'false';
    else if (v === null || v === undefined) values.attrType = 'empty';
    else Object.assign(values, { attrType: 'text', attrText: v });
  }
  return values;
}

/** A setAttribute's value as the form typed it: a string, a number, true / false or null. */
function attributeValueOf(values: ActionValues): string | number | boolean | null {
  switch (values.attrType ?? 'text') {
    case 'number':
      return values.attrNumber ?? 0;
    case 'true':
      return true;
    case 'false':
      return false;
    case 'empty':
      return null;
    case 'text':
      return values.attrText ?? '';
  }
}

export function actionOf(values: ActionValues): Action {
  switch (values.actionType ?? 'addTag') {
    case 'grantCoupon':
      return { type: 'grantCoupon', templateId: values.couponId ?? 0 };
    case 'addPoints':
      return { type: 'addPoints', points: values.points ?? 0 };
    case 'addTag':
      return { type: 'addTag', tag: values.tag ?? '' };
    case 'removeTag':
      return { type: 'removeTag', tag: values.tag ?? '' };
    case 'setAttribute':
      return { type: 'setAttribute', name: (values.attrName ?? '').trim(), value: attributeValueOf(values) };
    case 'linkRichMenu':
      return { type: 'linkRichMenu', richMenuId: values.richMenuId ?? 0 };
    case 'unlinkRichMenu':
      return { type: 'unlinkRichMenu' };
  }
}
