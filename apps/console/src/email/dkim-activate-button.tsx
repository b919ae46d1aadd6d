// 「新しい鍵に切り替える」: POST /v1/email/sender/dkim/activate (owners and admins), what
// `kizuna email dkim --activate` does. Shown beside the pending DKIM record. The confirmation says
// what switching does: every mail is signed with the new key from then on, so its record must be
// in DNS first (Kizuna does not look it up), and the old record stays for mail in transit.
import { Alert, App as AntApp, Button, Modal } from 'antd';
import { useState } from 'react';
import { useT } from '../i18n/locale.tsx';
import { emailMessages } from './messages.ts';
import { type Sender, useActivateDkim } from './queries.ts';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

export function DkimActivateButton({ sender }: { sender: Sender }) {
  const t = useT(emailMessages);
  const { message } = AntApp.useApp();
  const activate = useActivateDkim();
  const [open, setOpen] = useState(false);
  const domain = domainOf(sender.fromAddress);
  const onOk = async () => {
    try {
      await activate.mutateAsync();
      setOpen(false);
      message.success(t('activated'));
    } catch (error) {
      message.error(t('activateFailed', { reason: (error as Error).message }));
    }
  };
  return (
    <>
      <Button type="primary" onClick={() => setOpen(true)}>
        {t('activateButton')}
      </Button>
      <Modal
        open={open}
        title={t('activateConfirmTitle')}
        okText={t('activateOk')}
        cancelText={t('cancel')}
        confirmLoading={activate.isPending}
        onOk={onOk}
        onCancel={() => setOpen(false)}
        width={600}
      >
        <Alert
          type="warning"
          showIcon
          title={t('activateWarnTitle')}
          description={t('activateBody', {
            host: `${sender.dkimPendingSelector}._domainkey.${domain}`,
            old: `${sender.dkimSelector}._domainkey.${domain}`,
          })}
        />
      </Modal>
    </>
  );
}
