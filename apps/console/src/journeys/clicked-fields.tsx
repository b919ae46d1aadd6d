// The fields of a "message clicked" branch (メッセージのリンクをクリックしたか): one of the messages
// sent before this point, and the window (days and hours, from one hour to the server's 90 days).
import { Alert, Form, InputNumber, Select, Space, Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { editorMessages } from './editor-messages.ts';
import { MAX_CLICK_DAYS, type StepChoices } from './step-fields.ts';

export function ClickedFields({ choices }: { choices: StepChoices }) {
  const te = useT(editorMessages);
  if (choices.messages.length === 0) return <Alert type="warning" showIcon title={te('clickedNoMessages')} />;
  return (
    <>
      <Typography.Paragraph type="secondary">{te('clickedHint')}</Typography.Paragraph>
      <Form.Item
        name="clickedNodeId"
        label={te('clickedMessage')}
        rules={[{ required: true, message: te('clickedMessageRequired') }]}
      >
        <Select options={choices.messages.map((m) => ({ value: m.id, label: m.name }))} />
      </Form.Item>
      <Space size="large" wrap align="start">
        <Form.Item name="clickedDays" label={te('clickedDays')}>
          <InputNumber min={0} max={MAX_CLICK_DAYS} precision={0} />
        </Form.Item>
        <Form.Item
          name="clickedHours"
          label={te('clickedHours')}
          dependencies={['clickedDays']}
          rules={[
            ({ getFieldValue }) => ({
              validator: (_, hours) => {
                const total = (getFieldValue('clickedDays') ?? 0) * 24 + (hours ?? 0);
                return total >= 1 && total <= MAX_CLICK_DAYS * 24
                  ? Promise.resolve()
                  : Promise.reject(new Error(te('clickedWindow')));
              },
            }),
          ]}
        >
          <InputNumber min={0} max={23} precision={0} />
        </Form.Item>
      </Space>
    </>
  );
}
