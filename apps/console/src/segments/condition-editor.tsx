// One condition of the rule tree, edited as a Japanese sentence of inputs: 購入 の 回数 が
// 直近 90 日 で 2 回 以上. Each kind keeps the JSON shape the server validates (rule-model.ts).
import { Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useLocale, useT } from '../i18n/locale.tsx';
import { builderMessages } from './builder-messages.ts';
import { JstDateIn, ListIn, NumberIn, Pick, TextIn } from './condition-inputs.tsx';
import { useStores } from './queries.ts';
import {
  COMPARISONS,
  type Comparison,
  type Condition,
  conditionKind,
  IDENTITIES,
  type ItemMatch,
  MEASURES,
  measureValueKind,
  type Op,
  PREDICTIONS,
  PROFILE_FIELDS,
  type ProfileField,
  PURCHASE_KEYS,
  PURCHASE_MEASURES,
  RFM_SCORES,
  SOURCES,
  VISIT_MENU_KEYS,
  VISIT_MENU_MEASURES,
  type Window,
} from './rule-model.ts';

type Edit<C> = { node: C; onChange(next: Condition): void };
type Of<K extends string> = Extract<Condition, Record<K, unknown>>;

const OPS_ALL: readonly Op[] = [...COMPARISONS, 'in', 'not_in', 'exists', 'not_exists'];
const MONTHS = Array.from({ length: 12 }, (_, i) => i + 1);

/** 「3 回 以上」 in Japanese, "at least 3" in English: the comparison reads in the user's order. */
function Compared({ op, value }: { op: ReactNode; value: ReactNode }) {
  const { lang } = useLocale();
  return (
    <span style={{ display: 'inline-flex', gap: 8, flexWrap: 'wrap' }}>
      {lang === 'ja' ? value : op}
      {lang === 'ja' ? op : value}
    </span>
  );
}

/** 全期間 or 直近 N 日: the optional `window`. */
function WindowIn({ value, onChange }: { value: Window | undefined; onChange(w: Window | undefined): void }) {
  const t = useT(builderMessages);
  return (
    <>
      <Pick
        label="window"
        prefix="window"
        labelOf={(k) => t(k === 'all' ? 'allTime' : 'lastDays')}
        keys={['all', 'days'] as const}
        value={value ? 'days' : 'all'}
        onChange={(k) => onChange(k === 'all' ? undefined : { days: value?.days ?? 90 })}
        width={120}
      />
      {value && (
        <NumberIn
          label="lastDays"
          unit="daysUnit"
          min={1}
          max={3660}
          value={value.days}
          onChange={(days) => onChange({ days })}
        />
      )}
    </>
  );
}

function AggregateEditor({ node, onChange }: Edit<Of<'aggregate'>>) {
  const a = node.aggregate;
  const kind = measureValueKind(a.measure);
  const presence = node.op === 'exists' || node.op === 'not_exists';
  const ops: readonly Op[] = kind === 'number' ? COMPARISONS : [...COMPARISONS, 'exists', 'not_exists'];
  const set = (patch: Partial<Of<'aggregate'>['aggregate']>, rest?: Partial<Of<'aggregate'>>) => {
    const aggregate = { ...a, ...patch };
    if (aggregate.of !== 'events') delete aggregate.type;
    if (aggregate.window === undefined) delete aggregate.window;
    onChange({ ...node, ...rest, aggregate });
  };
  const measures = a.of === 'events' ? MEASURES.filter((m) => m !== 'sum') : MEASURES;
  return (
    <>
      <Pick
        label="source"
        prefix="of"
        keys={SOURCES}
        value={a.of}
        onChange={(of) => set({ of }, of === 'events' && a.measure === 'sum' ? { value: 1 } : {})}
        width={100}
      />
      {a.of === 'events' && (
        <TextIn
          label="eventType"
          value={a.type ?? ''}
          onChange={(type) => set({ type: type || undefined })}
        />
      )}
      <Pick
        label="measure"
        prefix="measure"
        keys={measures}
        value={a.measure}
        onChange={(measure) => {
          const next = measureValueKind(measure);
          const value = next === 'date' ? new Date().toISOString() : next === 'days' ? 180 : 1;
          set({ measure }, { op: 'gte', value });
        }}
      />
      <WindowIn value={a.window} onChange={(window) => set({ window })} />
      <Compared
        op={
          <Pick
            label="operator"
            prefix="op"
            keys={ops}
            value={node.op}
            onChange={(op) => onChange({ ...node, op: op as Of<'aggregate'>['op'] })}
            width={120}
          />
        }
        value={
          !presence &&
          (kind === 'date' ? (
            <JstDateIn
              value={typeof node.value === 'string' ? node.value : undefined}
              onChange={(value) => onChange({ ...node, value })}
            />
          ) : (
            <NumberIn
              label="value"
              yen={a.measure === 'sum'}
              unit={a.measure === 'sum' ? 'yenUnit' : kind === 'days' ? 'daysUnit' : 'timesUnit'}
              value={typeof node.value === 'number' ? node.value : undefined}
              onChange={(value) => onChange({ ...node, value })}
            />
          ))
        }
      />
    </>
  );
}

/** `purchased` and `visitMenu`: match key and values, measure, window, comparison. */
function ItemEditor({
  node,
  onChange,
  kind,
}: Edit<Of<'purchased'> | Of<'visitMenu'>> & { kind: 'purchased' | 'visitMenu' }) {
  const match: ItemMatch =
    kind === 'purchased' ? (node as Of<'purchased'>).purchased : (node as Of<'visitMenu'>).visitMenu;
  const keys = kind === 'purchased' ? PURCHASE_KEYS : VISIT_MENU_KEYS;
  const measures = kind === 'purchased' ? PURCHASE_MEASURES : VISIT_MENU_MEASURES;
  const key = keys.find((k) => k in match) ?? keys[0];
  const raw = match[key];
  const values = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const measure = match.measure ?? measures[0];
  const set = (next: ItemMatch) => {
    const clean = Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as ItemMatch;
    onChange({ ...node, [kind]: clean } as Condition);
  };
  const base = { measure: match.measure, window: match.window };
  return (
    <>
      <Pick
        label="matchBy"
        prefix={kind}
        keys={keys}
        value={key}
        onChange={(k) => set({ ...base, [k]: values })}
        width={130}
      />
      <ListIn
        label="value"
        value={values}
        onChange={(v) => set({ ...base, [key]: v.length === 1 ? v[0] : v })}
      />
      <WindowIn value={match.window} onChange={(window) => set({ ...match, window })} />
      <Pick
        label="measure"
        prefix="pm"
        keys={measures}
        value={measure}
        onChange={(m) => set({ ...match, measure: m === measures[0] ? undefined : m })}
        width={120}
      />
      <Compared
        op={
          <Pick
            label="operator"
            prefix="op"
            keys={COMPARISONS}
            value={node.op}
            onChange={(op) => onChange({ ...node, op })}
            width={120}
          />
        }
        value={
          <NumberIn
            label="value"
            yen={measure === 'amount'}
            unit={measure === 'amount' ? 'yenUnit' : measure === 'quantity' ? 'itemsUnit' : 'timesUnit'}
            value={node.value}
            onChange={(value) => onChange({ ...node, value })}
          />
        }
      />
    </>
  );
}

function ProfileEditor({ node, onChange }: Edit<Of<'profile'>>) {
  const t = useT(builderMessages);
  const stores = useStores();
  const type = PROFILE_FIELDS[node.profile];
  const list = node.op === 'in' || node.op === 'not_in';
  const presence = node.op === 'exists' || node.op === 'not_exists';
  const ops: readonly Op[] =
    type === 'text' || type === 'store'
      ? ['in', 'not_in', 'eq', 'neq', 'exists', 'not_exists']
      : OPS_ALL.filter((o) => o !== 'in' && o !== 'not_in');
  const storeOptions = stores.data?.items.map((s) => ({
    value: String(s.id),
    label: `${s.name}（${s.code}）`,
  }));
  const field = (profile: ProfileField) => {
    const nextType = PROFILE_FIELDS[profile];
    onChange(
      nextType === 'date'
        ? { profile, op: 'gte', value: new Date().toISOString() }
        : { profile, op: 'in', value: [] },
    );
  };
  const listValue = Array.isArray(node.value) ? node.value : [];
  const asStore = (v: string[]) => (type === 'store' ? v.map(Number) : v);
  return (
    <>
      <Pick
        label="field"
        prefix="profile"
        keys={Object.keys(PROFILE_FIELDS) as ProfileField[]}
        value={node.profile}
        onChange={field}
      />
      <Pick
        label="operator"
        prefix="op"
        keys={ops}
        value={node.op}
        onChange={(op) =>
          onChange({
            ...node,
            op,
            value: op === 'in' || op === 'not_in' ? listValue : presence ? '' : node.value,
          })
        }
        width={140}
      />
      {presence ? null : type === 'date' ? (
        <JstDateIn
          value={typeof node.value === 'string' ? node.value : undefined}
          onChange={(value) => onChange({ ...node, value })}
        />
      ) : list ? (
        <ListIn
          label="value"
          value={listValue}
          options={type === 'store' ? storeOptions : undefined}
          onChange={(v) => onChange({ ...node, value: asStore(v) })}
        />
      ) : type === 'store' ? (
        <ListIn
          label="store"
          value={node.value === undefined ? [] : [String(node.value)]}
          options={storeOptions}
          onChange={(v) => onChange({ ...node, value: Number(v.at(-1)) })}
        />
      ) : (
        <TextIn
          label="value"
          value={String(node.value ?? '')}
          onChange={(value) => onChange({ ...node, value })}
        />
      )}
      {type === 'store' && stores.data?.items.length === 0 && (
        <Typography.Text type="secondary">{t('store')}: 0</Typography.Text>
      )}
    </>
  );
}

function AttributeEditor({ node, onChange }: Edit<Of<'attribute'>>) {
  const presence = node.op === 'exists' || node.op === 'not_exists';
  const list = node.op === 'in' || node.op === 'not_in';
  const listValue = Array.isArray(node.value) ? node.value : [];
  // A value that reads as a number compares as a number on the server (`rank >= 3`).
  const scalar = (s: string) => (s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s);
  return (
    <>
      <TextIn
        label="attributeKey"
        value={node.attribute}
        onChange={(attribute) => onChange({ ...node, attribute })}
      />
      <Pick
        label="operator"
        prefix="op"
        keys={OPS_ALL}
        value={node.op}
        onChange={(op) =>
          onChange({
            ...node,
            op,
            value: op === 'in' || op === 'not_in' ? listValue : presence ? '' : node.value,
          })
        }
        width={140}
      />
      {presence ? null : list ? (
        <ListIn
          label="value"
          value={listValue}
          onChange={(v) => onChange({ ...node, value: v.map(scalar) })}
        />
      ) : (
        <TextIn
          label="value"
          value={String(node.value ?? '')}
          onChange={(v) => onChange({ ...node, value: scalar(v) })}
        />
      )}
    </>
  );
}

function SimpleEditor({ node, onChange }: Edit<Condition>) {
  const t = useT(builderMessages);
  if ('tag' in node) return <TextIn label="tag" value={node.tag} onChange={(tag) => onChange({ tag })} />;
  if ('identity' in node)
    return (
      <Pick
        label="identity"
        prefix="identity"
        keys={IDENTITIES}
        value={node.identity}
        onChange={(identity) => onChange({ identity })}
        width={220}
      />
    );
  if ('consent' in node) {
    const c = node.consent;
    return (
      <>
        <Pick
          label="channel"
          prefix="channel"
          keys={['line', 'email'] as const}
          value={c.channel}
          onChange={(channel) => onChange({ consent: { ...c, channel } })}
          width={100}
        />
        <Pick
          label="purpose"
          prefix="purpose"
          keys={['marketing', 'transactional'] as const}
          value={c.purpose}
          onChange={(purpose) => onChange({ consent: { ...c, purpose } })}
        />
        <Pick
          label="status"
          prefix="status"
          keys={['granted', 'revoked', 'blocked'] as const}
          value={c.status as 'granted'}
          onChange={(status) => onChange({ consent: { ...c, status } })}
        />
      </>
    );
  }
  if ('interests' in node) {
    const mode = 'any' in node.interests ? 'any' : 'all';
    const list = 'any' in node.interests ? node.interests.any : node.interests.all;
    return (
      <>
        <Pick
          label="interestsMode"
          prefix="interests"
          keys={['any', 'all'] as const}
          value={mode}
          onChange={(m) => onChange({ interests: m === 'any' ? { any: list } : { all: list } })}
        />
        <ListIn
          label="value"
          value={list}
          onChange={(v) => onChange({ interests: mode === 'any' ? { any: v } : { all: v } })}
        />
      </>
    );
  }
  if ('birthday' in node) {
    const month = node.birthday === 'this_month' ? 0 : node.birthday.month;
    return (
      <Pick
        label="birthdayWhen"
        prefix="month"
        labelOf={(m) => (m === '0' ? t('thisMonth') : t('monthN', { n: m }))}
        keys={['0', ...MONTHS.map(String)]}
        value={String(month)}
        onChange={(m) => onChange({ birthday: m === '0' ? 'this_month' : { month: Number(m) } })}
        width={120}
      />
    );
  }
  if ('anniversary' in node)
    return (
      <Pick
        label="value"
        prefix="anniversary"
        keys={['this_month', 'today'] as const}
        value={node.anniversary}
        onChange={(anniversary) => onChange({ anniversary })}
        width={240}
      />
    );
  if ('rfm' in node)
    return (
      <>
        <Pick
          label="rfmScore"
          prefix="rfm"
          keys={RFM_SCORES}
          value={node.rfm}
          onChange={(rfm) => onChange({ ...node, rfm })}
        />
        <Pick
          label="operator"
          prefix="op"
          keys={COMPARISONS}
          value={node.op}
          onChange={(op: Comparison) => onChange({ ...node, op })}
          width={120}
        />
        <NumberIn
          label="value"
          min={1}
          max={5}
          value={node.value}
          onChange={(value) => onChange({ ...node, value })}
        />
        <Typography.Text type="secondary">{t('rfmHint')}</Typography.Text>
      </>
    );
  if ('prediction' in node)
    return (
      <>
        <Pick
          label="prediction"
          prefix="prediction"
          keys={PREDICTIONS}
          value={node.prediction}
          onChange={(prediction) => onChange({ ...node, prediction })}
          width={260}
        />
        <Pick
          label="operator"
          prefix="op"
          keys={COMPARISONS}
          value={node.op}
          onChange={(op: Comparison) => onChange({ ...node, op })}
          width={120}
        />
        <NumberIn
          label="value"
          yen={node.prediction === 'predicted_clv'}
          step={node.prediction === 'p_alive' ? 0.05 : 1}
          max={node.prediction === 'p_alive' ? 1 : node.prediction === 'clv_percentile' ? 100 : undefined}
          value={node.value}
          onChange={(value) => onChange({ ...node, value })}
        />
      </>
    );
  return null;
}

/** The inputs of one condition, whatever its kind. */
export function ConditionEditor({ node, onChange }: Edit<Condition>) {
  const kind = conditionKind(node);
  return (
    <Space wrap size="small" align="center">
      {kind === 'aggregate' ? (
        <AggregateEditor node={node as Of<'aggregate'>} onChange={onChange} />
      ) : kind === 'purchased' || kind === 'visitMenu' ? (
        <ItemEditor node={node as Of<'purchased'>} onChange={onChange} kind={kind} />
      ) : kind === 'profile' ? (
        <ProfileEditor node={node as Of<'profile'>} onChange={onChange} />
      ) : kind === 'attribute' ? (
        <AttributeEditor node={node as Of<'attribute'>} onChange={onChange} />
      ) : (
        <SimpleEditor node={node} onChange={onChange} />
      )}
    </Space>
  );
}
