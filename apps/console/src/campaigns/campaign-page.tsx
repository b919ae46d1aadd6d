// One campaign: what it sends to whom, send now (after a confirm that shows the LINE cost
// estimate), schedule for a JST instant, cancel; and once sent, its results.
import {
  Alert,
  App as AntApp,
  Button,
  DatePicker,
  Descriptions,
  Form,
  Modal,
  Popconfirm,
  Space,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { formatDateTime, formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { LineBubbles } from '../journeys/line-bubble.tsx';
import { useSegments } from '../segments/queries.ts';
import { audienceLabel, CAMPAIGN_STATUS_COLORS, campaignStatusLabel } from './campaign-labels.ts';
import { CampaignResults } from './campaign-results.tsx';
import { campaignMessages } from './messages.ts';
import { type Campaign, type CampaignAction, useCampaign, useCampaignAction } from './queries.ts';
import { SendEstimate } from './send-estimate.tsx';

export function CampaignPage() {
  const t = useT(campaignMessages);
  const id = Number(useParams().id);
  const campaign = useCampaign(id);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/campaigns">← {t('back')}</Link>
      {campaign.isPending ? (
        <Loading />
      ) : campaign.isError ? (
        <ErrorState error={campaign.error} retry={() => campaign.refetch()} />
      ) : (
        <CampaignView campaign={campaign.data} />
      )}
    </Space>
  );
}

/** The wall-clock value the picker shows, read as Japan time whatever the browser's zone. */
function jstInstant(value: Dayjs): string {
  return `${value.format('YYYY-MM-DDTHH:mm')}:00+09:00`;
}

function CampaignView({ campaign }: { campaign: Campaign }) {
  const t = useT(campaignMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const segments = useSegments();
  const action = useCampaignAction(campaign.id);
  const [confirming, setConfirming] = useState(false);
  const [scheduling, setScheduling] = useState(false);
  const segmentNames = new Map((segments.data?.items ?? []).map((s) => [s.id, s.name]));
  const audience =
    'segmentId' in campaign.audience
      ? (segments.data?.items.find(
          (s) => 'segmentId' in campaign.audience && s.id === campaign.audience.segmentId,
        )?.memberCount ?? null)
      : campaign.audience.customerCount;
  const pending = campaign.status === 'draft' || campaign.status === 'scheduled';
  const run = (act: CampaignAction, label: string, then?: () => void) =>
    action.mutate(act, {
      onSuccess: () => {
        message.success(t('done', { name: campaign.name, action: label }));
        then?.();
      },
      onError: (error) => message.error(t('failed', { action: label, reason: error.message })),
    });

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {campaign.name}{' '}
          <Tag color={CAMPAIGN_STATUS_COLORS[campaign.status]}>{campaignStatusLabel(campaign.status, t)}</Tag>
        </Typography.Title>
        {can('send') && pending && (
          <Space wrap>
            <Button type="primary" onClick={() => setConfirming(true)}>
              {t('sendNow')}
            </Button>
            <Button onClick={() => setScheduling(true)}>{t('schedule')}</Button>
            <Popconfirm
              title={t('cancelConfirm', { name: campaign.name })}
              okText={t('cancelCampaign')}
              cancelText={t('cancel')}
              onConfirm={() => run({ kind: 'cancel' }, t('cancelCampaign'))}
            >
              <Button>{t('cancelCampaign')}</Button>
            </Popconfirm>
          </Space>
        )}
      </Space>
      {campaign.status === 'failed' && (
        <Alert
          type="error"
          showIcon
          message={t('failedReason', {
            at: campaign.failedAt ? formatDateTime(campaign.failedAt, lang) : '—',
            reason: campaign.failureReason ?? '—',
          })}
        />
      )}
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2, xl: 3 }}
        items={[
          { key: 'audience', label: t('audience'), children: audienceLabel(campaign, segmentNames, t) },
          {
            key: 'holdout',
            label: t('holdout'),
            children: `${formatNumber(campaign.holdoutPercent, lang)}%`,
          },
          {
            key: 'when',
            label: t('when'),
            children: campaign.sentAt
              ? formatDateTime(campaign.sentAt, lang)
              : campaign.scheduledAt
                ? t('scheduledFor', { at: formatDateTime(campaign.scheduledAt, lang) })
                : '—',
          },
        ]}
      />
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {t('details')}
      </Typography.Title>
      <Space wrap align="start" size="large">
        {campaign.variants.map((v) => (
          <div key={v.key}>
            <Typography.Text strong>
              {t('variant', { key: v.key })}
              {campaign.variants.length > 1 ? ` (${t('weight')} ${v.weight})` : ''}
            </Typography.Text>
            <LineBubbles messages={v.messages} otherLabel={(type) => `[${type}]`} />
          </div>
        ))}
      </Space>
      <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
        {t('results')}
      </Typography.Title>
      {campaign.sentAt ? (
        <CampaignResults campaignId={campaign.id} />
      ) : (
        <EmptyState title={t('resultsNotYet')} next={t('resultsNotYetNext')} />
      )}
      {confirming && (
        <Modal
          open
          title={t('confirmTitle', { name: campaign.name })}
          okText={t('confirmOk')}
          cancelText={t('cancel')}
          confirmLoading={action.isPending}
          onCancel={() => setConfirming(false)}
          onOk={() => run({ kind: 'send' }, t('sendNow'), () => setConfirming(false))}
          width={640}
        >
          <SendEstimate audience={audience} holdoutPercent={campaign.holdoutPercent} />
        </Modal>
      )}
      {scheduling && (
        <ScheduleModal
          audience={audience}
          holdoutPercent={campaign.holdoutPercent}
          busy={action.isPending}
          onCancel={() => setScheduling(false)}
          onSchedule={(at) => run({ kind: 'schedule', at }, t('schedule'), () => setScheduling(false))}
        />
      )}
    </Space>
  );
}

function ScheduleModal({
  audience,
  holdoutPercent,
  busy,
  onCancel,
  onSchedule,
}: {
  audience: number | null;
  holdoutPercent: number;
  busy: boolean;
  onCancel: () => void;
  onSchedule: (at: string) => void;
}) {
  const t = useT(campaignMessages);
  return (
    <Modal
      open
      title={t('schedule')}
      okText={t('scheduleOk')}
      cancelText={t('cancel')}
      confirmLoading={busy}
      onCancel={onCancel}
      okButtonProps={{ htmlType: 'submit', form: 'schedule-campaign' }}
      width={640}
    >
      <Form
        id="schedule-campaign"
        layout="vertical"
        onFinish={(v: { at: Dayjs }) => onSchedule(jstInstant(v.at))}
      >
        <Form.Item
          name="at"
          label={t('scheduleAt')}
          rules={[{ required: true, message: t('scheduleRequired') }]}
        >
          <DatePicker showTime={{ format: 'HH:mm', minuteStep: 5 }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
      </Form>
      <SendEstimate audience={audience} holdoutPercent={holdoutPercent} />
    </Modal>
  );
}
