// 「新規テンプレート」 (`/email/templates/new`) and 「編集」 (`/email/templates/:id`): the template's
// name, kind, subject and MJML body beside a live preview. The server checks everything (Liquid
// with line and column, MJML with its line); its problems are shown under the field they name, in
// the reader's words (template-problems.ts), from the live preview as the owner types and from the
// save. Unsaved changes are asked about before leaving. Saving needs the `send` scope (owners,
// admins and marketers), as the API's; staff and viewers see the template read only, with the same
// preview.
import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Col,
  Collapse,
  Form,
  Input,
  Radio,
  Row,
  Space,
  Tag,
  Typography,
} from 'antd';
import { type ReactNode, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useLeaveGuard } from '../app/use-leave-guard.ts';
import { useSession } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { editorMessages } from './editor-messages.ts';
import { type Template, useSaveTemplate, useTemplate } from './queries.ts';
import {
  draftOf,
  emptyFields,
  NEW_DRAFT,
  previewBody,
  sameDraft,
  type TemplateDraft,
  templateBody,
} from './template-draft.ts';
import { TemplatePreviewPane, useLivePreview } from './template-preview-pane.tsx';
import { fieldProblems, type TemplateField } from './template-problems.ts';
import { VariablesHelp } from './variables-help.tsx';

const MONO = { fontFamily: 'ui-monospace, Menlo, Consolas, monospace', fontSize: 13 };

export function TemplateEditorPage() {
  const t = useT(editorMessages);
  const param = useParams().id;
  const id = param === undefined ? undefined : Number(param);
  const template = useTemplate(id);
  let body: ReactNode;
  if (id === undefined) body = <TemplateEditor />;
  else if (template.isPending) body = <Loading />;
  else if (template.isError)
    body =
      template.error instanceof ApiError && template.error.status === 404 ? (
        <Alert type="error" showIcon title={t('notFound')} />
      ) : (
        <ErrorState error={template.error} retry={() => template.refetch()} />
      );
  else body = <TemplateEditor key={template.data.id} template={template.data} />;
  return (
    <PageTheme>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Link to="/email/templates">← {t('back')}</Link>
        {body}
      </Space>
    </PageTheme>
  );
}

function TemplateEditor({ template }: { template?: Template }) {
  const t = useT(editorMessages);
  const { can } = useSession();
  const editable = can('send');
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const [form] = Form.useForm<TemplateDraft>();
  const [baseline, setBaseline] = useState<TemplateDraft>(() => (template ? draftOf(template) : NEW_DRAFT));
  const watched = Form.useWatch([], form) as TemplateDraft | undefined;
  const values = watched ?? baseline;
  const dirty = editable && !sameDraft(values, baseline);
  useLeaveGuard(dirty, {
    title: t('leaveTitle'),
    content: t('leaveBody'),
    leave: t('leave'),
    stay: t('stay'),
  });
  const [customerId, setCustomerId] = useState<number>();
  const live = useLivePreview(previewBody(values, customerId));
  const save = useSaveTemplate(template?.id);
  // The last save's problems, until the next change; the live preview's as the owner types.
  const [saveProblems, setSaveProblems] = useState<readonly { path: string; message: string }[]>([]);
  const problems = fieldProblems([...saveProblems, ...live.problems], t);
  const errorsOf = (field: TemplateField) => [...new Set(problems[field] ?? [])];

  const onSave = async () => {
    const draft = form.getFieldsValue(true) as TemplateDraft;
    const empty = emptyFields(draft);
    if (empty.length) return setSaveProblems(empty);
    try {
      const saved = await save.mutateAsync(templateBody(draft));
      setBaseline(draftOf(saved));
      form.setFieldsValue(draftOf(saved));
      message.success(t(template ? 'saved' : 'created', { name: saved.name }));
      if (!template) navigate(`/email/templates/${saved.id}`, { replace: true });
    } catch (error) {
      if (error instanceof ApiError && error.problems.length) setSaveProblems(error.problems);
    }
  };
  const item = (field: TemplateField) => {
    const errors = errorsOf(field);
    return errors.length
      ? {
          validateStatus: 'error' as const,
          help: (
            <ul
              style={{
                margin: 0,
                paddingLeft: errors.length > 1 ? 18 : 0,
                listStyle: errors.length > 1 ? 'disc' : 'none',
              }}
            >
              {errors.map((e) => (
                <li key={e}>{e}</li>
              ))}
            </ul>
          ),
        }
      : {};
  };
  const title = template ? t(editable ? 'editTitle' : 'viewTitle', { name: template.name }) : t('newTitle');
  const saveFailed = save.isError && !(save.error instanceof ApiError && save.error.problems.length);

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {title}
      </Typography.Title>
      {!editable && <Alert type="info" showIcon title={t('readOnly')} />}
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={12}>
          <Card>
            <Form<TemplateDraft>
              form={form}
              layout="vertical"
              initialValues={baseline}
              onValuesChange={() => setSaveProblems([])}
              onFinish={onSave}
            >
              <Form.Item name="name" label={t('name')} extra={t('nameHelp')} {...item('name')}>
                <Input maxLength={200} readOnly={!editable} autoComplete="off" />
              </Form.Item>
              <Form.Item name="kind" label={t('kind')} extra={t('kindHelp')} {...item('kind')}>
                {editable ? (
                  <Radio.Group
                    optionType="button"
                    options={(['marketing', 'transactional'] as const).map((k) => ({
                      value: k,
                      label: t(k),
                    }))}
                  />
                ) : (
                  <KindTag />
                )}
              </Form.Item>
              <Form.Item name="subject" label={t('subject')} extra={t('subjectHelp')} {...item('subject')}>
                <Input maxLength={300} readOnly={!editable} autoComplete="off" />
              </Form.Item>
              <Form.Item name="mjml" label={t('mjml')} extra={t('mjmlHelp')} {...item('mjml')}>
                <Input.TextArea
                  readOnly={!editable}
                  spellCheck={false}
                  autoSize={{ minRows: 14, maxRows: 28 }}
                  maxLength={200_000}
                  style={MONO}
                />
              </Form.Item>
              <Collapse
                ghost
                style={{ marginBottom: 16 }}
                items={[{ key: 'vars', label: t('variables'), children: <VariablesHelp /> }]}
              />
              {problems.other.length > 0 && (
                <Alert
                  type="error"
                  showIcon
                  style={{ marginBottom: 16 }}
                  title={problems.other.join(' / ')}
                />
              )}
              {saveFailed && (
                <Alert
                  type="error"
                  showIcon
                  style={{ marginBottom: 16 }}
                  title={t('saveFailed', { reason: save.error.message })}
                />
              )}
              {editable && (
                <Space wrap>
                  <Button type="primary" htmlType="submit" loading={save.isPending}>
                    {t(template ? 'save' : 'create')}
                  </Button>
                  {dirty && <Typography.Text strong>{t('unsaved')}</Typography.Text>}
                  {saveProblems.length > 0 && (
                    <Typography.Text type="danger">{t('fixFirst')}</Typography.Text>
                  )}
                </Space>
              )}
            </Form>
          </Card>
        </Col>
        <Col xs={24} xl={12}>
          <TemplatePreviewPane
            live={live}
            customerId={customerId}
            onCustomer={setCustomerId}
            hasBody={previewBody(values, undefined) !== undefined}
          />
        </Col>
      </Row>
    </Space>
  );
}

/** The kind as text for roles that may not change it (Form.Item hands it the value). */
function KindTag({ value }: { value?: TemplateDraft['kind'] }) {
  const t = useT(editorMessages);
  if (!value) return null;
  return <Tag color={value === 'marketing' ? TAG_COLORS.magenta : TAG_COLORS.green}>{t(value)}</Tag>;
}
