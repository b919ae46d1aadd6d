// The form of one step, for adding a step and for editing one, from the step list and the flow
// chart alike: a LINE message, an email (a template or MJML), LINE else email, a wait (a length of time, 「3日後の10:00」, or a weekday), a wait for an
// action (「7日以内に購入があったか」), a branch on a segment, at random or on a message's clicks,
// a coupon, points, a tag, a customer attribute, or the rich menu switched or restored.
import { Form, Modal, Radio, Space } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { ActionFields } from './action-form-fields.tsx';
import type { JourneyNodeView } from './definition-view.ts';
import { editorMessages } from './editor-messages.ts';
import type { NewStep } from './journey-draft.ts';
import { MessageFields } from './message-form-fields.tsx';
import { journeyMessages } from './messages.ts';
import {
  defaultValues,
  STEP_KINDS,
  type StepChoices,
  type StepKind,
  type StepValues,
  stepOf,
  valuesOf,
} from './step-fields.ts';
import {
  BothFields,
  BranchFields,
  EmailFields,
  WaitFields,
  WaitForEventFields,
} from './step-form-fields.tsx';

const KIND_KEYS = {
  sendLine: 'kindSendLine',
  sendEmail: 'kindSendEmail',
  sendBoth: 'kindSendBoth',
  wait: 'kindWait',
  waitForEvent: 'kindWaitForEvent',
  branch: 'kindBranch',
  action: 'kindAction',
} as const satisfies Record<StepKind, string>;

export function StepFormModal({
  node,
  choices,
  onApply,
  onClose,
}: {
  /** The step to edit; null to add one. */
  node: JourneyNodeView | null;
  choices: StepChoices;
  onApply: (step: NewStep) => void;
  onClose: () => void;
}) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const [form] = Form.useForm<StepValues>();
  const initial = node ? valuesOf(node, choices.segments) : defaultValues('sendLine');
  const kind = (Form.useWatch('kind', form) ?? initial.kind) as StepKind;
  const title = !node
    ? te('addTitle')
    : node.type === 'send' && kind === 'sendLine'
      ? t('editMessage')
      : node.type === 'wait'
        ? t('editWait')
        : te('editTitle');
  // The form's errors in the settings screens' darker red (4.5:1 on white; antd's is 3.4:1).
  return (
    <PageTheme>
      <Modal
        open
        title={title}
        onCancel={onClose}
        okText={t('apply')}
        cancelText={t('cancel')}
        okButtonProps={{ htmlType: 'submit', form: 'step-form' }}
        width={640}
        destroyOnHidden
      >
        <Form
          id="step-form"
          form={form}
          layout="vertical"
          initialValues={initial}
          // The whole store: a message's type and kept fields are values no input shows.
          onFinish={() =>
            onApply(stepOf({ ...initial, ...form.getFieldsValue(true) }, node, choices.segments))
          }
          onValuesChange={(changed: Partial<StepValues>) => {
            if (!changed.kind) return;
            // Without saved templates, an email is written in the step.
            const inline = choices.emailTemplates.length === 0 ? { emailMode: 'inline' as const } : {};
            const email = changed.kind === 'sendEmail' || changed.kind === 'sendBoth' ? inline : {};
            form.setFieldsValue({ ...defaultValues(changed.kind), ...email, kind: changed.kind });
          }}
        >
          <Form.Item name="kind" label={te('kind')} hidden={node !== null}>
            <Radio.Group>
              <Space direction="vertical">
                {STEP_KINDS.map((k) => (
                  <Radio key={k} value={k}>
                    {te(KIND_KEYS[k])}
                  </Radio>
                ))}
              </Space>
            </Radio.Group>
          </Form.Item>
          <KindFields kind={kind} node={node} choices={choices} />
        </Form>
      </Modal>
    </PageTheme>
  );
}

function KindFields({
  kind,
  node,
  choices,
}: {
  kind: StepKind;
  node: JourneyNodeView | null;
  choices: StepChoices;
}) {
  switch (kind) {
    case 'sendLine':
      return <MessageFields choices={choices} />;
    case 'sendEmail':
      return <EmailFields choices={choices} />;
    case 'sendBoth':
      return <BothFields choices={choices} />;
    case 'wait':
      return <WaitFields />;
    case 'waitForEvent':
      return <WaitForEventFields />;
    case 'branch':
      return <BranchFields node={node} choices={choices} />;
    case 'action':
      return <ActionFields choices={choices} />;
  }
}
