// The form of one step, for adding a step and for editing one, from the step list and the flow
// chart alike: a LINE message, an email (when the workspace has email templates), a wait (a
// length of time, 「3日後の10:00」, or a weekday), a wait for an action (「7日以内に購入があったか」),
// a branch on a segment or at random, a coupon, points or a tag.
import { Form, Modal, Radio, Space } from 'antd';
import { useT } from '../i18n/locale.tsx';
import type { JourneyNodeView } from './definition-view.ts';
import { editorMessages } from './editor-messages.ts';
import type { NewStep } from './journey-draft.ts';
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
  ActionFields,
  BranchFields,
  EmailFields,
  MessageFields,
  WaitFields,
  WaitForEventFields,
} from './step-form-fields.tsx';

const KIND_KEYS = {
  sendLine: 'kindSendLine',
  sendEmail: 'kindSendEmail',
  wait: 'kindWait',
  waitForEvent: 'kindWaitForEvent',
  branch: 'kindBranch',
  action: 'kindAction',
} as const;

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
  const kinds = STEP_KINDS.filter((k) => k !== 'sendEmail' || choices.emailTemplates.length > 0);
  const title = !node
    ? te('addTitle')
    : node.type === 'send' && kind === 'sendLine'
      ? t('editMessage')
      : node.type === 'wait'
        ? t('editWait')
        : te('editTitle');
  return (
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
        onFinish={(values) => onApply(stepOf({ ...initial, ...values }, node, choices.segments))}
        onValuesChange={(changed: Partial<StepValues>) => {
          if (changed.kind) form.setFieldsValue({ ...defaultValues(changed.kind), kind: changed.kind });
        }}
      >
        <Form.Item name="kind" label={te('kind')} hidden={node !== null}>
          <Radio.Group>
            <Space direction="vertical">
              {kinds.map((k) => (
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
      return <MessageFields node={node} />;
    case 'sendEmail':
      return <EmailFields choices={choices} />;
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
