// Creating a journey from one of the server's templates: pick a template, name it, choose the
// coupon its coupon step grants (the templates carry id 1 as a stand-in), and a draft is made.
import { Alert, App as AntApp, Button, Form, Input, Modal, Radio, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { ErrorState, Loading } from '../app/states.tsx';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useCouponTemplates } from '../loyalty/queries.ts';
import { asDefinition, grantsCoupon, withCouponTemplate } from './definition-view.ts';
import { journeyMessages } from './messages.ts';
import { useCreateJourney, useJourneyTemplates } from './queries.ts';

interface CreateForm {
  templateId: string;
  name: string;
  couponTemplateId?: number;
}

export function CreateJourneyButton() {
  const t = useT(journeyMessages);
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('create')}
      </Button>
      {open && <CreateJourneyModal onClose={() => setOpen(false)} />}
    </>
  );
}

function CreateJourneyModal({ onClose }: { onClose: () => void }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const templates = useJourneyTemplates(true);
  const coupons = useCouponTemplates();
  const create = useCreateJourney();
  const [form] = Form.useForm<CreateForm>();
  const templateId = Form.useWatch('templateId', form);
  const chosen = templates.data?.items.find((tpl) => tpl.id === templateId);
  const chosenDefinition = chosen ? asDefinition(chosen.definition) : null;
  const activeCoupons = (coupons.data?.items ?? []).filter((c) => c.active !== false);

  const submit = (values: CreateForm) => {
    if (!chosenDefinition) return;
    const definition =
      values.couponTemplateId !== undefined
        ? withCouponTemplate(chosenDefinition, values.couponTemplateId)
        : chosenDefinition;
    create.mutate(
      { name: values.name, definition },
      {
        onSuccess: (journey) => {
          message.success(t('created', { name: journey.name }));
          onClose();
          navigate(`/journeys/${journey.id}`);
        },
        onError: (error) => message.error(t('createFailed', { reason: error.message })),
      },
    );
  };

  return (
    <Modal
      open
      title={t('createTitle')}
      onCancel={onClose}
      okText={t('createOk')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'create-journey', loading: create.isPending }}
      width={640}
    >
      {templates.isPending ? (
        <Loading />
      ) : templates.isError ? (
        <ErrorState error={templates.error} retry={() => templates.refetch()} />
      ) : (
        <Form
          id="create-journey"
          form={form}
          layout="vertical"
          onFinish={submit}
          onValuesChange={(changed: Partial<CreateForm>) => {
            const tpl = templates.data.items.find((x) => x.id === changed.templateId);
            if (tpl) form.setFieldValue('name', tpl.name[lang]);
            if (tpl && activeCoupons[0] && form.getFieldValue('couponTemplateId') === undefined)
              form.setFieldValue('couponTemplateId', activeCoupons[0].id);
          }}
        >
          <Form.Item
            name="templateId"
            label={t('templates')}
            rules={[{ required: true, message: t('templateRequired') }]}
          >
            <Radio.Group style={{ width: '100%' }}>
              <Space direction="vertical" style={{ width: '100%' }}>
                {templates.data.items.map((tpl) => (
                  <Radio key={tpl.id} value={tpl.id}>
                    <strong>{tpl.name[lang]}</strong>
                    <Typography.Text type="secondary" style={{ display: 'block' }}>
                      {tpl.description[lang]}
                    </Typography.Text>
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          <Form.Item
            name="name"
            label={t('journeyName')}
            rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
          >
            <Input maxLength={200} />
          </Form.Item>
          {chosenDefinition &&
            grantsCoupon(chosenDefinition) &&
            (activeCoupons.length > 0 ? (
              <Form.Item name="couponTemplateId" label={t('coupon')} extra={t('couponHint')}>
                <Select options={activeCoupons.map((c) => ({ value: c.id, label: c.name }))} />
              </Form.Item>
            ) : (
              <Alert type="warning" showIcon title={t('noCoupons')} />
            ))}
        </Form>
      )}
    </Modal>
  );
}
