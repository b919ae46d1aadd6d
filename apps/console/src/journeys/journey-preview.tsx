// The journey preview for one customer: pick them, and the server walks the journey as if they
// entered now (nothing is sent): each step's JST instant, the branch taken, and for each message
// what the send policy would decide and what the customer would read.
import { Alert, Button, Form, InputNumber, Select, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { fullName } from '../customers/names.ts';
import { formatDateTime } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useCouponTemplates } from '../loyalty/queries.ts';
import type { JourneyDefinitionView } from './definition-view.ts';
import { nodeSummary, nodeTypeLabel, reasonName, TAG_COLORS } from './journey-labels.ts';
import { LineBubbles } from './line-bubble.tsx';
import { journeyMessages } from './messages.ts';
import { type JourneyPreview as Preview, useCustomerSearch, useJourneyPreview } from './queries.ts';

export function JourneyPreview({
  journeyId,
  definition,
}: {
  journeyId: number;
  definition: JourneyDefinitionView;
}) {
  const t = useT(journeyMessages);
  const [search, setSearch] = useState('');
  const [customerId, setCustomerId] = useState<number | undefined>();
  const [days, setDays] = useState(30);
  const [request, setRequest] = useState<{ customerId: number; days: number } | null>(null);
  const customers = useCustomerSearch(search);
  const preview = useJourneyPreview(journeyId, request);
  const options = (customers.data?.items ?? []).map((c) => ({
    value: c.id,
    label: `${fullName(c.familyName, c.givenName) || `#${c.id}`}${
      c.familyNameKana || c.givenNameKana ? `（${fullName(c.familyNameKana, c.givenNameKana)}）` : ''
    }`,
  }));
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Paragraph style={{ margin: 0 }}>{t('previewIntro')}</Typography.Paragraph>
      <Form
        layout="inline"
        onFinish={() => customerId !== undefined && setRequest({ customerId, days })}
        style={{ rowGap: 8 }}
      >
        <Form.Item label={t('customer')} htmlFor="preview-customer">
          <Select
            id="preview-customer"
            showSearch={{ filterOption: false, onSearch: setSearch }}
            placeholder={t('customerSearch')}
            style={{ width: 320 }}
            value={customerId}
            onChange={setCustomerId}
            options={options}
            loading={customers.isFetching}
          />
        </Form.Item>
        <Form.Item label={t('days')} htmlFor="preview-days">
          <InputNumber id="preview-days" min={1} max={400} value={days} onChange={(v) => setDays(v ?? 30)} />
        </Form.Item>
        <Button type="primary" htmlType="submit" disabled={customerId === undefined}>
          {t('runPreview')}
        </Button>
      </Form>
      {request === null ? (
        <EmptyState title={t('previewEmpty')} next={t('previewIntro')} />
      ) : preview.isPending ? (
        <Loading />
      ) : preview.isError ? (
        <ErrorState error={preview.error} retry={() => preview.refetch()} />
      ) : (
        <PreviewSteps preview={preview.data} definition={definition} />
      )}
    </Space>
  );
}

function PreviewSteps({ preview, definition }: { preview: Preview; definition: JourneyDefinitionView }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const coupons = useCouponTemplates();
  const couponNames = new Map((coupons.data?.items ?? []).map((c) => [c.id, c.name]));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Alert
        type="info"
        showIcon
        title={t('previewNote', {
          version: preview.version,
          from: formatDateTime(preview.from, lang),
          until: formatDateTime(preview.until, lang),
        })}
      />
      {preview.steps.length === 0 ? (
        <EmptyState title={t('previewNone')} next={t('days')} />
      ) : (
        <Timeline
          items={preview.steps.map((step, i) => {
            const node = byId.get(step.nodeId);
            const decision = step.decision;
            return {
              key: `${step.nodeId}:${i}`,
              color: decision?.status === 'skipped' ? 'red' : decision?.status === 'held' ? 'orange' : 'blue',
              children: (
                <div className="kz-preview-step">
                  <Space size="small" wrap>
                    <Typography.Text type="secondary">{formatDateTime(step.at, lang)}</Typography.Text>
                    <Typography.Text strong>{nodeTypeLabel(step.type, t)}</Typography.Text>
                    {node && step.type !== 'send' && <span>{nodeSummary(node, t, lang, couponNames)}</span>}
                    {step.path && <Tag>{t('pathTaken', { path: t(step.path) })}</Tag>}
                    {decision && (
                      <Tag
                        color={
                          decision.status === 'send'
                            ? TAG_COLORS.green
                            : decision.status === 'held'
                              ? TAG_COLORS.orange
                              : TAG_COLORS.red
                        }
                      >
                        {decision.status === 'send'
                          ? t('decisionSend')
                          : decision.status === 'held'
                            ? t('decisionHeld', {
                                until: decision.until ? formatDateTime(decision.until, lang) : '',
                              })
                            : t('decisionSkipped', { reason: reasonName(decision.reason ?? '', lang) })}
                      </Tag>
                    )}
                  </Space>
                  {step.messages && step.messages.length > 0 && (
                    <div style={{ marginTop: 8 }}>
                      <LineBubbles
                        messages={step.messages}
                        otherLabel={(type) => t('otherMessage', { type })}
                      />
                    </div>
                  )}
                </div>
              ),
            };
          })}
        />
      )}
    </Space>
  );
}
