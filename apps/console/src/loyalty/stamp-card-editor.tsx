// A new or an existing stamp card: stamps to fill it, per visit or per purchase (of at least ¥X),
// a daily limit, and the coupons it gives at the goal and at midpoints. The goal and rewards of a
// card customers have started are fixed: the server refuses them and the field says why.
import {
  Alert,
  App as AntApp,
  Button,
  Form,
  Input,
  InputNumber,
  Modal,
  Radio,
  Select,
  Space,
  Switch,
} from 'antd';
import { ApiError } from '../api/client.ts';
import { useT } from '../i18n/locale.tsx';
import { editMessages } from './edit-messages.ts';
import {
  type StampCard,
  type StampCardInput,
  useCouponTemplates,
  useCreateStampCard,
  useUpdateStampCard,
} from './queries.ts';

type StampCardForm = StampCardInput & { active?: boolean };

export function StampCardEditor(props: { open: boolean; onClose(): void; card?: StampCard }) {
  const t = useT(editMessages);
  const { message } = AntApp.useApp();
  const create = useCreateStampCard();
  const update = useUpdateStampCard(props.card?.id ?? 0);
  const card = props.card;
  const coupons = useCouponTemplates();
  const [form] = Form.useForm<StampCardForm>();
  const stampPer = Form.useWatch('stampPer', form);
  const onFinish = async (f: StampCardForm) => {
    try {
      const body = { ...f, name: f.name.trim(), rewards: f.rewards ?? [] };
      if (card) {
        const saved = await update.mutateAsync({ ...body, maxPerDay: body.maxPerDay ?? null });
        message.success(t('stampCardUpdated', { name: saved.name }));
      } else {
        if (body.maxPerDay === null) delete body.maxPerDay;
        delete body.active;
        const created = await create.mutateAsync(body);
        message.success(t('stampCardCreated', { name: created.name }));
        form.resetFields();
      }
      props.onClose();
    } catch (error) {
      const locked = error instanceof ApiError && error.reason === 'stamp_card_terms_locked';
      const fields =
        error instanceof ApiError ? error.problems.filter((p) => /^[a-zA-Z]+$/.test(p.path)) : [];
      if (fields.length)
        form.setFields(
          fields.map((p) => ({
            name: p.path as keyof StampCardForm,
            errors: [locked ? t('problem.locked') : p.message],
          })),
        );
      message.error(`${t('failed')}: ${(error as Error).message}`);
    }
  };
  const couponOptions = coupons.data?.items.map((c) => ({ value: c.id, label: c.name }));
  return (
    <Modal
      title={card ? t('editStampCard') : t('newStampCard')}
      open={props.open}
      onCancel={props.onClose}
      footer={null}
      width={640}
      destroyOnHidden
    >
      {card && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('stampCardLockNote')} />}
      <Form<StampCardForm>
        form={form}
        layout="vertical"
        onFinish={onFinish}
        initialValues={
          card
            ? {
                name: card.name,
                stampsRequired: card.stampsRequired,
                stampPer: card.stampPer === 'order' ? 'order' : 'visit',
                minOrderTotal: card.minOrderTotal,
                ...(card.maxPerDay ? { maxPerDay: card.maxPerDay } : {}),
                rewards: card.rewards,
                active: card.active,
              }
            : { stampsRequired: 10, stampPer: 'visit', minOrderTotal: 0, maxPerDay: 1, rewards: [] }
        }
      >
        <Form.Item
          name="name"
          label={t('stampCardName')}
          rules={[
            { required: true, whitespace: true, message: t('required', { field: t('stampCardName') }) },
          ]}
        >
          <Input maxLength={200} />
        </Form.Item>
        <Space wrap size="large">
          <Form.Item name="stampsRequired" label={t('stampsRequired')} rules={[{ required: true }]}>
            <InputNumber<number> min={1} max={100} style={{ width: 140 }} />
          </Form.Item>
          <Form.Item name="stampPer" label={t('stampPer')}>
            <Radio.Group
              optionType="button"
              options={(['visit', 'order'] as const).map((k) => ({ value: k, label: t(`stampPer.${k}`) }))}
            />
          </Form.Item>
          {stampPer === 'order' && (
            <Form.Item name="minOrderTotal" label={t('minOrderTotal')}>
              <InputNumber<number> min={0} max={100_000_000} prefix="￥" style={{ width: 160 }} />
            </Form.Item>
          )}
          <Form.Item name="maxPerDay" label={t('maxPerDay')}>
            <InputNumber<number> min={1} max={100} style={{ width: 140 }} />
          </Form.Item>
        </Space>
        <Form.List name="rewards">
          {(fields, { add, remove }) => (
            <>
              {fields.map((field) => (
                <Space key={field.key} wrap align="end">
                  <Form.Item name={[field.name, 'at']} label={t('rewardAt')} rules={[{ required: true }]}>
                    <InputNumber<number> min={1} max={100} style={{ width: 110 }} />
                  </Form.Item>
                  <Form.Item
                    name={[field.name, 'couponTemplateId']}
                    label={t('rewardCoupon')}
                    rules={[{ required: true }]}
                  >
                    <Select style={{ width: 260 }} options={couponOptions} />
                  </Form.Item>
                  <Form.Item>
                    <Button onClick={() => remove(field.name)}>{t('remove')}</Button>
                  </Form.Item>
                </Space>
              ))}
              <Button
                type="dashed"
                onClick={() => add({ at: form.getFieldValue('stampsRequired') ?? 10 })}
                disabled={!couponOptions?.length}
              >
                ＋ {t('addReward')}
              </Button>
            </>
          )}
        </Form.List>
        {card && (
          <Form.Item
            name="active"
            label={t('stampCardActive')}
            valuePropName="checked"
            style={{ marginTop: 16 }}
          >
            <Switch />
          </Form.Item>
        )}
        <Space style={{ marginTop: 16, width: '100%', justifyContent: 'flex-end' }}>
          <Button onClick={props.onClose}>{t('cancel')}</Button>
          <Button type="primary" htmlType="submit" loading={create.isPending || update.isPending}>
            {t('save')}
          </Button>
        </Space>
      </Form>
    </Modal>
  );
}
