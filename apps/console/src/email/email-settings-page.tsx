// 「メール設定」: the sender (with the specified e-mail act's address and contact), the DNS records
// to publish, renewing the DKIM key, and a test mail. Every role may read it; owners and admins
// change it.
import { Alert, Card, Space, Typography } from 'antd';
import { EmptyState, ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { DkimActivateButton } from './dkim-activate-button.tsx';
import { DkimRotateCard } from './dkim-rotate-card.tsx';
import { DnsRecordsCard } from './dns-records.tsx';
import { emailMessages } from './messages.ts';
import { useSender } from './queries.ts';
import { SenderFormCard } from './sender-form.tsx';
import { TestSendCard } from './test-send-card.tsx';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

function EmailSettingsContent() {
  const t = useT(emailMessages);
  const { can } = useSession();
  const sender = useSender();
  const editable = can('admin');
  return (
    <Space direction="vertical" size="large" style={{ width: '100%' }}>
      <div>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('title')}
        </Typography.Title>
        <Typography.Paragraph type="secondary" style={{ margin: '8px 0 0' }}>
          {t('intro')}
        </Typography.Paragraph>
      </div>
      {!editable && <Alert type="info" showIcon title={t('readOnly')} />}
      {sender.isPending ? (
        <Loading />
      ) : sender.isError ? (
        <ErrorState error={sender.error} retry={() => sender.refetch()} />
      ) : (
        <>
          {sender.data === null && (
            <Card>
              <EmptyState title={t('noSender')} next={editable ? t('noSenderNext') : t('noSenderViewer')} />
            </Card>
          )}
          {(editable || sender.data) && <SenderFormCard sender={sender.data} />}
          {sender.data && (
            <DnsRecordsCard
              records={sender.data.dnsRecords}
              domain={domainOf(sender.data.fromAddress)}
              pendingAction={editable && <DkimActivateButton sender={sender.data} />}
            />
          )}
          {editable && sender.data && <DkimRotateCard sender={sender.data} />}
          {editable && <TestSendCard hasSender={sender.data !== null} />}
        </>
      )}
    </Space>
  );
}

export function EmailSettingsPage() {
  return (
    <PageTheme>
      <EmailSettingsContent />
    </PageTheme>
  );
}
