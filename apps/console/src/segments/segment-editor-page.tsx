// A segment's editor: name, the rule builder (optionally started from a built-in template), and a
// live count and sample of who matches (POST /v1/segments/preview, debounced) as the rules change.
import {
  App as AntApp,
  Button,
  Card,
  Col,
  Form,
  Input,
  List,
  Row,
  Select,
  Space,
  Statistic,
  Typography,
} from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useDebounced } from '../app/use-debounced.ts';
import { useSession } from '../auth/session.tsx';
import { formatNumber } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { segmentMessages } from './messages.ts';
import {
  type SegmentDraft,
  useSaveSegment,
  useSegment,
  useSegmentPreview,
  useSegmentTemplates,
} from './queries.ts';
import { GroupEditor } from './rule-builder.tsx';
import { asRootGroup, type Group, type RuleNode, toDefinition } from './rule-model.ts';
import { SizeHistory } from './size-history.tsx';

const PREVIEW_DELAY_MS = 400;

function PreviewCard({ definition }: { definition: RuleNode | undefined }) {
  const t = useT(segmentMessages);
  const { lang } = useLocale();
  const settled = useDebounced(definition, PREVIEW_DELAY_MS);
  const preview = useSegmentPreview(settled);
  const updating = definition !== settled || preview.isFetching;
  return (
    <Card title={t('preview')} size="small" aria-live="polite">
      {!definition ? (
        <EmptyState title={t('previewCount', { count: 0 })} next={t('previewEmpty')} />
      ) : preview.isError ? (
        <ErrorState error={preview.error} />
      ) : preview.data === undefined ? (
        <Loading />
      ) : (
        <>
          <Statistic
            title={updating ? t('previewUpdating') : ' '}
            value={t('previewCount', { count: formatNumber(preview.data.count, lang) })}
            valueStyle={{ fontSize: 32 }}
          />
          {preview.data.count === 0 ? (
            <Typography.Paragraph type="secondary">{t('previewNone')}</Typography.Paragraph>
          ) : (
            <List
              size="small"
              header={<Typography.Text strong>{t('sample')}</Typography.Text>}
              dataSource={preview.data.sample}
              renderItem={(c) => (
                <List.Item>
                  <Link to={`/customers/${c.id}`}>
                    {[c.familyName, c.givenName].filter(Boolean).join(' ') || t('noName')}
                  </Link>
                </List.Item>
              )}
            />
          )}
        </>
      )}
    </Card>
  );
}

function TemplatePicker({
  onPick,
}: {
  onPick(name: string, description: string, definition: unknown): void;
}) {
  const t = useT(segmentMessages);
  const { lang } = useLocale();
  const templates = useSegmentTemplates();
  return (
    <Select
      aria-label={t('fromTemplate')}
      style={{ width: '100%' }}
      placeholder={t('templatePlaceholder')}
      loading={templates.isPending}
      value={null}
      onChange={(key: string) => {
        const tpl = templates.data?.items.find((x) => x.key === key);
        if (tpl) onPick(tpl.name[lang], tpl.description[lang], tpl.definition);
      }}
      options={templates.data?.items.map((x) => ({
        value: x.key,
        label: `${x.name[lang]} — ${x.description[lang]}`,
      }))}
    />
  );
}

function Editor(props: {
  id: number | undefined;
  initial: { name: string; description: string; root: Group };
}) {
  const t = useT(segmentMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const { can } = useSession();
  const [name, setName] = useState(props.initial.name);
  const [description, setDescription] = useState(props.initial.description);
  const [root, setRoot] = useState<Group>(props.initial.root);
  const save = useSaveSegment(props.id);
  const definition = toDefinition(root);
  const onSave = async () => {
    if (!definition) return;
    const draft: SegmentDraft = { name: name.trim(), description, definition };
    try {
      const saved = await save.mutateAsync(draft);
      message.success(t('saved', { name: saved.name, count: formatNumber(saved.memberCount, lang) }));
      if (props.id === undefined) navigate(`/segments/${saved.id}`, { replace: true });
    } catch (error) {
      message.error(`${t('saveFailed')}: ${(error as Error).message}`);
    }
  };
  return (
    <Row gutter={[16, 16]}>
      <Col xs={24} xl={16}>
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Card size="small">
            <Form layout="vertical" requiredMark={false} onFinish={onSave}>
              <Form.Item
                label={t('name')}
                htmlFor="segment-name"
                required
                validateStatus={name.trim() ? '' : 'warning'}
                help={name.trim() ? undefined : t('nameRequired')}
              >
                <Input
                  id="segment-name"
                  value={name}
                  maxLength={200}
                  onChange={(e) => setName(e.target.value)}
                />
              </Form.Item>
              <Form.Item label={t('description')} htmlFor="segment-description">
                <Input
                  id="segment-description"
                  value={description}
                  maxLength={1000}
                  onChange={(e) => setDescription(e.target.value)}
                />
              </Form.Item>
              <Form.Item label={t('fromTemplate')}>
                <TemplatePicker
                  onPick={(n, d, def) => {
                    if (!name.trim()) setName(n);
                    if (!description) setDescription(d);
                    setRoot(asRootGroup(def));
                  }}
                />
              </Form.Item>
              <Button
                type="primary"
                htmlType="submit"
                size="large"
                loading={save.isPending}
                disabled={!can('send') || !definition || !name.trim()}
              >
                {t('save')}
              </Button>
            </Form>
          </Card>
          <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
            {t('rules')}
          </Typography.Title>
          <GroupEditor group={root} onChange={setRoot} />
        </Space>
      </Col>
      <Col xs={24} xl={8}>
        <div style={{ position: 'sticky', top: 16 }}>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <PreviewCard definition={definition} />
            {props.id !== undefined && <SizeHistory id={props.id} />}
          </Space>
        </div>
      </Col>
    </Row>
  );
}

/** `/segments/new` and `/segments/:id`. */
export function SegmentEditorPage() {
  const t = useT(segmentMessages);
  const params = useParams();
  const id = params.id && params.id !== 'new' ? Number(params.id) : undefined;
  const segment = useSegment(id);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/segments">← {t('back')}</Link>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {id === undefined ? t('newTitle') : t('editTitle')}
      </Typography.Title>
      {id === undefined ? (
        <Editor id={undefined} initial={{ name: '', description: '', root: { and: [] } }} />
      ) : segment.isPending ? (
        <Loading />
      ) : segment.isError ? (
        <ErrorState error={segment.error} retry={() => segment.refetch()} />
      ) : (
        <Editor
          key={segment.data.id}
          id={segment.data.id}
          initial={{
            name: segment.data.name,
            description: segment.data.description,
            root: asRootGroup(segment.data.definition),
          }}
        />
      )}
    </Space>
  );
}
