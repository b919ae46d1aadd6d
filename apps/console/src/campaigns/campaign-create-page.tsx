// A new campaign: the audience (a segment), the LINE channel, the message text with Liquid (one or
// more A/B variants with weights), the holdout and the attribution window. It saves a draft; the
// campaign page then shows the cost estimate and sends or schedules it.
import {
  App as AntApp,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Typography,
} from 'antd';
import { Link, useNavigate } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useSegments } from '../segments/queries.ts';
import { campaignMessages } from './messages.ts';
import { useCreateCampaign, useLineChannels } from './queries.ts';

interface CampaignForm {
  name: string;
  channelId: string;
  segmentId: number;
  holdoutPercent: number;
  attributionDays: number;
  quietHours: 'hold' | 'skip';
  variants: { weight: number; text: string }[];
}

const KEYS = ['A', 'B', 'C', 'D', 'E'] as const;

export function CampaignCreatePage() {
  const t = useT(campaignMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const channels = useLineChannels();
  const segments = useSegments();
  const create = useCreateCampaign();
  const [form] = Form.useForm<CampaignForm>();

  if (channels.isPending || segments.isPending) return <Loading />;
  if (channels.isError) return <ErrorState error={channels.error} retry={() => channels.refetch()} />;
  if (segments.isError) return <ErrorState error={segments.error} retry={() => segments.refetch()} />;

  const submit = (values: CampaignForm) =>
    create.mutate(
      {
        name: values.name,
        channelId: values.channelId,
        audience: { segmentId: values.segmentId },
        holdoutPercent: values.holdoutPercent,
        attributionDays: values.attributionDays,
        quietHours: values.quietHours,
        variants: values.variants.map((v, i) => ({
          key: KEYS[i] ?? 'A',
          weight: v.weight,
          messages: [{ type: 'text', text: v.text }],
        })),
      },
      {
        onSuccess: (campaign) => {
          message.success(t('created', { name: campaign.name }));
          navigate(`/campaigns/${campaign.id}`);
        },
        onError: (error) => message.error(t('createFailed', { reason: error.message })),
      },
    );

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%', maxWidth: 820 }}>
      <Link to="/campaigns">← {t('back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('createTitle')}
      </Typography.Title>
      {channels.data.items.length === 0 ? (
        <EmptyState title={t('noChannel')} next={t('noChannelNext')} />
      ) : (
        <Form<CampaignForm>
          form={form}
          layout="vertical"
          onFinish={submit}
          initialValues={{
            channelId: channels.data.items[0]?.id,
            holdoutPercent: 10,
            attributionDays: 7,
            quietHours: 'hold',
            variants: [{ weight: 1, text: '' }],
          }}
        >
          <Form.Item
            name="name"
            label={t('name')}
            rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          <Space size="large" wrap style={{ width: '100%' }}>
            <Form.Item
              name="segmentId"
              label={t('segment')}
              rules={[{ required: true, message: t('segmentRequired') }]}
              extra={segments.data.items.length === 0 ? t('noSegment') : undefined}
            >
              <Select
                style={{ width: 360 }}
                options={segments.data.items.map((s) => ({
                  value: s.id,
                  label: t('segmentOption', { name: s.name, count: formatNumber(s.memberCount, lang) }),
                }))}
              />
            </Form.Item>
            <Form.Item
              name="channelId"
              label={t('channel')}
              rules={[{ required: true, message: t('channelRequired') }]}
            >
              <Select
                style={{ width: 280 }}
                options={channels.data.items.map((c) => ({ value: c.id, label: c.name }))}
              />
            </Form.Item>
          </Space>
          <Space size="large" wrap>
            <Form.Item name="holdoutPercent" label={t('holdoutPercent')} extra={t('holdoutHint')}>
              <InputNumber min={0} max={50} precision={2} />
            </Form.Item>
            <Form.Item name="attributionDays" label={t('attributionDays')}>
              <InputNumber min={1} max={90} precision={0} />
            </Form.Item>
            <Form.Item name="quietHours" label={t('quietHours')}>
              <Radio.Group
                options={[
                  { value: 'hold', label: t('quietHold') },
                  { value: 'skip', label: t('quietSkip') },
                ]}
              />
            </Form.Item>
          </Space>
          <Typography.Title level={2} style={{ fontSize: 18 }}>
            {t('variants')}
          </Typography.Title>
          <Form.List name="variants">
            {(fields, { add, remove }) => (
              <Space direction="vertical" style={{ width: '100%' }}>
                {fields.map((field, i) => (
                  <Card
                    key={field.key}
                    size="small"
                    title={t('variant', { key: KEYS[i] ?? '' })}
                    extra={
                      fields.length > 1 && (
                        <Button size="small" onClick={() => remove(field.name)}>
                          {t('removeVariant', { key: KEYS[i] ?? '' })}
                        </Button>
                      )
                    }
                  >
                    <Form.Item
                      name={[field.name, 'text']}
                      label={t('messageText')}
                      extra={t('messageHint')}
                      rules={[{ required: true, whitespace: true, message: t('messageRequired') }]}
                    >
                      <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={5000} showCount />
                    </Form.Item>
                    {fields.length > 1 && (
                      <Form.Item name={[field.name, 'weight']} label={t('weight')}>
                        <InputNumber min={1} max={100} precision={0} />
                      </Form.Item>
                    )}
                  </Card>
                ))}
                {fields.length < KEYS.length && (
                  <Button onClick={() => add({ weight: 1, text: '' })}>{t('addVariant')}</Button>
                )}
              </Space>
            )}
          </Form.List>
          <Space style={{ marginTop: 24 }}>
            <Button type="primary" htmlType="submit" loading={create.isPending}>
              {t('saveDraft')}
            </Button>
            <Button onClick={() => navigate('/campaigns')}>{t('cancel')}</Button>
          </Space>
        </Form>
      )}
    </Space>
  );
}
