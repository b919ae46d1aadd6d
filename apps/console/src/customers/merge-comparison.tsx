// The merge preview side by side: this customer, the duplicate, and what the survivor will hold.
import { Table, Tag, Typography } from 'antd';
import type { ReactNode } from 'react';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { formatDate, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { customerEditMessages } from './edit-messages.ts';
import { customerMessages } from './messages.ts';
import { formatPhone, fullName } from './names.ts';
import type { MergePreview } from './queries.ts';

type Profile = MergePreview['survivor'];
interface Row {
  key: string;
  label: string;
  cells: [ReactNode, ReactNode, ReactNode];
}

/** Rows counted per table: the declared tables whose rows a shop owner recognises. */
const COUNTED = [
  ['rowOrders', 'customer_order'],
  ['rowVisits', 'visit'],
  ['rowCoupons', 'coupon'],
  ['rowStampCards', 'stamp_card'],
  ['rowLineFriends', 'line_friend'],
] as const;

export function MergeComparison({ preview, selfId }: { preview: MergePreview; selfId: number }) {
  const t = useT(customerEditMessages);
  const c = useT(customerMessages);
  const { lang } = useLocale();
  // Columns: this customer first, then the duplicate, whichever of them survives.
  const self = preview.customers.find((x) => x.id === selfId) ?? preview.customers[0]!;
  const other = preview.customers.find((x) => x.id !== self.id) ?? preview.customers[1]!;
  const ids = [self.id, other.id] as const;
  const gender = (g: string | null) =>
    g === 'female'
      ? c('genderFemale')
      : g === 'male'
        ? c('genderMale')
        : g === 'other'
          ? c('genderOther')
          : g === 'unanswered'
            ? c('genderUnanswered')
            : '—';
  const source = (field: string) => preview.sources.find((s) => s.field === field)?.customerId;
  const profileRow = (key: string, label: string, show: (p: Profile) => string, field: string): Row => {
    const from = source(field);
    const cell = (p: Profile, id: number) => (
      <span>
        {show(p) || '—'}{' '}
        {from === id && preview.customers.length > 1 && (
          <Typography.Text type="secondary">{t('wins')}</Typography.Text>
        )}
      </span>
    );
    return { key, label, cells: [cell(self, self.id), cell(other, other.id), show(preview.survivor) || '—'] };
  };
  const tags = (list: string[]) => (list.length ? list.map((x) => <Tag key={x}>{x}</Tag>) : '—');
  const identities = (list: Profile['identities']) =>
    list.map((i) => (
      <div key={`${i.kind}/${i.namespace}/${i.value}`}>
        <Tag>
          {i.kind === 'external'
            ? i.namespace
            : i.kind === 'line'
              ? 'LINE'
              : c(i.kind === 'email' ? 'idEmail' : 'idPhone')}
        </Tag>
        {i.kind === 'phone' ? formatPhone(i.value) : i.value}
      </div>
    ));
  const count = (table: string, id: number) =>
    preview.tables.find((x) => x.table === table)?.counts.find((n) => n.customerId === id)?.rows ?? 0;
  const points = preview.figures.find((f) => f.name === 'points');
  const pointsOf = (id: number) => points?.byCustomer.find((b) => b.customerId === id)?.value ?? 0;
  const rows: Row[] = [
    profileRow('name', t('rowName'), (p) => fullName(p.familyName, p.givenName), 'familyName'),
    profileRow('kana', t('rowKana'), (p) => fullName(p.familyNameKana, p.givenNameKana), 'familyNameKana'),
    profileRow(
      'birthday',
      t('rowBirthday'),
      (p) => (p.birthday ? formatDate(p.birthday, lang) : ''),
      'birthday',
    ),
    profileRow('gender', t('rowGender'), (p) => (p.gender ? gender(p.gender) : ''), 'gender'),
    {
      key: 'tags',
      label: t('rowTags'),
      cells: [tags(self.tags), tags(other.tags), tags(preview.survivor.tags)],
    },
    {
      key: 'ids',
      label: t('rowIdentities'),
      cells: [
        identities(self.identities),
        identities(other.identities),
        identities(preview.survivor.identities),
      ],
    },
    ...COUNTED.map(([label, table]) => {
      const [a, b] = ids.map((id) => count(table, id)) as [number, number];
      const n = (v: number) => t('count', { n: formatNumber(v, lang) });
      return {
        key: table,
        label: t(label),
        cells: [n(a), n(b), <strong key="sum">{n(a + b)}</strong>],
      } as Row;
    }),
    {
      key: 'points',
      label: t('rowPoints'),
      cells: [
        t('pointsValue', { n: formatNumber(pointsOf(self.id), lang) }),
        t('pointsValue', { n: formatNumber(pointsOf(other.id), lang) }),
        <strong key="after">{t('pointsValue', { n: formatNumber(points?.after ?? 0, lang) })}</strong>,
      ],
    },
  ];
  const heading = (label: string, id: number) => (
    <span>
      {label} #{id}{' '}
      {id === preview.survivorId ? (
        <Tag color={TAG_COLORS.green}>{t('survives')}</Tag>
      ) : (
        <Tag>{t('mergedAway')}</Tag>
      )}
    </span>
  );
  return (
    <Table<Row>
      size="small"
      pagination={false}
      rowKey="key"
      dataSource={rows}
      columns={[
        { title: '', dataIndex: 'label', width: 140, render: (v: string) => <strong>{v}</strong> },
        { title: heading(t('thisCustomer'), self.id), key: 'a', render: (_, r) => r.cells[0] },
        { title: heading(t('duplicate'), other.id), key: 'b', render: (_, r) => r.cells[1] },
        {
          title: `${t('after')} #${preview.survivorId}`,
          key: 'after',
          render: (_, r) => r.cells[2],
          onCell: () => ({ style: { background: '#f6ffed' } }),
        },
      ]}
    />
  );
}
