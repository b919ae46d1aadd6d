// The step list of step delivery as Japanese tools print it: each step with when it happens
// (「友だち追加直後」「3日後 10:00」「7日後」) and its message as the phone shows it. A role that may
// send edits a message's text or a wait here; the page saves the result as a new version.
import { Button, Form, Input, InputNumber, Modal, Space, Tag, Timeline, Typography } from 'antd';
import { useState } from 'react';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { JourneyNodeView, StepTiming } from './definition-view.ts';
import { messageText, parseDuration } from './definition-view.ts';
import { nodeSummary, nodeTypeLabel, timingLabel } from './journey-labels.ts';
import { LineBubbles } from './line-bubble.tsx';
import { journeyMessages } from './messages.ts';

export interface StepRow {
  node: JourneyNodeView;
  /** null in a branching journey, where a step's time depends on the path. */
  timing: StepTiming | null;
}

const DOT_COLORS: Record<string, string> = { send: 'green', wait: 'gray', action: 'blue', exit: 'gray' };

export function StepList({
  rows,
  trigger,
  couponNames,
  onEdit,
}: {
  rows: readonly StepRow[];
  trigger: string;
  couponNames?: ReadonlyMap<number, string>;
  /** Absent when the user may not edit (their role, or an archived journey). */
  onEdit?: (node: JourneyNodeView) => void;
}) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const [editing, setEditing] = useState<JourneyNodeView | null>(null);
  const items = rows.map(({ node, timing }) => ({
    key: node.id,
    color: DOT_COLORS[node.type] ?? 'blue',
    children: (
      <div className="kz-step" data-node={node.id}>
        <Space size="small" wrap>
          {timing && node.type !== 'wait' && node.type !== 'exit' && (
            <Tag color="blue" className="kz-step-timing">
              {timingLabel(timing, trigger, t, lang)}
            </Tag>
          )}
          <Typography.Text strong>{nodeTypeLabel(node.type, t)}</Typography.Text>
          {node.type === 'send' && node.channel === 'line_then_email' && (
            <Tag color="green">{t('channelLineThenEmail')}</Tag>
          )}
          {node.type === 'wait' && timing ? (
            <Typography.Text>
              {t('waitTill', { when: timingLabel(timing, trigger, t, lang) })}
            </Typography.Text>
          ) : (
            node.type !== 'send' && (
              <Typography.Text>{nodeSummary(node, t, lang, couponNames)}</Typography.Text>
            )
          )}
          {onEdit && (node.type === 'send' || (node.type === 'wait' && !node.weekday)) && (
            <Button
              size="small"
              onClick={() => setEditing(node)}
              aria-label={t('editAria', {
                what: `${timing && node.type !== 'wait' ? `${timingLabel(timing, trigger, t, lang)} ` : ''}${nodeTypeLabel(node.type, t)}${
                  node.type === 'wait'
                    ? ` ${nodeSummary(node, t, lang)}`
                    : timing
                      ? ''
                      : ` ${node.label ?? node.id}`
                }`,
              })}
            >
              {t('edit')}
            </Button>
          )}
        </Space>
        {node.type === 'send' && (
          <div style={{ marginTop: 8 }}>
            <LineBubbles messages={node.messages ?? []} otherLabel={(type) => t('otherMessage', { type })} />
          </div>
        )}
      </div>
    ),
  }));
  return (
    <>
      <Timeline items={items} />
      {editing && onEdit && (
        <EditNodeModal
          node={editing}
          onClose={() => setEditing(null)}
          onApply={(node) => {
            onEdit(node);
            setEditing(null);
          }}
        />
      )}
    </>
  );
}

interface EditForm {
  texts?: string[];
  days?: number;
  at?: string;
  hours?: number;
}

function EditNodeModal({
  node,
  onClose,
  onApply,
}: {
  node: JourneyNodeView;
  onClose: () => void;
  onApply: (node: JourneyNodeView) => void;
}) {
  const t = useT(journeyMessages);
  const [form] = Form.useForm<EditForm>();
  const messages = node.messages ?? [];
  const duration = node.duration ? parseDuration(node.duration) : null;
  const initial: EditForm =
    node.type === 'send'
      ? { texts: messages.map((m) => messageText(m) ?? '') }
      : node.until
        ? { days: node.until.dayOffset, at: node.until.at }
        : { days: duration?.days ?? 0, hours: duration?.hours ?? 0 };

  const apply = (values: EditForm) => {
    if (node.type === 'send') {
      const texts = values.texts ?? [];
      onApply({
        ...node,
        messages: messages.map((m, i) =>
          messageText(m) !== null ? { ...(m as object), text: texts[i] ?? '' } : m,
        ),
      });
    } else if (node.until) {
      onApply({ ...node, until: { dayOffset: values.days ?? 0, at: values.at ?? '10:00' } });
    } else {
      const days = values.days ?? 0;
      const hours = values.hours ?? 0;
      onApply({
        ...node,
        duration: `P${days > 0 ? `${days}D` : ''}${hours > 0 ? `T${hours}H` : ''}` || 'PT0H',
      });
    }
  };

  return (
    <Modal
      open
      title={t(node.type === 'send' ? 'editMessage' : 'editWait')}
      onCancel={onClose}
      okText={t('apply')}
      cancelText={t('cancel')}
      okButtonProps={{ htmlType: 'submit', form: 'edit-node' }}
      width={600}
    >
      <Form id="edit-node" form={form} layout="vertical" initialValues={initial} onFinish={apply}>
        {node.type === 'send' ? (
          messages.map((m, i) =>
            messageText(m) !== null ? (
              <Form.Item
                // biome-ignore lint/suspicious/noArrayIndexKey: the message's place in the node
                key={i}
                name={['texts', i]}
                label={`${t('messageText')}${messages.length > 1 ? ` ${i + 1}` : ''}`}
                extra={t('messageHint')}
                rules={[{ required: true, whitespace: true, message: t('messageText') }]}
              >
                <Input.TextArea autoSize={{ minRows: 3, maxRows: 10 }} maxLength={5000} showCount />
              </Form.Item>
            ) : (
              // biome-ignore lint/suspicious/noArrayIndexKey: the message's place in the node
              <LineBubbles key={i} messages={[m]} otherLabel={(type) => t('otherMessage', { type })} />
            ),
          )
        ) : (
          <Space size="large" wrap>
            <Form.Item
              name="days"
              label={t(node.until ? 'waitDaysFromPrevious' : 'waitDays')}
              rules={[{ required: true, message: t('waitDays') }]}
            >
              <InputNumber min={0} max={365} precision={0} />
            </Form.Item>
            {node.until ? (
              <Form.Item
                name="at"
                label={t('waitAt')}
                rules={[
                  { required: true, pattern: /^([01]\d|2[0-3]):[0-5]\d$/, message: t('waitAtInvalid') },
                ]}
              >
                <Input style={{ width: 100 }} maxLength={5} />
              </Form.Item>
            ) : (
              <Form.Item name="hours" label={t('durationHours')}>
                <InputNumber min={0} max={23} precision={0} />
              </Form.Item>
            )}
          </Space>
        )}
      </Form>
    </Modal>
  );
}
