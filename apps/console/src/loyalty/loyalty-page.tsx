import { Button, Card, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useSession } from '../auth/session.tsx';
import { formatNumber, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';
import { loyaltyMessages } from './messages.ts';
import {
  type CouponTemplate,
  type LoyaltyRules,
  type StampCard,
  useCouponTemplates,
  useLoyaltyRules,
  useStampCards,
} from './queries.ts';
import { RulesEditor } from './rules-editor.tsx';
import { StampCardEditor } from './stamp-card-editor.tsx';

function RulesCard({ rules }: { rules: LoyaltyRules }) {
  const t = useT(loyaltyMessages);
  const { lang } = useLocale();
  const money = (n: number) => formatYen(n, lang);
  const e = useT(editMessages);
  const { can } = useSession();
  const [editing, setEditing] = useState(false);
  return (
    <Card
      title={t('rules')}
      size="small"
      extra={can('admin') && <Button onClick={() => setEditing(true)}>{e('editRules')}</Button>}
    >
      {editing && <RulesEditor rules={rules} open onClose={() => setEditing(false)} />}
      <Typography.Paragraph>
        {/* pointsPerYen 0.01 reads as 100円ごとに1ポイント, the way shops state it. */}
        {rules.pointsPerYen > 0
          ? t('earnRate', { yen: formatNumber(Math.round(1 / rules.pointsPerYen), lang) })
          : t('noEarn')}
        <br />
        {t('validity', { months: rules.lotValidityMonths })}
      </Typography.Paragraph>
      <Typography.Title level={2} style={{ fontSize: 14 }}>
        {t('tiers')}
      </Typography.Title>
      {rules.tiers.length === 0 ? (
        <EmptyState title={t('noTiers')} next={t('noTiersNext')} />
      ) : (
        <Table
          size="small"
          pagination={false}
          rowKey="code"
          dataSource={rules.tiers}
          columns={[
            {
              title: t('tierName'),
              dataIndex: 'name',
              render: (name: string) => <Tag color={TAG_COLORS.gold}>{name}</Tag>,
            },
            {
              title: t('threshold'),
              dataIndex: 'threshold',
              render: (n: number) =>
                rules.tierBasis === 'spend'
                  ? t('thresholdSpend', { amount: money(n) })
                  : t('thresholdPoints', { points: formatNumber(n, lang) }),
            },
            { title: t('multiplier'), dataIndex: 'multiplier', render: (m: number) => `×${m}` },
          ]}
        />
      )}
    </Card>
  );
}

/** ￥500引き / 10%オフ / コーヒー 無料, and the minimum bill when there is one. */
function useBenefit() {
  const t = useT(loyaltyMessages);
  const { lang } = useLocale();
  return (c: CouponTemplate) => {
    const what =
      c.kind === 'amount_off'
        ? t('amountOff', { amount: formatYen(c.value, lang) })
        : c.kind === 'percent_off'
          ? t('percentOff', { percent: c.value })
          : t('freeItem', { item: c.freeItem ?? '' });
    return c.minSpend > 0 ? `${what}（${t('minSpend', { amount: formatYen(c.minSpend, lang) })}）` : what;
  };
}

function CouponsCard({ coupons }: { coupons: CouponTemplate[] }) {
  const t = useT(loyaltyMessages);
  const { lang } = useLocale();
  const benefit = useBenefit();
  const e = useT(editMessages);
  const { can } = useSession();
  return (
    <Card
      title={t('coupons')}
      size="small"
      extra={
        can('admin') && (
          <Link to="/loyalty/coupons/new">
            <Button type="primary" tabIndex={-1}>
              {e('newCoupon')}
            </Button>
          </Link>
        )
      }
    >
      <Table
        size="small"
        pagination={false}
        rowKey="id"
        dataSource={coupons}
        locale={{ emptyText: <EmptyState title={t('noCoupons')} next={t('noCouponsNext')} /> }}
        columns={[
          { title: t('couponName'), dataIndex: 'name' },
          { title: t('benefit'), key: 'benefit', render: (_, c) => benefit(c) },
          {
            title: t('issued'),
            dataIndex: 'issuedCount',
            align: 'right',
            render: (n: number) => formatNumber(n, lang),
          },
          {
            title: t('state'),
            dataIndex: 'active',
            render: (active: boolean) => (
              <Tag color={active ? TAG_COLORS.green : 'default'}>{active ? t('active') : t('inactive')}</Tag>
            ),
          },
          ...(can('admin')
            ? [
                {
                  title: '',
                  key: 'edit',
                  render: (_: unknown, c: CouponTemplate) => (
                    <Link to={`/loyalty/coupons/${c.id}`} aria-label={`${e('edit')} ${c.name}`}>
                      {e('edit')}
                    </Link>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}

function StampCardsCard() {
  const t = useT(loyaltyMessages);
  const cards = useStampCards();
  const e = useT(editMessages);
  const { can } = useSession();
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<StampCard>();
  if (cards.isPending) return <Loading />;
  if (cards.isError) return <ErrorState error={cards.error} retry={() => cards.refetch()} />;
  return (
    <Card
      title={t('stampCards')}
      size="small"
      extra={can('admin') && <Button onClick={() => setCreating(true)}>{e('newStampCard')}</Button>}
    >
      <StampCardEditor open={creating} onClose={() => setCreating(false)} />
      {editing && (
        <StampCardEditor key={editing.id} open card={editing} onClose={() => setEditing(undefined)} />
      )}
      <Table
        size="small"
        pagination={false}
        rowKey="id"
        dataSource={cards.data.items}
        locale={{ emptyText: <EmptyState title={t('noStampCards')} next={t('noStampCardsNext')} /> }}
        columns={[
          { title: t('cardName'), dataIndex: 'name' },
          {
            title: t('stampsRequired'),
            dataIndex: 'stampsRequired',
            render: (n: number) => t('stampsUnit', { n }),
          },
          {
            title: t('rewards'),
            key: 'rewards',
            render: (_, card) => card.rewards.map((r) => t('rewardAt', { n: r.at })).join('、') || '—',
          },
          {
            title: t('state'),
            dataIndex: 'active',
            render: (active: boolean) => (
              <Tag color={active ? TAG_COLORS.green : 'default'}>
                {active ? e('stampCardOpen') : e('stampCardClosed')}
              </Tag>
            ),
          },
          ...(can('admin')
            ? [
                {
                  title: '',
                  key: 'edit',
                  render: (_: unknown, card: StampCard) => (
                    <Button
                      size="small"
                      onClick={() => setEditing(card)}
                      aria-label={`${e('edit')} ${card.name}`}
                    >
                      {e('edit')}
                    </Button>
                  ),
                },
              ]
            : []),
        ]}
      />
    </Card>
  );
}

/** The programme as members meet it: how points are earned, the tiers, coupons and stamp cards. */
export function LoyaltyPage() {
  const t = useT(loyaltyMessages);
  const rules = useLoyaltyRules();
  const coupons = useCouponTemplates();
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('title')}
      </Typography.Title>
      {rules.isPending ? (
        <Loading />
      ) : rules.isError ? (
        <ErrorState error={rules.error} retry={() => rules.refetch()} />
      ) : (
        <RulesCard rules={rules.data} />
      )}
      {coupons.isPending ? (
        <Loading />
      ) : coupons.isError ? (
        <ErrorState error={coupons.error} retry={() => coupons.refetch()} />
      ) : (
        <CouponsCard coupons={coupons.data.items} />
      )}
      <StampCardsCard />
    </Space>
  );
}
