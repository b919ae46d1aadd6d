// The fields of an action step in the step form: a coupon, points, a tag added or removed, a
// customer attribute set (顧客情報を設定), the rich menu switched to one of the workspace's menus
// or restored.
import { Alert, Form, Input, InputNumber, Radio, Select, Space, Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { ACTION_KINDS, type ActionKind, type ActionValues } from './action-fields.ts';
import { editorMessages } from './editor-messages.ts';
import type { StepChoices } from './step-fields.ts';

const ACTION_KEYS = {
  grantCoupon: 'actionGrantCoupon',
  addPoints: 'actionAddPoints',
  addTag: 'actionAddTag',
  removeTag: 'actionRemoveTag',
  setAttribute: 'actionSetAttribute',
  linkRichMenu: 'actionLinkRichMenu',
  unlinkRichMenu: 'actionUnlinkRichMenu',
} as const satisfies Record<ActionKind, string>;

export function ActionFields({ choices }: { choices: StepChoices }) {
  const te = useT(editorMessages);
  const type = Form.useWatch('actionType') as ActionValues['actionType'];
  return (
    <>
      <Form.Item name="actionType" label={te('actionType')}>
        <Radio.Group>
          <Space direction="vertical">
            {ACTION_KINDS.map((k) => (
              <Radio key={k} value={k}>
                {te(ACTION_KEYS[k])}
              </Radio>
            ))}
          </Space>
        </Radio.Group>
      </Form.Item>
      {type === 'grantCoupon' && (
        <Form.Item
          name="couponId"
          label={te('coupon')}
          rules={[{ required: true, message: te('couponRequired') }]}
        >
          <Select options={choices.coupons.map((c) => ({ value: c.id, label: c.name }))} />
        </Form.Item>
      )}
      {type === 'addPoints' && (
        <Form.Item name="points" label={te('points')} rules={[{ required: true, message: te('points') }]}>
          <InputNumber min={1} max={1_000_000} precision={0} />
        </Form.Item>
      )}
      {(type === 'addTag' || type === 'removeTag') && (
        <Form.Item
          name="tag"
          label={te('tag')}
          rules={[{ required: true, whitespace: true, message: te('tagRequired') }]}
        >
          <Input maxLength={100} />
        </Form.Item>
      )}
      {type === 'setAttribute' && <AttributeFields />}
      {type === 'linkRichMenu' &&
        (choices.richMenus.length > 0 ? (
          <Form.Item
            name="richMenuId"
            label={te('richMenu')}
            rules={[{ required: true, message: te('richMenuRequired') }]}
          >
            <Select options={choices.richMenus.map((m) => ({ value: m.id, label: m.name }))} />
          </Form.Item>
        ) : (
          <Alert type="warning" showIcon title={te('noRichMenus')} />
        ))}
      {type === 'unlinkRichMenu' && <Typography.Paragraph>{te('unlinkHint')}</Typography.Paragraph>}
    </>
  );
}

/** A customer attribute's name and its value: text, a number, true / false, or cleared (null). */
function AttributeFields() {
  const te = useT(editorMessages);
  const attrType = Form.useWatch('attrType') as ActionValues['attrType'];
  return (
    <>
      <Form.Item
        name="attrName"
        label={te('attrName')}
        rules={[{ required: true, whitespace: true, max: 100, message: te('attrNameRequired') }]}
      >
        <Input maxLength={100} placeholder="favorite_store" />
      </Form.Item>
      <Form.Item name="attrType" label={te('attrType')}>
        <Radio.Group>
          <Radio value="text">{te('attrTypeText')}</Radio>
          <Radio value="number">{te('attrTypeNumber')}</Radio>
          <Radio value="true">{te('attrTypeTrue')}</Radio>
          <Radio value="false">{te('attrTypeFalse')}</Radio>
          <Radio value="empty">{te('attrTypeEmpty')}</Radio>
        </Radio.Group>
      </Form.Item>
      {attrType === 'text' && (
        <Form.Item
          name="attrText"
          label={te('attrText')}
          rules={[{ required: true, max: 1000, message: te('attrTextRequired') }]}
        >
          <Input maxLength={1000} />
        </Form.Item>
      )}
      {attrType === 'number' && (
        <Form.Item
          name="attrNumber"
          label={te('attrNumber')}
          rules={[{ required: true, message: te('attrNumberRequired') }]}
        >
          <InputNumber style={{ width: 200 }} />
        </Form.Item>
      )}
    </>
  );
}
