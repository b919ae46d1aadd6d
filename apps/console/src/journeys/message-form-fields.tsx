// A LINE step's messages in the step form: up to five, each a text, a flex message written as JSON
// (checked as LINE takes it, each problem under the field with its JSON path, and shown as the
// phone shows it), or a coupon (a flex message made from a coupon template). Messages of other
// types are shown and kept.
import { Button, Form, Input, Select, Space } from 'antd';
import { useState } from 'react';
import { useT } from '../i18n/locale.tsx';
import { couponFlexMessage } from './coupon-message.ts';
import type { EditorT } from './editor-labels.ts';
import { editorMessages } from './editor-messages.ts';
import { LineBubbles } from './line-bubble.tsx';
import {
  FLEX_EXAMPLE,
  type FlexProblemCode,
  flexProblems,
  type JsonProblem,
  MAX_MESSAGES,
  type MessageValue,
} from './message-values.ts';
import { journeyMessages } from './messages.ts';
import type { StepChoices } from './step-fields.ts';

export function MessageFields({ choices }: { choices: StepChoices }) {
  const te = useT(editorMessages);
  const form = Form.useFormInstance();
  const messages = (Form.useWatch('messages', { form, preserve: true }) ?? []) as MessageValue[];
  const [couponOpen, setCouponOpen] = useState(false);
  return (
    <Form.List name="messages">
      {(fields, { add, remove }) => (
        <>
          {fields.map((field, i) => (
            <div key={field.key} style={{ position: 'relative' }}>
              <OneMessage index={i} count={fields.length} value={messages[i]} />
              {fields.length > 1 && (
                <Button
                  size="small"
                  style={{ position: 'absolute', top: 0, right: 0 }}
                  onClick={() => remove(i)}
                  aria-label={te('removeMessageAria', { n: i + 1 })}
                >
                  {te('removeMessage')}
                </Button>
              )}
            </div>
          ))}
          {fields.length < MAX_MESSAGES && (
            <Space wrap style={{ marginBottom: 16 }}>
              <Button onClick={() => add({ type: 'text', text: '' })}>＋ {te('addText')}</Button>
              <Button onClick={() => add({ type: 'flex', json: FLEX_EXAMPLE })}>＋ {te('addFlex')}</Button>
              {choices.coupons.length > 0 &&
                (couponOpen ? (
                  <Select
                    aria-label={te('addCoupon')}
                    placeholder={te('chooseCoupon')}
                    style={{ width: 260 }}
                    defaultOpen
                    options={choices.coupons.map((c) => ({ value: c.id, label: c.name }))}
                    onChange={(id: number) => {
                      const coupon = choices.coupons.find((c) => c.id === id);
                      if (coupon)
                        add({ type: 'flex', json: JSON.stringify(couponFlexMessage(coupon), null, 2) });
                      setCouponOpen(false);
                    }}
                  />
                ) : (
                  <Button onClick={() => setCouponOpen(true)}>＋ {te('addCoupon')}</Button>
                ))}
            </Space>
          )}
        </>
      )}
    </Form.List>
  );
}

const FLEX_KEYS = {
  syntax: 'flexSyntax',
  object: 'flexObject',
  type: 'flexType',
  altText: 'flexAltText',
  contents: 'flexContents',
  contentsType: 'flexContentsType',
  carousel: 'flexCarousel',
} as const satisfies Record<FlexProblemCode, string>;

/** 「altText: 通知に表示する文…」: a problem under the field, with its JSON path. */
function flexProblemText(p: JsonProblem, te: EditorT): string {
  const text = te(FLEX_KEYS[p.code], { line: p.line ?? 0, column: p.column ?? 0 });
  return p.path ? `${p.path}: ${text}` : text;
}

function OneMessage({ index, count, value }: { index: number; count: number; value?: MessageValue }) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const n = count > 1 ? ` ${index + 1}` : '';
  if (value?.type === 'flex') {
    const problems = flexProblems(value.json);
    return (
      <>
        <Form.Item
          name={[index, 'json']}
          label={`${te('flexJson')}${n}`}
          extra={te('flexHint')}
          rules={[
            {
              validator: (_, json: string) => {
                const found = flexProblems(json ?? '');
                return found.length
                  ? Promise.reject(new Error(found.map((p) => flexProblemText(p, te)).join(' / ')))
                  : Promise.resolve();
              },
            },
          ]}
        >
          <Input.TextArea autoSize={{ minRows: 6, maxRows: 16 }} style={{ fontFamily: 'monospace' }} />
        </Form.Item>
        {problems.length === 0 && (
          <div style={{ marginBottom: 16 }}>
            <LineBubbles
              messages={[JSON.parse(value.json)]}
              otherLabel={(type) => t('otherMessage', { type })}
            />
          </div>
        )}
      </>
    );
  }
  if (value?.type === 'other')
    return (
      <div style={{ marginBottom: 16 }}>
        <LineBubbles messages={[value.message]} otherLabel={(type) => t('otherMessage', { type })} />
      </div>
    );
  return (
    <Form.Item
      name={[index, 'text']}
      label={`${t('messageText')}${n}`}
      extra={t('messageHint')}
      rules={[{ required: true, whitespace: true, message: te('messageRequired') }]}
    >
      {/* Room under the box for its character count, which would otherwise sit on the hint. */}
      <Input.TextArea
        autoSize={{ minRows: 3, maxRows: 10 }}
        maxLength={5000}
        showCount
        style={{ marginBottom: 20 }}
      />
    </Form.Item>
  );
}
