// Small labelled inputs the condition editor is made of. Each carries an aria-label, so a screen
// reader and a keyboard user know which part of the sentence it fills.
import { Input, InputNumber, Select } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { type BuilderKey, builderMessages } from './builder-messages.ts';
import { isoToJstDay, jstDayToIso } from './rule-model.ts';

/** A choice among keys whose labels are `${prefix}.${key}` in the builder's messages. */
export function Pick<K extends string>(props: {
  label: BuilderKey;
  prefix: string;
  keys: readonly K[];
  value: K;
  onChange(value: K): void;
  width?: number;
  /** Labels other than `${prefix}.${key}` (months, for one). */
  labelOf?: (key: K) => string;
}) {
  const t = useT(builderMessages);
  const labelOf = props.labelOf ?? ((k: K) => t(`${props.prefix}.${k}` as BuilderKey));
  return (
    <Select<K>
      aria-label={t(props.label)}
      style={{ minWidth: props.width ?? 160 }}
      popupMatchSelectWidth={false}
      value={props.value}
      onChange={props.onChange}
      options={props.keys.map((k) => ({ value: k, label: labelOf(k) }))}
    />
  );
}

/** A number with its unit (円, 日, 回); yen get thousands separators while typing. */
export function NumberIn(props: {
  label: BuilderKey;
  value: number | undefined;
  onChange(value: number): void;
  unit?: BuilderKey;
  yen?: boolean;
  min?: number;
  max?: number;
  step?: number;
}) {
  const t = useT(builderMessages);
  return (
    <InputNumber<number>
      aria-label={t(props.label)}
      style={{ width: props.yen ? 150 : 120 }}
      value={props.value}
      min={props.min ?? 0}
      max={props.max}
      step={props.step ?? 1}
      suffix={props.unit ? t(props.unit) : undefined}
      formatter={props.yen ? (v) => `${v ?? ''}`.replace(/\B(?=(\d{3})+(?!\d))/g, ',') : undefined}
      parser={props.yen ? (v) => Number((v ?? '').replace(/[^\d.-]/g, '')) : undefined}
      onChange={(v) => {
        if (typeof v === 'number' && Number.isFinite(v)) props.onChange(v);
      }}
    />
  );
}

/** Several free values (SKUs, categories, tags, prefectures): type and press Enter. */
export function ListIn(props: {
  label: BuilderKey;
  value: readonly (string | number)[];
  onChange(value: string[]): void;
  options?: { value: string; label: string }[];
}) {
  const t = useT(builderMessages);
  return (
    <Select<string[]>
      aria-label={t(props.label)}
      mode={props.options ? 'multiple' : 'tags'}
      style={{ minWidth: 240 }}
      placeholder={t('valuesHint')}
      value={props.value.map(String)}
      onChange={props.onChange}
      options={props.options}
      tokenSeparators={[',', '、']}
      open={props.options ? undefined : false}
    />
  );
}

export function TextIn(props: { label: BuilderKey; value: string; onChange(value: string): void }) {
  const t = useT(builderMessages);
  return (
    <Input
      aria-label={t(props.label)}
      style={{ width: 200 }}
      value={props.value}
      maxLength={200}
      onChange={(e) => props.onChange(e.target.value)}
    />
  );
}

/** A calendar day in Japan time; the rule gets the instant that day starts in JST. */
export function JstDateIn(props: { value: string | undefined; onChange(iso: string): void }) {
  const t = useT(builderMessages);
  return (
    <Input
      type="date"
      aria-label={t('dateJst')}
      style={{ width: 170 }}
      value={props.value ? isoToJstDay(props.value) : ''}
      onChange={(e) => {
        if (e.target.value) props.onChange(jstDayToIso(e.target.value));
      }}
    />
  );
}
