// The till, for staff at the counter on a tablet: scan (a USB or Bluetooth reader types the QR
// payload and Enter) or type a member card → the member → stamp, earn points on the bill, use a
// coupon. Big touch targets, one column at 768 px, and every outcome said in words.
import {
  Alert,
  Button,
  Card,
  Col,
  Descriptions,
  Input,
  InputNumber,
  List,
  Progress,
  Row,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useRef, useState } from 'react';
import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useSession } from '../auth/session.tsx';
import { formatDate, formatNumber, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';
import {
  type MemberSummary,
  type TillInput,
  type TillResult,
  useStampCards,
  useTillScan,
  useTillTransaction,
} from './queries.ts';
import { tillMessages } from './till-messages.ts';

const BIG = { minHeight: 56, fontSize: 18 } as const;
type T = ReturnType<typeof useT<keyof (typeof tillMessages)['ja']>>;

/** A refusal in the shop's words: QR problems by their field, others with the server's message. */
function refusal(error: unknown, t: T): string {
  if (!(error instanceof ApiError)) return error instanceof Error ? error.message : String(error);
  const qr = error.problems.find((p) => p.path === 'qr')?.message;
  if (qr === 'expired') return t('qrExpired');
  if (qr === 'not a Kizuna membership card') return t('qrNotCard');
  if (qr === 'signature is not valid') return t('qrForged');
  if (qr === 'issued in the future') return t('qrFuture');
  if (error.code === 'not_found') return t('memberNotFound');
  return error.message;
}

/** What a till call did, in one sentence per effect. */
function outcome(result: TillResult, t: T, lang: 'ja' | 'en'): string {
  const parts: string[] = [];
  if (result.stamp) {
    parts.push(
      t('stamped', { n: result.stamp.added, stamps: result.stamp.stamps, required: result.stamp.required }),
    );
    if (result.stamp.limited) parts.push(t('stampLimited'));
    if (result.stamp.completedCards > 0) parts.push(t('completed'));
  }
  if (result.earned)
    parts.push(
      t('earned', {
        points: formatNumber(result.earned.points, lang),
        balance: formatNumber(result.earned.balance, lang),
      }),
    );
  if (result.coupon)
    parts.push(
      t('couponUsed', { name: result.coupon.name }) +
        (result.coupon.discount
          ? t('couponDiscount', { amount: formatYen(result.coupon.discount, lang) })
          : ''),
    );
  return parts.join('。');
}

function MemberCard({ member }: { member: MemberSummary }) {
  const t = useT(tillMessages);
  const e = useT(editMessages);
  const { can } = useSession();
  const { lang } = useLocale();
  return (
    <Card size="small">
      {member.nameKana && <span className="kz-kana">{member.nameKana}</span>}
      <Typography.Title level={2} style={{ fontSize: 22, margin: 0 }}>
        {member.name ?? '—'}
      </Typography.Title>
      <Descriptions column={1} size="small" style={{ marginTop: 8 }}>
        {member.memberNo && (
          <Descriptions.Item label={t('member')}>{t('memberNo', { no: member.memberNo })}</Descriptions.Item>
        )}
        <Descriptions.Item label={t('tier')}>
          <Tag color={TAG_COLORS.gold}>{member.tier?.name ?? t('noTier')}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t('points')}>
          <span style={{ fontSize: 28, fontWeight: 700 }} data-testid="till-points">
            {t('pointsValue', { points: formatNumber(member.points, lang) })}
          </span>
        </Descriptions.Item>
      </Descriptions>
      {can('admin') && <Link to={`/loyalty/members/${member.customerId}`}>{e('openMember')}</Link>}
      {member.pointsExpiringSoon.points > 0 && member.pointsExpiringSoon.firstExpiry && (
        <Typography.Text type="warning">
          {t('expiring', {
            points: formatNumber(member.pointsExpiringSoon.points, lang),
            date: formatDate(member.pointsExpiringSoon.firstExpiry, lang),
          })}
        </Typography.Text>
      )}
    </Card>
  );
}

function Actions(props: { member: MemberSummary; run(input: TillInput): void; busy: boolean }) {
  const t = useT(tillMessages);
  const { lang } = useLocale();
  const [amount, setAmount] = useState<number | null>(null);
  const { member, run, busy } = props;
  const bill = amount ?? undefined;
  const templates = useStampCards();
  // A member holds a card only once stamped: the shop's other active cards start at zero.
  const cards = [
    ...member.stamps,
    ...(templates.data?.items ?? [])
      .filter((c) => c.active && !member.stamps.some((s) => s.templateId === c.id))
      .map((c) => ({ templateId: c.id, name: c.name, stamps: 0, required: c.stampsRequired })),
  ];
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card size="small" title={t('amount')}>
        <Space.Compact style={{ width: '100%' }}>
          <InputNumber<number>
            aria-label={t('amount')}
            size="large"
            min={1}
            max={100_000_000}
            style={{ width: '100%', ...BIG }}
            value={amount}
            formatter={(v) => `${v ?? ''}`.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}
            parser={(v) => Number((v ?? '').replace(/[^\d]/g, ''))}
            onChange={(v) => setAmount(typeof v === 'number' ? v : null)}
            prefix="￥"
          />
          <Button
            type="primary"
            size="large"
            style={BIG}
            disabled={busy || !bill}
            onClick={() => run({ customerId: member.customerId, orderTotal: bill, earn: true })}
          >
            {t('earn')}
          </Button>
        </Space.Compact>
      </Card>
      <Card size="small" title={t('stamps')}>
        {cards.length === 0 && <Typography.Text type="secondary">{t('noStampCards')}</Typography.Text>}
        {cards.map((s) => (
          <div key={s.templateId} style={{ marginBottom: 12 }}>
            <Typography.Text>
              {t('stampProgress', { name: s.name, stamps: s.stamps, required: s.required })}
            </Typography.Text>
            <Progress
              percent={Math.round((100 * s.stamps) / s.required)}
              showInfo={false}
              aria-label={s.name}
              strokeColor="#b5394c"
            />
            <Button
              size="large"
              block
              style={BIG}
              disabled={busy}
              onClick={() =>
                run({ customerId: member.customerId, stamp: { templateId: s.templateId, count: 1 } })
              }
            >
              {t('addStamp', { name: s.name })}
            </Button>
          </div>
        ))}
      </Card>
      <Card size="small" title={t('coupons')}>
        <List
          dataSource={member.coupons}
          locale={{ emptyText: <span className="kz-next">{t('noCoupons')}</span> }}
          renderItem={(c) => (
            <List.Item
              actions={[
                <Button
                  key="use"
                  type="primary"
                  size="large"
                  style={BIG}
                  disabled={busy}
                  aria-label={`${t('redeem')}: ${c.name}`}
                  onClick={() =>
                    run({
                      customerId: member.customerId,
                      couponCode: c.code,
                      ...(bill ? { orderTotal: bill } : {}),
                    })
                  }
                >
                  {t('redeem')}
                </Button>,
              ]}
            >
              <List.Item.Meta
                title={<span style={{ fontSize: 16 }}>{c.name}</span>}
                description={
                  [
                    c.minSpend > 0 ? t('minSpend', { amount: formatYen(c.minSpend, lang) }) : null,
                    c.validUntil ? t('validUntil', { date: formatDate(c.validUntil, lang) }) : null,
                  ]
                    .filter(Boolean)
                    .join('・') || c.code
                }
              />
            </List.Item>
          )}
        />
      </Card>
    </Space>
  );
}

export function TillPage() {
  const t = useT(tillMessages);
  const { lang } = useLocale();
  const [qr, setQr] = useState('');
  const [member, setMember] = useState<MemberSummary | undefined>();
  const [notice, setNotice] = useState<{ type: 'success' | 'error'; text: string } | undefined>();
  const input = useRef<HTMLInputElement>(null);
  const scan = useTillScan();
  const till = useTillTransaction();
  const onScan = async () => {
    const payload = qr.trim();
    if (!payload) return;
    setNotice(undefined);
    try {
      setMember(await scan.mutateAsync(payload));
    } catch (error) {
      setMember(undefined);
      setNotice({ type: 'error', text: refusal(error, t) });
    }
    setQr('');
  };
  const run = async (op: TillInput) => {
    try {
      const result = await till.mutateAsync(op);
      setMember(result.summary);
      setNotice({ type: 'success', text: outcome(result, t, lang) });
    } catch (error) {
      setNotice({ type: 'error', text: `${t('failed')}: ${refusal(error, t)}` });
    }
  };
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('title')}
      </Typography.Title>
      <Card size="small">
        <label htmlFor="till-qr" style={{ display: 'block', fontWeight: 600, marginBottom: 8 }}>
          {t('scanLabel')}
        </label>
        <Space.Compact style={{ width: '100%' }}>
          <Input
            id="till-qr"
            ref={(el) => {
              input.current = el?.input ?? null;
            }}
            size="large"
            style={BIG}
            value={qr}
            autoFocus
            autoComplete="off"
            maxLength={300}
            aria-describedby="till-qr-help"
            onChange={(e) => setQr(e.target.value)}
            onPressEnter={onScan}
          />
          <Button type="primary" size="large" style={BIG} loading={scan.isPending} onClick={onScan}>
            {t('scan')}
          </Button>
        </Space.Compact>
        <Typography.Text id="till-qr-help" type="secondary">
          {t('scanHelp')}
        </Typography.Text>
      </Card>
      {notice && (
        <Alert
          type={notice.type}
          showIcon
          title={notice.text}
          role={notice.type === 'error' ? 'alert' : 'status'}
          style={{ fontSize: 16 }}
        />
      )}
      {member ? (
        <Row gutter={[16, 16]}>
          <Col xs={24} lg={10}>
            <Space direction="vertical" style={{ width: '100%' }}>
              <MemberCard member={member} />
              <Button
                size="large"
                block
                style={BIG}
                onClick={() => {
                  setMember(undefined);
                  setNotice(undefined);
                  input.current?.focus();
                }}
              >
                {t('clear')}
              </Button>
            </Space>
          </Col>
          <Col xs={24} lg={14}>
            <Actions key={member.customerId} member={member} run={run} busy={till.isPending} />
          </Col>
        </Row>
      ) : (
        !notice && <Alert type="info" showIcon title={t('waiting')} />
      )}
    </Space>
  );
}
