// 「DKIM鍵を更新」: POST /v1/email/sender/dkim/rotate (owners and admins), what
// `kizuna email dkim --rotate` does. The confirmation says what rotation really does (sender.ts
// rotateDkimKey): an RSA rotation prepares a new key under a new selector and mail keeps being
// signed with the current key until the owner publishes the new record and presses 「新しい鍵に
// 切り替える」 (dkim-activate-button.tsx, beside the pending record); an Ed25519 key is added beside
// RSA, or replaced, while RSA signs on. After it, the page's DNS records (above) show the new one.
import { Alert, App as AntApp, Button, Card, Modal, Radio, Space, Typography } from 'antd';
import { useState } from 'react';
import { useT } from '../i18n/locale.tsx';
import { CardTitle } from '../team/card-title.tsx';
import { emailMessages } from './messages.ts';
import { type DkimAlgorithm, type Sender, useRotateDkim } from './queries.ts';

const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();

function Consequence({ sender, algorithm }: { sender: Sender; algorithm: DkimAlgorithm }) {
  const t = useT(emailMessages);
  const domain = domainOf(sender.fromAddress);
  if (algorithm === 'rsa')
    return (
      <Alert
        type="info"
        showIcon
        title={t('rotate.rsaTitle')}
        description={
          sender.dkimPendingSelector
            ? t('rotate.rsaPendingBody', { host: `${sender.dkimPendingSelector}._domainkey.${domain}` })
            : t('rotate.rsaBody', { host: `${sender.dkimSelector}._domainkey.${domain}` })
        }
      />
    );
  if (!sender.dkimEd25519Selector)
    return (
      <Alert
        type="info"
        showIcon
        title={t('rotate.ed25519AddTitle')}
        description={t('rotate.ed25519AddBody')}
      />
    );
  return (
    <Alert
      type="warning"
      showIcon
      title={t('rotate.ed25519ReplaceTitle')}
      description={t('rotate.ed25519ReplaceBody', {
        host: `${sender.dkimEd25519Selector}._domainkey.${domain}`,
      })}
    />
  );
}

export function DkimRotateCard({ sender }: { sender: Sender }) {
  const t = useT(emailMessages);
  const { message } = AntApp.useApp();
  const rotate = useRotateDkim();
  const [open, setOpen] = useState(false);
  const [algorithm, setAlgorithm] = useState<DkimAlgorithm>('rsa');
  const [done, setDone] = useState<{ algorithm: DkimAlgorithm; added: boolean }>();
  const onOk = async () => {
    const added = algorithm === 'ed25519' && !sender.dkimEd25519Selector;
    try {
      await rotate.mutateAsync(algorithm);
      setDone({ algorithm, added });
      setOpen(false);
      message.success(t('rotated'));
    } catch (error) {
      message.error(t('rotateFailed', { reason: (error as Error).message }));
    }
  };
  const record = t(done?.algorithm === 'ed25519' ? 'record.dkimEd25519' : 'record.dkimPending');
  const next =
    done?.algorithm === 'rsa' ? 'rotatedNextPending' : done?.added ? 'rotatedNextNew' : 'rotatedNext';
  return (
    <Card title={<CardTitle>{t('rotateTitle')}</CardTitle>}>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Typography.Paragraph style={{ margin: 0 }}>{t('rotateIntro')}</Typography.Paragraph>
        {/* An RSA rotation's next step is done once its key is switched to (it is no longer pending). */}
        {done && (done.algorithm !== 'rsa' || sender.dkimPendingSelector) && (
          <Alert type="success" showIcon title={t('rotated')} description={t(next, { record })} />
        )}
        <div>
          <Button onClick={() => setOpen(true)}>{t('rotateButton')}</Button>
        </div>
      </Space>
      <Modal
        open={open}
        title={t('rotateConfirmTitle')}
        okText={t(algorithm === 'rsa' ? 'rotateOkRsa' : 'rotateOk')}
        cancelText={t('cancel')}
        confirmLoading={rotate.isPending}
        onOk={onOk}
        onCancel={() => setOpen(false)}
        width={600}
      >
        <Space direction="vertical" size="middle" style={{ width: '100%' }}>
          <Typography.Text strong id="dkim-rotate-algorithm">
            {t('rotateAlgorithm')}
          </Typography.Text>
          <Radio.Group
            aria-labelledby="dkim-rotate-algorithm"
            value={algorithm}
            onChange={(e) => setAlgorithm(e.target.value)}
            options={[
              { value: 'rsa', label: t('algo.rsa') },
              {
                value: 'ed25519',
                label: t(sender.dkimEd25519Selector ? 'algo.ed25519Replace' : 'algo.ed25519Add'),
              },
            ]}
            style={{ display: 'flex', flexDirection: 'column', gap: 8 }}
          />
          <Consequence sender={sender} algorithm={algorithm} />
        </Space>
      </Modal>
    </Card>
  );
}
