// One member's points: balance, the ledger (newest first), and a manual adjustment with its reason
// and the staff member's name (admin only; the server records both on the entry).
import { App as AntApp, Button, Card, Form, Input, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { useRef } from 'react';
import { Link, useParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useSession } from '../auth/session.tsx';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';
import { useAdjustPoints, useLedger, useMember } from './queries.ts';

interface AdjustForm {
  points: number;
  reason: string;
  staff: string;
}

const ENTRY_KINDS = ['earn', 'redeem', 'adjust', 'expire', 'reverse', 'void', 'merge'] as const;

function AdjustCard({ customerId }: { customerId: number }) {
  const t = useT(editMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const [form] = Form.useForm<AdjustForm>();
  const adjust = useAdjustPoints(customerId);
  // One key per filled-in form: a double click or a retry after a lost answer adjusts once.
  const key = useRef(crypto.randomUUID());
  const onFinish = async (f: AdjustForm) => {
    try {
      const done = await adjust.mutateAsync({ ...f, idempotencyKey: `console:${key.current}` });
      message.success(
        t('adjusted', { points: formatNumber(done.points, lang), balance: formatNumber(done.balance, lang) }),
      );
      form.resetFields();
      key.current = crypto.randomUUID();
    } catch (error) {
      message.error(`${t('failed')}: ${(error as Error).message}`);
    }
  };
  const required = (field: string) => [
    { required: true, whitespace: true, message: t('required', { field }) },
  ];
  return (
    <Card size="small" title={t('adjustTitle')}>
      <Form<AdjustForm> form={form} layout="inline" onFinish={onFinish} style={{ rowGap: 12 }}>
        <Form.Item
          name="points"
          label={t('adjustPoints')}
          rules={[{ required: true, message: t('required', { field: t('adjustPoints') }) }]}
        >
          <InputNumber<number> min={-1_000_000} max={1_000_000} suffix="pt" style={{ width: 160 }} />
        </Form.Item>
        <Form.Item name="reason" label={t('adjustReason')} rules={required(t('adjustReason'))}>
          <Input maxLength={500} style={{ width: 240 }} />
        </Form.Item>
        <Form.Item name="staff" label={t('adjustStaff')} rules={required(t('adjustStaff'))}>
          <Input maxLength={100} style={{ width: 160 }} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={adjust.isPending}>
          {t('adjust')}
        </Button>
      </Form>
    </Card>
  );
}

export function MemberPointsPage() {
  const t = useT(editMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const customerId = Number(useParams().customerId);
  const member = useMember(customerId);
  const ledger = useLedger(customerId);
  if (member.isPending) return <Loading />;
  if (member.isError) return <ErrorState error={member.error} retry={() => member.refetch()} />;
  const m = member.data;
  const kindLabel = (k: string) =>
    (ENTRY_KINDS as readonly string[]).includes(k) ? t(`entry.${k as (typeof ENTRY_KINDS)[number]}`) : k;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to={`/customers/${m.customerId}`}>← {m.name ?? m.customerId}</Link>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('memberTitle')}
      </Typography.Title>
      <Card size="small">
        {m.nameKana && <span className="kz-kana">{m.nameKana}</span>}
        <Typography.Title level={2} style={{ fontSize: 20, margin: 0 }}>
          {m.name ?? '—'} {m.tier && <Tag color={TAG_COLORS.gold}>{m.tier.name}</Tag>}
        </Typography.Title>
        <Typography.Text style={{ fontSize: 28, fontWeight: 700 }} data-testid="member-points">
          {formatNumber(m.points, lang)} pt
        </Typography.Text>
      </Card>
      {can('admin') && <AdjustCard customerId={m.customerId} />}
      <Card size="small" title={t('ledger')}>
        {ledger.isError ? (
          <ErrorState error={ledger.error} retry={() => ledger.refetch()} />
        ) : (
          <Table
            size="small"
            rowKey="id"
            loading={ledger.isPending}
            dataSource={ledger.data?.entries ?? []}
            pagination={{ pageSize: 20, hideOnSinglePage: true }}
            locale={{
              emptyText: ledger.isPending ? ' ' : <EmptyState title={t('ledger')} next={t('noLedger')} />,
            }}
            columns={[
              {
                title: t('ledgerWhen'),
                dataIndex: 'createdAt',
                render: (at: string) => formatDateTime(at, lang),
              },
              { title: t('ledgerKind'), dataIndex: 'kind', render: kindLabel },
              {
                title: t('ledgerPoints'),
                dataIndex: 'points',
                align: 'right',
                render: (p: number) => (p > 0 ? `+${formatNumber(p, lang)}` : formatNumber(p, lang)),
              },
              {
                title: t('ledgerBalance'),
                dataIndex: 'balanceAfter',
                align: 'right',
                render: (b: number) => formatNumber(b, lang),
              },
              {
                title: t('ledgerReason'),
                key: 'reason',
                render: (_, e) =>
                  [
                    e.reason === 'till sale' ? t('tillSale') : e.reason,
                    typeof e.detail.staff === 'string' ? `（${e.detail.staff}）` : '',
                  ].join('') || '—',
              },
            ]}
          />
        )}
      </Card>
    </Space>
  );
}
