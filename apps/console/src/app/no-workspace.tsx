import { Result } from 'antd';
import { authMessages } from '../auth/messages.ts';
import { useT } from '../i18n/locale.tsx';

/**
 * A user who belongs to no workspace (every membership removed). Its own chunk: Ant Design's
 * Result carries its illustrations (about 10 KB gzipped), which no other first screen needs.
 */
export function NoWorkspace() {
  const t = useT(authMessages);
  return <Result status="info" title={t('noWorkspace')} />;
}
