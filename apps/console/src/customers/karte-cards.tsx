// The karte's cards: who the customer is, what they agreed to, their membership and their worth.
import { Card, Descriptions, Empty, List, Progress, Space, Table, Tag, Typography } from 'antd';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { formatDate, formatDateTime, formatNumber, formatPercent, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { customerMessages } from './messages.ts';
import { formatPhone } from './names.ts';
import type { Customer, CustomerSummary } from './queries.ts';

const GENDER_LABELS = {
  female: 'genderFemale',
  male: 'genderMale',
  other: 'genderOther',
  unanswered: 'genderUnanswered',
} as const;
const isGender = (value: string): value is keyof typeof GENDER_LABELS => value in GENDER_LABELS;

export function ProfileCard({ customer }: { customer: Customer }) {
  const t = useT(customerMessages);
  // External ids are named by their namespace (shopify, member…); the built-in kinds by name.
  const identityLabel = (kind: string, namespace: string) =>
    kind === 'email'
      ? t('idEmail')
      : kind === 'phone'
        ? t('idPhone')
        : kind === 'line'
          ? 'LINE'
          : namespace || kind;
  const { lang } = useLocale();
  const dash = '—';
  return (
    <Card title={t('profile')} size="small">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('registeredAt')}>
          {formatDate(customer.registeredAt, lang)}
        </Descriptions.Item>
        <Descriptions.Item label={t('birthday')}>
          {customer.birthday ? formatDate(customer.birthday, lang) : dash}
        </Descriptions.Item>
        <Descriptions.Item label={t('gender')}>
          {customer.gender && isGender(customer.gender)
            ? t(GENDER_LABELS[customer.gender])
            : (customer.gender ?? dash)}
        </Descriptions.Item>
        <Descriptions.Item label={t('prefecture')}>{customer.prefecture ?? dash}</Descriptions.Item>
        <Descriptions.Item label={t('source')}>{customer.acquisitionSource ?? dash}</Descriptions.Item>
        <Descriptions.Item label={t('tags')}>
          {customer.tags.length ? customer.tags.map((tag) => <Tag key={tag}>{tag}</Tag>) : dash}
        </Descriptions.Item>
        <Descriptions.Item label={t('interests')}>
          {customer.interests.length ? customer.interests.map((i) => <Tag key={i}>{i}</Tag>) : dash}
        </Descriptions.Item>
      </Descriptions>
      <Typography.Title level={2} style={{ fontSize: 14, marginTop: 12 }}>
        {t('identities')}
      </Typography.Title>
      <List
        size="small"
        dataSource={customer.identities}
        locale={{ emptyText: <Typography.Text>{t('none')}</Typography.Text> }}
        renderItem={(id) => (
          <List.Item>
            <span>
              <Tag>{identityLabel(id.kind, id.namespace)}</Tag>{' '}
              {id.kind === 'phone' ? formatPhone(id.value) : id.value}
            </span>
          </List.Item>
        )}
      />
    </Card>
  );
}

export function ConsentCard({ customer }: { customer: Customer }) {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  // The API's words (line, marketing, granted…) in the reader's language; an unknown one as it is.
  const word = (value: string) => {
    const key = `consent_${value}`;
    return key in customerMessages.ja ? t(key as keyof typeof customerMessages.ja) : value;
  };
  return (
    <Card title={t('consents')} size="small">
      <Table
        size="small"
        pagination={false}
        rowKey={(c) => `${c.channel}/${c.purpose}`}
        dataSource={customer.consents}
        locale={{ emptyText: <Typography.Text>{t('none')}</Typography.Text> }}
        columns={[
          { title: t('consentChannel'), dataIndex: 'channel', render: word },
          { title: t('consentPurpose'), dataIndex: 'purpose', render: word },
          {
            title: t('consentStatus'),
            dataIndex: 'status',
            render: (status: string) => (
              <Tag color={status === 'granted' ? TAG_COLORS.green : 'default'}>{word(status)}</Tag>
            ),
          },
          {
            title: t('consentAt'),
            dataIndex: 'occurredAt',
            render: (at: string) => formatDateTime(at, lang),
          },
        ]}
      />
    </Card>
  );
}

export function LoyaltyCard({ loyalty }: { loyalty: CustomerSummary['loyalty'] }) {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  const expiring = loyalty.pointsExpiringSoon;
  return (
    <Card title={t('loyalty')} size="small">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('memberNo')}>{loyalty.memberNo ?? '—'}</Descriptions.Item>
        <Descriptions.Item label={t('tier')}>
          {loyalty.tier ? <Tag color={TAG_COLORS.gold}>{loyalty.tier.name}</Tag> : '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('points')}>
          {formatNumber(loyalty.points, lang)} pt
          {expiring.points > 0 && expiring.firstExpiry && (
            <Typography.Text type="warning" style={{ display: 'block' }}>
              {t('pointsExpiring', {
                points: formatNumber(expiring.points, lang),
                date: formatDate(expiring.firstExpiry, lang),
              })}
            </Typography.Text>
          )}
        </Descriptions.Item>
      </Descriptions>
      {loyalty.stamps.map((card) => (
        <div key={card.templateId}>
          <Typography.Text>{card.name}</Typography.Text>
          <Progress
            percent={Math.min(100, Math.round((card.stamps / Math.max(1, card.required)) * 100))}
            format={() => `${card.stamps}/${card.required}`}
            aria-label={`${t('stamps')}: ${card.name} ${card.stamps}/${card.required}`}
          />
        </div>
      ))}
      <Typography.Title level={2} style={{ fontSize: 14, marginTop: 12 }}>
        {t('coupons')}
      </Typography.Title>
      {loyalty.coupons.length === 0 ? (
        <Typography.Text type="secondary">{t('none')}</Typography.Text>
      ) : (
        <Space wrap>
          {loyalty.coupons.map((c) => (
            <Tag key={c.code} color={TAG_COLORS.magenta}>
              {c.name}
              {c.validUntil ? ` (〜${formatDate(c.validUntil, lang)})` : ''}
            </Tag>
          ))}
        </Space>
      )}
    </Card>
  );
}

export function ClvCard({ clv }: { clv: CustomerSummary['clv'] }) {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  // A customer who never bought has no figures yet.
  if (!clv)
    return (
      <Card title={t('clv')} size="small">
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPrediction')} />
      </Card>
    );
  const p = clv.prediction;
  return (
    <Card title={t('clv')} size="small">
      <Descriptions column={1} size="small">
        <Descriptions.Item label={t('orders')}>{formatNumber(clv.orders, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('historicalLtv')}>{formatYen(clv.historicalLtv, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('visitSpend')}>{formatYen(clv.visitSpend, lang)}</Descriptions.Item>
        <Descriptions.Item label={t('lastOrder')}>
          {clv.lastOrderAt ? formatDate(clv.lastOrderAt, lang) : '—'}
        </Descriptions.Item>
        <Descriptions.Item label="RFM">
          {clv.rfm ? `R${clv.rfm.r} F${clv.rfm.f} M${clv.rfm.m}` : '—'}
        </Descriptions.Item>
      </Descriptions>
      {p ? (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('pAlive')}>
            {p.pAlive === null ? '—' : formatPercent(p.pAlive, lang)}
          </Descriptions.Item>
          <Descriptions.Item label={t('expected90')}>
            {p.expectedPurchases90d === null ? '—' : formatNumber(p.expectedPurchases90d, lang)}
          </Descriptions.Item>
          <Descriptions.Item label={t('predictedClv')}>
            {p.predictedClv === null ? '—' : formatYen(p.predictedClv, lang)}
            {p.clvPercentile !== null && (
              <Tag style={{ marginLeft: 8 }}>
                {t('percentile', { p: Math.max(1, Math.round(100 - p.clvPercentile)) })}
              </Tag>
            )}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noPrediction')} />
      )}
    </Card>
  );
}

export function SegmentsCard({ segments }: { segments: CustomerSummary['segments'] }) {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  return (
    <Card title={t('segments')} size="small">
      {segments.length === 0 ? (
        <Typography.Text type="secondary">{t('none')}</Typography.Text>
      ) : (
        <List
          size="small"
          dataSource={segments}
          renderItem={(s) => (
            <List.Item>
              <span>{s.name}</span>
              <Typography.Text type="secondary">
                {t('since', { date: formatDate(s.enteredAt, lang) })}
              </Typography.Text>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
