// The area list beside the preview: per area its bounds as four numeric inputs in image pixels
// (the way to place an area without a mouse), its action, and a delete button; and a row that
// adds an area from typed numbers.
import { Button, Input, Select, Space, Typography } from 'antd';
import { type ReactNode, useEffect, useId, useState } from 'react';
import { useT } from '../i18n/locale.tsx';
import { editorMessages } from './messages.ts';
import { BOUNDS_FIELDS, type BoundsField } from './rich-menu-areas.ts';
import type { ActionType, AreaAction, Bounds } from './rich-menu-layouts.ts';

export const VALUE_LABEL = {
  uri: 'actionValueUri',
  message: 'actionValueMessage',
  postback: 'actionValuePostback',
} as const;

export const FIELD_LABEL = {
  x: 'boundsX',
  y: 'boundsY',
  width: 'boundsWidth',
  height: 'boundsHeight',
} as const;

/** A refusal: the message, and the field to mark (none: the whole area, e.g. an overlap). */
export interface BoundsRefusal {
  field?: BoundsField;
  message: string;
}

type Texts = Record<BoundsField, string>;
const EMPTY: Texts = { x: '', y: '', width: '', height: '' };
const textsOf = (b: Bounds): Texts => ({
  x: String(b.x),
  y: String(b.y),
  width: String(b.width),
  height: String(b.height),
});

/** Digits typed with a Japanese IME come full-width (１２０); they mean the same number. */
function parsePixels(text: string): number | 'empty' | 'invalid' {
  const plain = text
    .replace(/[０-９－]/g, (c) => (c === '－' ? '-' : String(c.charCodeAt(0) - 0xff10)))
    .trim();
  if (plain === '') return 'empty';
  return /^-?\d+$/.test(plain) ? Number(plain) : 'invalid';
}

/**
 * Four inputs for x, y, width and height. `submit` gets whole numbers and answers a refusal or
 * nothing; with `value` the inputs follow the area (moved with the mouse) and submit on blur or
 * Enter, without it they submit through `action`'s button and empty themselves afterwards.
 */
function PixelInputs({
  area,
  value,
  submit,
  action,
}: {
  area: string;
  value?: Bounds;
  submit(bounds: Bounds): BoundsRefusal | undefined;
  action?: (send: () => void) => ReactNode;
}) {
  const t = useT(editorMessages);
  const errorId = useId();
  const [texts, setTexts] = useState<Texts>(value ? textsOf(value) : EMPTY);
  const [refusal, setRefusal] = useState<BoundsRefusal>();
  const x = value?.x;
  const y = value?.y;
  const w = value?.width;
  const h = value?.height;
  useEffect(() => {
    if (x === undefined || y === undefined || w === undefined || h === undefined) return;
    setTexts(textsOf({ x, y, width: w, height: h }));
    setRefusal(undefined);
  }, [x, y, w, h]);

  const send = () => {
    const numbers: Partial<Bounds> = {};
    for (const field of BOUNDS_FIELDS) {
      const parsed = parsePixels(texts[field]);
      const name = { area, field: t(FIELD_LABEL[field]) };
      if (parsed === 'empty') return setRefusal({ field, message: t('pixelsRequired', name) });
      if (parsed === 'invalid') return setRefusal({ field, message: t('notWhole', name) });
      numbers[field] = parsed;
    }
    const bounds = numbers as Bounds;
    if (value && BOUNDS_FIELDS.every((f) => bounds[f] === value[f])) return setRefusal(undefined);
    const refused = submit(bounds);
    setRefusal(refused);
    if (!refused && !value) setTexts(EMPTY);
  };

  return (
    <div>
      <Space wrap align="end">
        {BOUNDS_FIELDS.map((field) => (
          <div key={field} className="kz-rm-px">
            <span aria-hidden="true">{t(FIELD_LABEL[field])}</span>
            <Input
              aria-label={t('boundsInput', { area, field: t(FIELD_LABEL[field]) })}
              aria-invalid={refusal && (refusal.field ?? field) === field ? true : undefined}
              aria-describedby={refusal ? errorId : undefined}
              status={refusal && (refusal.field ?? field) === field ? 'error' : undefined}
              inputMode="numeric"
              value={texts[field]}
              suffix="px"
              style={{ width: 104 }}
              onChange={(e) => setTexts((previous) => ({ ...previous, [field]: e.target.value }))}
              {...(value ? { onBlur: send } : {})}
              onPressEnter={(e) => {
                // Enter inside the rich menu's form would save the whole menu.
                e.preventDefault();
                send();
              }}
            />
          </div>
        ))}
        {action?.(send)}
      </Space>
      {refusal && (
        <Typography.Text id={errorId} type="danger" role="alert" className="kz-rm-refusal">
          {refusal.message}
        </Typography.Text>
      )}
    </div>
  );
}

export function AreaFields({
  area,
  bounds,
  action,
  selected,
  onBounds,
  onAction,
  onDelete,
  onSelect,
}: {
  /** "領域 A" */
  area: string;
  bounds: Bounds;
  action: AreaAction;
  selected: boolean;
  onBounds(bounds: Bounds): BoundsRefusal | undefined;
  onAction(patch: Partial<AreaAction>): void;
  onDelete(): void;
  onSelect(): void;
}) {
  const t = useT(editorMessages);
  return (
    <fieldset className={`kz-rm-fieldset${selected ? ' kz-rm-fieldset-selected' : ''}`} onFocus={onSelect}>
      <legend className="kz-rm-legend">{area}</legend>
      <Space direction="vertical" size="small" style={{ width: '100%' }}>
        <PixelInputs
          area={area}
          value={bounds}
          submit={onBounds}
          action={() => (
            <Button danger aria-label={t('deleteArea', { area })} onClick={onDelete}>
              {t('delete')}
            </Button>
          )}
        />
        <Space wrap align="start" style={{ width: '100%' }}>
          <Select<ActionType>
            aria-label={`${area} ${t('actionType')}`}
            value={action.type}
            style={{ width: 220 }}
            onChange={(type) => onAction({ type })}
            options={[
              { value: 'uri', label: t('actionUri') },
              { value: 'message', label: t('actionMessage') },
              { value: 'postback', label: t('actionPostback') },
            ]}
          />
          <Input
            aria-label={`${area} ${t('actionLabel')}`}
            placeholder={t('actionLabel')}
            maxLength={20}
            value={action.label}
            onChange={(e) => onAction({ label: e.target.value })}
            style={{ width: 180 }}
          />
          <Input
            aria-label={`${area} ${t(VALUE_LABEL[action.type])}`}
            placeholder={t(VALUE_LABEL[action.type])}
            maxLength={action.type === 'uri' ? 1000 : 300}
            value={action.value}
            onChange={(e) => onAction({ value: e.target.value })}
            style={{ width: 260 }}
          />
        </Space>
      </Space>
    </fieldset>
  );
}

/** A new area from typed numbers: the keyboard's way to draw. */
export function AddAreaFields({
  area,
  onAdd,
}: {
  area: string;
  onAdd(bounds: Bounds): BoundsRefusal | undefined;
}) {
  const t = useT(editorMessages);
  return (
    <fieldset className="kz-rm-fieldset kz-rm-fieldset-new">
      <legend className="kz-rm-legend">{t('addArea')}</legend>
      <PixelInputs
        area={area}
        submit={onAdd}
        action={(send) => <Button onClick={send}>{t('addAreaButton', { area })}</Button>}
      />
    </fieldset>
  );
}
