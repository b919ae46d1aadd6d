// The journey's start and end: its trigger, whether a customer may enter again, its goal, what a
// send in quiet hours does and its holdout (control group), shown in one line each and changed in
// one dialog.
import { Button, Checkbox, Descriptions, Form, InputNumber, Modal, Radio, Select, Space } from 'antd';
import { useState } from 'react';
import { useLocale, useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { editorMessages } from './editor-messages.ts';
import { eventName, triggerLabel } from './journey-labels.ts';
import { journeyMessages } from './messages.ts';
import {
  type SettingsValues,
  sameTrigger,
  settingsOf,
  settingsValuesOf,
  TRIGGER_KINDS,
  triggerOf,
  validHoldout,
} from './settings-fields.ts';
import { WAIT_EVENTS } from './step-fields.ts';

const KIND_KEYS = {
  friend: 'tFriendAdded',
  segment: 'tSegmentEntered',
  order: 'tOrder',
  birthday: 'tBirthday',
  sinceOrder: 'tDaysSinceOrder',
  sinceVisit: 'tDaysSinceVisit',
  visitCycle: 'tVisitCycle',
} as const;

export interface JourneySettingsProps {
  trigger: Record<string, unknown>;
  settings: Record<string, unknown>;
  segments: readonly { id: number; name: string }[];
  /** Absent when the user may not edit. */
  onChange?: (trigger: Record<string, unknown>, settings: Record<string, unknown>) => void;
}

export function JourneySettings(props: JourneySettingsProps) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const [open, setOpen] = useState(false);
  const { trigger, settings } = props;
  const segmentName = props.segments.find((s) => s.id === trigger.segmentId)?.name;
  const reentry = settings.reentry;
  const goal = settings.goal as { event: string; withinDays: number } | undefined;
  return (
    <>
      <Descriptions
        size="small"
        bordered
        column={1}
        title={te('settingsTitle')}
        extra={
          props.onChange && (
            <Button onClick={() => setOpen(true)} className="kz-settings-edit">
              {te('settingsEdit')}
            </Button>
          )
        }
        items={[
          {
            key: 'trigger',
            label: t('trigger'),
            children: segmentName
              ? `${te('tSegmentEntered')}: ${segmentName}`
              : triggerLabel(trigger, t, lang),
          },
          {
            key: 'reentry',
            label: te('reentry'),
            children:
              typeof reentry === 'object' && reentry !== null
                ? te('reentryAfterDaysValue', { days: (reentry as { afterDays: number }).afterDays })
                : te(reentry === 'after_exit' ? 'reentryAfterExitValue' : 'reentryNeverValue'),
          },
          {
            key: 'goal',
            label: t('goal'),
            children: goal
              ? t('goalValue', { days: goal.withinDays, event: eventName(goal.event, lang) })
              : te('noGoal'),
          },
          {
            key: 'quietHours',
            label: te('quietHours'),
            children: te(settings.quietHours === 'skip' ? 'quietSkip' : 'quietHold'),
          },
          {
            key: 'holdout',
            label: t('holdout'),
            children:
              typeof settings.holdoutPercent === 'number'
                ? t('holdoutValue', { percent: settings.holdoutPercent })
                : t('noHoldout'),
          },
        ]}
      />
      {open && props.onChange && (
        <SettingsModal {...props} onChange={props.onChange} onClose={() => setOpen(false)} />
      )}
    </>
  );
}

function SettingsModal({
  trigger,
  settings,
  segments,
  onChange,
  onClose,
}: JourneySettingsProps & {
  onChange: NonNullable<JourneySettingsProps['onChange']>;
  onClose: () => void;
}) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const [form] = Form.useForm<SettingsValues>();
  const initial = settingsValuesOf(trigger, settings);
  const kind = Form.useWatch('triggerKind', form) ?? initial.triggerKind;
  const reentry = Form.useWatch('reentry', form) ?? initial.reentry;
  const goalOn = Form.useWatch('goalOn', form) ?? initial.goalOn;
  const holdoutOn = Form.useWatch('holdoutOn', form) ?? initial.holdoutOn;
  const apply = (values: SettingsValues) => {
    const all = { ...initial, ...values };
    const next = triggerOf(all, trigger);
    onChange(sameTrigger(next, trigger) ? trigger : next, settingsOf(all));
    onClose();
  };
  const kinds = [
    ...TRIGGER_KINDS.map((k) => ({ value: k, label: te(KIND_KEYS[k]) })),
    ...(initial.triggerKind === 'other'
      ? [{ value: 'other', label: te('tOther', { trigger: triggerLabel(trigger, t, lang) }) }]
      : []),
  ];
  // The form's errors in the settings screens' darker red (4.5:1 on white; antd's is 3.4:1).
  return (
    <PageTheme>
      <Modal
        open
        title={te('settingsDialog')}
        onCancel={onClose}
        okText={t('apply')}
        cancelText={t('cancel')}
        okButtonProps={{ htmlType: 'submit', form: 'journey-settings' }}
        width={640}
      >
        <Form id="journey-settings" form={form} layout="vertical" initialValues={initial} onFinish={apply}>
          <Form.Item name="triggerKind" label={te('triggerKind')}>
            <Select options={kinds} />
          </Form.Item>
          {kind === 'friend' && (
            <Form.Item name="follow" label={te('follow')}>
              <Radio.Group>
                <Radio value="all">{te('followAll')}</Radio>
                <Radio value="first">{te('followFirst')}</Radio>
                <Radio value="refollow">{te('followRefollow')}</Radio>
              </Radio.Group>
            </Form.Item>
          )}
          {kind === 'segment' && (
            <Form.Item
              name="segmentId"
              label={te('segment')}
              rules={[{ required: true, message: te('segmentRequired') }]}
            >
              <Select options={segments.map((s) => ({ value: s.id, label: s.name }))} />
            </Form.Item>
          )}
          {kind === 'birthday' && (
            <Form.Item
              name="daysBefore"
              label={te('daysBefore')}
              rules={[{ required: true, message: te('daysBefore') }]}
            >
              <InputNumber min={0} max={60} precision={0} />
            </Form.Item>
          )}
          {(kind === 'sinceOrder' || kind === 'sinceVisit') && (
            <Form.Item name="days" label={te('days')} rules={[{ required: true, message: te('days') }]}>
              <InputNumber min={1} max={3660} precision={0} />
            </Form.Item>
          )}
          {kind === 'visitCycle' && (
            <Form.Item name="cycleOf" label={te('cycleOf')}>
              <Radio.Group>
                <Radio value="visits">{te('ofVisits')}</Radio>
                <Radio value="orders">{te('ofOrders')}</Radio>
              </Radio.Group>
            </Form.Item>
          )}
          <Form.Item name="reentry" label={te('reentry')}>
            <Radio.Group>
              <Space direction="vertical">
                <Radio value="never">{te('reentryNever')}</Radio>
                <Radio value="after_exit">{te('reentryAfterExit')}</Radio>
                <Radio value="afterDays">{te('reentryAfterDays')}</Radio>
              </Space>
            </Radio.Group>
          </Form.Item>
          {reentry === 'afterDays' && (
            <Form.Item
              name="reentryDays"
              label={te('reentryDays')}
              rules={[{ required: true, message: te('reentryDays') }]}
            >
              <InputNumber min={1} max={3660} precision={0} />
            </Form.Item>
          )}
          <Form.Item name="goalOn" valuePropName="checked">
            <Checkbox>{te('goalOn')}</Checkbox>
          </Form.Item>
          {goalOn && (
            <Space size="large" wrap align="start">
              <Form.Item name="goalEvent" label={te('goalEvent')}>
                <Select
                  style={{ width: 220 }}
                  options={WAIT_EVENTS.map((e) => ({ value: e, label: eventName(e, lang) }))}
                />
              </Form.Item>
              <Form.Item
                name="goalDays"
                label={te('goalDays')}
                rules={[{ required: true, message: te('goalDays') }]}
              >
                <InputNumber min={1} max={3660} precision={0} />
              </Form.Item>
            </Space>
          )}
          <Form.Item name="quietHours" label={te('quietHours')} extra={te('quietHint')}>
            <Radio.Group>
              <Radio value="hold">{te('quietHold')}</Radio>
              <Radio value="skip">{te('quietSkip')}</Radio>
            </Radio.Group>
          </Form.Item>
          <Form.Item name="holdoutOn" valuePropName="checked" extra={te('holdoutHint')}>
            <Checkbox>{te('holdoutOn')}</Checkbox>
          </Form.Item>
          {holdoutOn && (
            <Form.Item
              name="holdoutPercent"
              label={te('holdoutPercent')}
              rules={[
                {
                  validator: (_, value) =>
                    validHoldout(value) ? Promise.resolve() : Promise.reject(new Error(te('holdoutInvalid'))),
                },
              ]}
            >
              <InputNumber min={0} max={50} step={1} />
            </Form.Item>
          )}
        </Form>
      </Modal>
    </PageTheme>
  );
}
