// The fields of each kind of step in the step form (step-form.tsx): a LINE message's texts, an
// email (a template or MJML), LINE else email, a wait, a wait for an action, a branch (the actions'
// fields are in action-form-fields.tsx).
import { Alert, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useSender } from '../email/queries.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { ClickedFields } from './clicked-fields.tsx';
import type { JourneyNodeView } from './definition-view.ts';
import { stepSummary } from './editor-labels.ts';
import { editorMessages } from './editor-messages.ts';
import { eventName } from './journey-labels.ts';
import { MessageFields } from './message-form-fields.tsx';
import { journeyMessages, WEEKDAY_NAMES } from './messages.ts';
import { type StepChoices, type StepValues, valuesOf, WAIT_EVENTS } from './step-fields.ts';

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;
/** The server's limit of inline MJML (email/email-source.ts). */
const MAX_INLINE_MJML = 100_000;

/** An email from a saved template or written in the step (subject and MJML), as the server checks it. */
export function EmailFields({ choices }: { choices: StepChoices }) {
  const te = useT(editorMessages);
  const mode = Form.useWatch('emailMode') as StepValues['emailMode'];
  // Asked only once an email step is chosen: without a sender the server refuses the save.
  const sender = useSender();
  return (
    <>
      {sender.data === null && (
        <Alert type="warning" showIcon title={te('noEmailSender')} style={{ marginBottom: 16 }} />
      )}
      <Form.Item name="emailMode" label={te('emailMode')}>
        <Radio.Group>
          <Space direction="vertical">
            <Radio value="template" disabled={choices.emailTemplates.length === 0}>
              {te('emailModeTemplate')}
            </Radio>
            <Radio value="inline">{te('emailModeInline')}</Radio>
          </Space>
        </Radio.Group>
      </Form.Item>
      {mode === 'inline' ? (
        <>
          <Form.Item
            name="emailSubject"
            label={te('emailSubject')}
            rules={[
              {
                required: true,
                whitespace: true,
                max: 300,
                pattern: /^[^\r\n]*$/,
                message: te('emailSubjectRequired'),
              },
            ]}
          >
            <Input maxLength={300} />
          </Form.Item>
          <Form.Item
            name="emailMjml"
            label={te('emailMjml')}
            extra={te('emailMjmlHint')}
            rules={[{ required: true, whitespace: true, message: te('emailMjmlRequired') }]}
          >
            <Input.TextArea
              autoSize={{ minRows: 6, maxRows: 16 }}
              maxLength={MAX_INLINE_MJML}
              style={{ fontFamily: 'monospace' }}
              placeholder="<mjml><mj-body>…</mj-body></mjml>"
            />
          </Form.Item>
        </>
      ) : (
        <Form.Item
          name="emailTemplateId"
          label={te('emailTemplate')}
          rules={[{ required: true, message: te('emailTemplateRequired') }]}
        >
          <Select options={choices.emailTemplates.map((e) => ({ value: e.id, label: e.name }))} />
        </Form.Item>
      )}
    </>
  );
}

/** LINE for reachable friends, else the mail (the engine's line_then_email). */
export function BothFields({ choices }: { choices: StepChoices }) {
  const te = useT(editorMessages);
  return (
    <>
      <Alert type="info" showIcon title={te('bothHint')} style={{ marginBottom: 16 }} />
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {te('lineHeading')}
      </Typography.Title>
      <MessageFields choices={choices} />
      <Typography.Title level={2} style={{ fontSize: 16 }}>
        {te('emailHeading')}
      </Typography.Title>
      <EmailFields choices={choices} />
    </>
  );
}

export function WaitFields() {
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const mode = Form.useWatch('waitMode') as StepValues['waitMode'];
  const at = (
    <Form.Item
      name="at"
      label={te('waitAt')}
      rules={[{ required: true, pattern: TIME, message: te('waitAtInvalid') }]}
    >
      <Input style={{ width: 100 }} maxLength={5} placeholder="10:00" />
    </Form.Item>
  );
  return (
    <>
      <Form.Item name="waitMode" label={te('waitMode')}>
        <Radio.Group>
          <Space direction="vertical">
            <Radio value="until">{te('waitModeUntil')}</Radio>
            <Radio value="duration">{te('waitModeDuration')}</Radio>
            <Radio value="weekday">{te('waitModeWeekday')}</Radio>
          </Space>
        </Radio.Group>
      </Form.Item>
      <Space size="large" wrap align="start">
        {mode !== 'weekday' && (
          <Form.Item name="days" label={te('waitDays')} rules={[{ required: true, message: te('waitDays') }]}>
            <InputNumber min={0} max={365} precision={0} />
          </Form.Item>
        )}
        {mode === 'duration' && (
          <Form.Item
            name="hours"
            label={te('waitHours')}
            dependencies={['days']}
            rules={[
              ({ getFieldValue }) => ({
                validator: (_, hours) =>
                  (getFieldValue('days') ?? 0) > 0 || (hours ?? 0) > 0
                    ? Promise.resolve()
                    : Promise.reject(new Error(te('waitDurationZero'))),
              }),
            ]}
          >
            <InputNumber min={0} max={23} precision={0} />
          </Form.Item>
        )}
        {mode === 'weekday' && (
          <Form.Item name="weekday" label={te('waitWeekday')} rules={[{ required: true }]}>
            <Select
              style={{ width: 120 }}
              options={Object.entries(WEEKDAY_NAMES[lang]).map(([value, label]) => ({ value, label }))}
            />
          </Form.Item>
        )}
        {mode !== 'duration' && at}
      </Space>
    </>
  );
}

export function WaitForEventFields() {
  const te = useT(editorMessages);
  const { lang } = useLocale();
  return (
    <Space size="large" wrap align="start">
      <Form.Item name="event" label={te('event')} rules={[{ required: true }]}>
        <Select
          style={{ width: 220 }}
          options={WAIT_EVENTS.map((e) => ({ value: e, label: eventName(e, lang) }))}
        />
      </Form.Item>
      <Form.Item
        name="withinDays"
        label={te('withinDays')}
        rules={[{ required: true, message: te('withinDays') }]}
      >
        <InputNumber min={1} max={365} precision={0} />
      </Form.Item>
    </Space>
  );
}

export function BranchFields({ node, choices }: { node: JourneyNodeView | null; choices: StepChoices }) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const mode = Form.useWatch('branchMode') as StepValues['branchMode'];
  const keepable = node?.type === 'branch' && valuesOf(node, []).branchMode === 'keep';
  return (
    <>
      <Form.Item name="branchMode" label={te('branchMode')}>
        <Radio.Group>
          <Space direction="vertical">
            <Radio value="segment">{te('branchSegment')}</Radio>
            <Radio value="random">{te('branchRandom')}</Radio>
            <Radio value="clicked">{te('branchClicked')}</Radio>
            {keepable && node && (
              <Radio value="keep">{te('branchKeep', { summary: stepSummary(node, t, te, lang) })}</Radio>
            )}
          </Space>
        </Radio.Group>
      </Form.Item>
      {mode === 'segment' &&
        (choices.segments.length > 0 ? (
          <Form.Item
            name="segmentId"
            label={te('segment')}
            rules={[{ required: true, message: te('segmentRequired') }]}
          >
            <Select options={choices.segments.map((s) => ({ value: s.id, label: s.name }))} />
          </Form.Item>
        ) : (
          <Alert type="warning" showIcon title={te('noSegments')} />
        ))}
      {mode === 'random' && (
        <Form.Item
          name="percent"
          label={te('randomPercent')}
          rules={[{ required: true, message: te('randomPercent') }]}
        >
          <InputNumber min={0} max={100} precision={0} />
        </Form.Item>
      )}
      {mode === 'clicked' && <ClickedFields choices={choices} />}
    </>
  );
}
