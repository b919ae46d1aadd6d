import {
  Alert,
  App as AntApp,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Typography,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { editorMessages, richMenuMessages } from './messages.ts';
import { PartlySaved, useChannels, useCreateRichMenu, useSegmentChoices } from './queries.ts';
import './rich-menu.css';
import { PageTheme } from '../team/page-theme.tsx';
import { AddAreaFields, AreaFields, VALUE_LABEL } from './rich-menu-area-fields.tsx';
import { boundsProblem, MAX_AREAS } from './rich-menu-areas.ts';
import { RichMenuDrawing } from './rich-menu-drawing.tsx';
import {
  actionProblem,
  areaLabel,
  imageSize,
  LAYOUTS,
  layoutBounds,
  layoutById,
  type MenuSize,
  richMenuDefinition,
  SIZES,
} from './rich-menu-layouts.ts';
import { RichMenuPreview } from './rich-menu-preview.tsx';
import { FREE, useDraftAreas } from './use-draft-areas.ts';

const MAX_IMAGE_BYTES = 1024 * 1024;

interface Basics {
  channelId: string;
  name: string;
  chatBarText: string;
  selected: boolean;
  segmentId?: number;
  priority: number;
  makeDefault: boolean;
}

function RichMenuEditorPageContent() {
  const tl = useT(richMenuMessages);
  const channels = useChannels();
  if (channels.isPending) return <Loading />;
  if (channels.isError) return <ErrorState error={channels.error} retry={() => channels.refetch()} />;
  if (channels.data.length === 0)
    return (
      <Card>
        <EmptyState title={tl('noChannel')} next={<Link to="/line">{tl('noChannelNext')}</Link>} />
      </Card>
    );
  return <Editor channels={channels.data.map((c) => ({ value: c.id, label: c.name || c.lineChannelId }))} />;
}

function Editor({ channels }: { channels: { value: string; label: string }[] }) {
  const t = useT(editorMessages);
  const tl = useT(richMenuMessages);
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const segments = useSegmentChoices();
  const create = useCreateRichMenu();
  const [form] = Form.useForm<Basics>();
  const [size, setSize] = useState<MenuSize>('large');
  const [image, setImage] = useState<{ file: File; url: string }>();
  const [imageError, setImageError] = useState<string>();
  const fileInput = useRef<HTMLInputElement>(null);
  const [actionError, setActionError] = useState<string>();
  const chatBarText = Form.useWatch('chatBarText', form) ?? '';
  const { width, height } = SIZES[size];
  const {
    layoutId,
    areas,
    bounds,
    selected,
    setSelected,
    drawError,
    setDrawError,
    chooseLayout,
    setAction,
    areaName,
    placeArea,
    deleteArea,
  } = useDraftAreas(size);

  useEffect(() => () => (image ? URL.revokeObjectURL(image.url) : undefined), [image]);

  const chooseSize = (next: MenuSize) => {
    setSize(next);
    const first = LAYOUTS.find((l) => l.size === next)!;
    chooseLayout(first.id);
    // An image made for the other size no longer fits.
    setImage(undefined);
    setImageError(undefined);
  };

  const chooseImage = async (file: File | undefined) => {
    setImageError(undefined);
    setImage(undefined);
    if (!file) return;
    if (file.type !== 'image/png' && file.type !== 'image/jpeg') return setImageError(t('imageWrongType'));
    if (file.size > MAX_IMAGE_BYTES)
      return setImageError(t('imageTooLarge', { size: `${(file.size / 1024 / 1024).toFixed(1)} MB` }));
    const found = imageSize(new Uint8Array(await file.arrayBuffer()));
    if (!found) return setImageError(t('imageUnreadable'));
    if (found.width !== width || found.height !== height)
      return setImageError(t('imageWrongSize', { width, height, actual: `${found.width}×${found.height}` }));
    setImage({ file, url: URL.createObjectURL(file) });
  };

  const submit = (basics: Basics) => {
    if (!image) return setImageError(t('imageRequired'));
    if (areas.length === 0) return setActionError(t('noAreas'));
    for (const [i, { action }] of areas.entries()) {
      const problem = actionProblem(action);
      if (problem)
        return setActionError(t(problem, { label: areaLabel(i), field: t(VALUE_LABEL[action.type]) }));
    }
    setActionError(undefined);
    create.mutate(
      {
        channelId: basics.channelId,
        definition: richMenuDefinition({ ...basics, size, areas }),
        image: image.file,
        ...(basics.segmentId ? { segmentId: basics.segmentId } : {}),
        priority: basics.priority,
        makeDefault: basics.makeDefault,
      },
      {
        onSuccess: () => {
          message.success(t('saved', { name: basics.name }));
          navigate('/line/rich-menus');
        },
      },
    );
  };

  const labels = areas.map((a, i) => `${areaLabel(i)} ${a.action.label}`.trim());
  const names = areas.map((a, i) =>
    t('areaOnImage', { area: areaName(i), ...a.bounds, label: a.action.label || t('noLabel') }),
  );
  const failure = create.error;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <Link to="/line/rich-menus">{tl('back')}</Link>
      </Space>
      <Form<Basics>
        form={form}
        layout="vertical"
        requiredMark={false}
        initialValues={{ channelId: channels[0]?.value, selected: true, priority: 0, makeDefault: false }}
        onFinish={submit}
      >
        <div className="kz-rm-editor">
          <Space direction="vertical" size="large" style={{ width: '100%' }}>
            <Card title={<CardTitle>{t('basics')}</CardTitle>}>
              {/* Always a field (hidden with a single channel), so the form's values carry the channel. */}
              <Form.Item name="channelId" label={t('channel')} hidden={channels.length <= 1}>
                <Select options={channels} />
              </Form.Item>
              <Form.Item
                name="name"
                label={t('name')}
                rules={[{ required: true, whitespace: true, message: t('nameRequired') }]}
              >
                <Input maxLength={300} />
              </Form.Item>
              <Form.Item
                name="chatBarText"
                label={t('chatBarText')}
                rules={[{ required: true, whitespace: true, message: t('chatBarTextRequired') }]}
              >
                <Input maxLength={14} showCount />
              </Form.Item>
              <Form.Item name="selected" valuePropName="checked">
                <Checkbox>{t('selected')}</Checkbox>
              </Form.Item>
              <Form.Item label={t('size')}>
                <Radio.Group
                  value={size}
                  onChange={(e) => chooseSize(e.target.value as MenuSize)}
                  optionType="button"
                >
                  <Radio value="large">{t('sizeLarge')}</Radio>
                  <Radio value="compact">{t('sizeCompact')}</Radio>
                </Radio.Group>
              </Form.Item>
              <Form.Item label={t('layout')}>
                <Radio.Group value={layoutId} onChange={(e) => chooseLayout(e.target.value as string)}>
                  {LAYOUTS.filter((l) => l.size === size).map((l) => (
                    <Radio key={l.id} value={l.id}>
                      <LayoutThumb id={l.id} label={t('layoutOption', { count: l.cells.length })} />
                    </Radio>
                  ))}
                  <Radio value={FREE}>{t('layoutFree')}</Radio>
                </Radio.Group>
              </Form.Item>
              <Form.Item
                label={t('image', { width, height })}
                validateStatus={imageError ? 'error' : undefined}
                help={imageError}
                htmlFor="kz-rm-image"
              >
                <Space>
                  {/* The browser's own file button speaks the browser's language; this one speaks the console's. */}
                  <input
                    ref={fileInput}
                    id="kz-rm-image"
                    type="file"
                    tabIndex={-1}
                    accept="image/png,image/jpeg"
                    className="kz-rm-file"
                    onChange={(e) => void chooseImage(e.target.files?.[0])}
                  />
                  <Button onClick={() => fileInput.current?.click()}>{t('chooseImage')}</Button>
                  {image && <span>{image.file.name}</span>}
                </Space>
              </Form.Item>
            </Card>
            <Card
              title={<CardTitle>{t('actions')}</CardTitle>}
              extra={t('areaCount', { count: areas.length, max: MAX_AREAS })}
            >
              <Typography.Paragraph type="secondary">{t('drawHelp', { width, height })}</Typography.Paragraph>
              <Space direction="vertical" size="middle" style={{ width: '100%' }}>
                {areas.map((area, i) => (
                  <AreaFields
                    key={area.id}
                    area={areaName(i)}
                    bounds={area.bounds}
                    action={area.action}
                    selected={selected === i}
                    onBounds={(next) => placeArea(i, next)}
                    onAction={(patch) => setAction(i, patch)}
                    onDelete={() => deleteArea(i)}
                    onSelect={() => setSelected(i)}
                  />
                ))}
                {areas.length < MAX_AREAS ? (
                  <AddAreaFields
                    area={areaName(areas.length)}
                    onAdd={(next) => placeArea(areas.length, next)}
                  />
                ) : (
                  <Typography.Text type="secondary">{t('tooMany', { max: MAX_AREAS })}</Typography.Text>
                )}
              </Space>
              {actionError && <Alert type="error" showIcon style={{ marginTop: 16 }} title={actionError} />}
            </Card>
            <Card title={<CardTitle>{t('delivery')}</CardTitle>}>
              <Form.Item name="segmentId" label={t('segment')} extra={t('segmentHelp')}>
                <Select
                  allowClear
                  placeholder={t('segmentNone')}
                  loading={segments.isPending}
                  notFoundContent={t('noSegments')}
                  options={(segments.data ?? []).map((s) => ({
                    value: s.id,
                    label: `${s.name}（${s.memberCount}）`,
                  }))}
                />
              </Form.Item>
              <Form.Item name="priority" label={t('priority')} extra={t('priorityHelp')}>
                <InputNumber min={-1000} max={1000} precision={0} />
              </Form.Item>
              <Form.Item name="makeDefault" valuePropName="checked">
                <Checkbox>{t('makeDefault')}</Checkbox>
              </Form.Item>
            </Card>
            {failure && (
              <Alert
                type="error"
                showIcon
                title={
                  failure instanceof PartlySaved
                    ? t('savedPartly', { reason: failure.message })
                    : t('saveFailed', { reason: failure.message })
                }
              />
            )}
            <Space>
              <Button type="primary" htmlType="submit" loading={create.isPending}>
                {t('save')}
              </Button>
              <Button onClick={() => navigate('/line/rich-menus')}>{t('cancel')}</Button>
            </Space>
          </Space>
          <Card title={<CardTitle>{t('preview')}</CardTitle>} style={{ position: 'sticky', top: 16 }}>
            <RichMenuPreview
              {...(image ? { imageUrl: image.url } : {})}
              width={width}
              height={height}
              chatBarText={chatBarText}
              chatLabel={t('previewChat')}
            >
              <RichMenuDrawing
                width={width}
                height={height}
                areas={bounds}
                ids={areas.map((a) => a.id)}
                labels={labels}
                names={names}
                selected={selected}
                onSelect={setSelected}
                allowed={(i, next) => !boundsProblem(next, i, bounds, { width, height })}
                onCommit={(i, next) => setDrawError(placeArea(i, next)?.message)}
                onDelete={deleteArea}
                surfaceLabel={t('surface')}
              />
            </RichMenuPreview>
            <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0 }}>
              {t('drawHint')}
            </Typography.Paragraph>
            {drawError && (
              <Alert type="error" showIcon role="alert" style={{ marginTop: 12 }} title={drawError} />
            )}
          </Card>
        </div>
      </Form>
    </Space>
  );
}

/** A small drawing of a layout's areas, beside its name. */
function LayoutThumb({ id, label }: { id: string; label: string }) {
  const layout = layoutById(id);
  const { width, height } = SIZES[layout.size];
  return (
    <span style={{ display: 'inline-flex', alignItems: 'center', gap: 6, marginBottom: 6 }}>
      <svg width={60} height={(60 * height) / width} viewBox={`0 0 ${width} ${height}`} aria-hidden="true">
        {layoutBounds(layout).map((b) => (
          <rect
            key={`${b.x}-${b.y}`}
            x={b.x}
            y={b.y}
            width={b.width}
            height={b.height}
            fill="#f0f0f0"
            stroke="#595959"
            strokeWidth={40}
          />
        ))}
      </svg>
      {label}
    </span>
  );
}

export function RichMenuEditorPage() {
  return (
    <PageTheme>
      <RichMenuEditorPageContent />
    </PageTheme>
  );
}
