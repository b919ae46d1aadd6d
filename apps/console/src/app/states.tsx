// Loading, error and empty states, alike on every screen. An empty state always says what to do next.
import { Alert, Button, Empty, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useT } from '../i18n/locale.tsx';
import { shellMessages } from './messages.ts';

export function Loading() {
  const t = useT(shellMessages);
  return (
    <div className="kz-center" role="status" aria-live="polite">
      <Spin />
      <span style={{ marginLeft: 12 }}>{t('loading')}</span>
    </div>
  );
}

export function ErrorState({ error, retry }: { error: unknown; retry?: () => void }) {
  const t = useT(shellMessages);
  return (
    <Alert
      type="error"
      showIcon
      title={t('errorTitle')}
      description={error instanceof Error ? error.message : String(error)}
      action={retry && <Button onClick={retry}>{t('retry')}</Button>}
    />
  );
}

export function EmptyState({ title, next }: { title: string; next: ReactNode }) {
  return (
    <Empty
      description={
        <>
          <strong>{title}</strong>
          <div className="kz-next">{next}</div>
        </>
      }
    />
  );
}
