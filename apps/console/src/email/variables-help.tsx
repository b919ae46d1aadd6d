// The Liquid variables an email may use (the server's templates/template-variables.ts; strict: any
// other name is refused at save), each with what it holds, for the editor's 「差し込める項目」.
import { Table, Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { editorMessages } from './editor-messages.ts';

const VARIABLES = [
  ['{{ customer.given_name }}', 'var.given_name'],
  ['{{ customer.family_name }}', 'var.family_name'],
  ['{{ customer.name }}', 'var.name'],
  ['{{ customer.points }}', 'var.points'],
  ['{{ customer.tier }}', 'var.tier'],
  ['{{ customer.member_no }}', 'var.member_no'],
  ['{{ coupon.name }}', 'var.coupon_name'],
  ['{{ coupon.code }}', 'var.coupon_code'],
  // A list: written in a loop, not output whole.
  ['{% for p in recommendations %}', 'var.recommendations'],
] as const;

export function VariablesHelp() {
  const t = useT(editorMessages);
  return (
    <>
      <Typography.Paragraph type="secondary">{t('variablesIntro')}</Typography.Paragraph>
      <Table
        size="small"
        pagination={false}
        rowKey="name"
        showHeader={false}
        dataSource={VARIABLES.map(([name, key]) => ({ name, meaning: t(key) }))}
        columns={[
          {
            key: 'name',
            // Whole, on one line: a variable broken over lines is hard to copy correctly.
            render: (_, row) => (
              <Typography.Text code style={{ whiteSpace: 'nowrap' }}>
                {row.name}
              </Typography.Text>
            ),
          },
          { key: 'meaning', dataIndex: 'meaning' },
        ]}
      />
    </>
  );
}
