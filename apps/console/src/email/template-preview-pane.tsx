// The editor's live preview: the unsaved template as the sample customer (or a customer picked by
// search) would get it, from POST /v1/email/templates/preview, asked 500 ms after the last
// keystroke. While a field has a problem, the last good preview stays, under a note saying why
// it is not updated (the problems themselves are shown under their fields).
import { Alert, Card, Form, Typography } from 'antd';
import { useRef } from 'react';
import { ApiError } from '../api/client.ts';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useDebounced } from '../app/use-debounced.ts';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { CustomerPicker } from './customer-picker.tsx';
import { editorMessages } from './editor-messages.ts';
import { MailView } from './mail-view.tsx';
import { type DraftPreviewInput, useDraftPreview } from './queries.ts';

const PREVIEW_DELAY_MS = 500;

type Preview = NonNullable<ReturnType<typeof useDraftPreview>['data']>;

/**
 * The live preview of `body` (undefined: nothing to show yet) and the field problems of the
 * latest answer, for the form to show under its fields.
 */
export function useLivePreview(body: DraftPreviewInput | undefined) {
  const settled = useDebounced(body, PREVIEW_DELAY_MS);
  const preview = useDraftPreview(settled);
  const lastGood = useRef<Preview>(undefined);
  if (preview.isSuccess && !preview.isPlaceholderData) lastGood.current = preview.data;
  const refused =
    preview.error instanceof ApiError && preview.error.status === 400 ? preview.error : undefined;
  return {
    preview,
    shown: preview.isError ? lastGood.current : preview.data,
    problems: refused?.problems ?? [],
    refused: refused !== undefined,
    updating: JSON.stringify(body) !== JSON.stringify(settled) || preview.isFetching,
  };
}

export function TemplatePreviewPane({
  live,
  customerId,
  onCustomer,
  hasBody,
}: {
  live: ReturnType<typeof useLivePreview>;
  customerId: number | undefined;
  onCustomer: (customerId: number | undefined) => void;
  hasBody: boolean;
}) {
  const t = useT(editorMessages);
  const { preview, shown, refused } = live;
  const title = t('preview');
  return (
    <Card
      title={<CardTitle>{title}</CardTitle>}
      extra={
        live.updating && hasBody ? <Typography.Text type="secondary">{t('updating')}</Typography.Text> : null
      }
    >
      <Typography.Paragraph type="secondary">{t('previewIntro')}</Typography.Paragraph>
      <Form layout="vertical">
        <Form.Item label={t('previewFor')} htmlFor="template-editor-customer">
          <CustomerPicker
            id="template-editor-customer"
            value={customerId}
            onChange={onCustomer}
            placeholder={t('sample')}
            width="100%"
          />
        </Form.Item>
      </Form>
      <div aria-live="polite">
        {refused && (
          <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('previewBlocked')} />
        )}
        {preview.isError && !refused && <ErrorState error={preview.error} retry={() => preview.refetch()} />}
      </div>
      {!hasBody ? (
        <EmptyState title={t('preview')} next={t('previewEmpty')} />
      ) : shown ? (
        <>
          <MailView
            shown={shown}
            title={title}
            to={
              customerId === undefined ? (
                <Typography.Text type="secondary">{t('sampleTo')}</Typography.Text>
              ) : undefined
            }
          />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
            {t('footerNote')}
          </Typography.Paragraph>
        </>
      ) : preview.isError ? null : (
        <Loading />
      )}
    </Card>
  );
}
