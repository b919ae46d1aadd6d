// Merging a duplicate: find the other record, see side by side what the survivor will hold (from
// the server's preview, computed by the merge's own rules), confirm, and land on the survivor.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, App as AntApp, Button, Card, Input, List, Modal, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { ErrorState, Loading } from '../app/states.tsx';
import { TAG_COLORS } from '../app/tag-colors.ts';
import { useWorkspaceId } from '../auth/session.tsx';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { PageTheme } from '../team/page-theme.tsx';
import { customerEditMessages } from './edit-messages.ts';
import { MergeComparison } from './merge-comparison.tsx';
import { customerMessages } from './messages.ts';
import { fullName } from './names.ts';
import { useCustomer, useMergeCustomers, useMergePreview } from './queries.ts';

function useCandidates(q: string) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customers', 'merge-candidates', q],
    enabled: q.length > 0,
    queryFn: async () => unwrap(await api.GET('/v1/customers', { params: { query: { q, limit: 10 } } })),
    placeholderData: keepPreviousData,
  });
}

export function MergePage() {
  const t = useT(customerEditMessages);
  const c = useT(customerMessages);
  const { lang } = useLocale();
  const { message } = AntApp.useApp();
  const navigate = useNavigate();
  const id = Number(useParams().id);
  const customer = useCustomer(id);
  const [q, setQ] = useState('');
  const [duplicateId, setDuplicateId] = useState<number>();
  const candidates = useCandidates(q);
  const preview = useMergePreview(id, duplicateId);
  const merge = useMergeCustomers(id);
  const [confirming, setConfirming] = useState(false);

  const onMerge = async () => {
    if (!duplicateId) return;
    try {
      const done = await merge.mutateAsync(duplicateId);
      const vars = { merged: done.mergedIds.join(', '), survivor: done.survivorId };
      message.success(t('merged', vars));
      setConfirming(false);
      navigate(`/customers/${done.survivorId}`);
    } catch (error) {
      setConfirming(false);
      message.error(`${t('mergeFailed')}: ${(error as Error).message}`);
    }
  };

  if (customer.isPending) return <Loading />;
  if (customer.isError) return <ErrorState error={customer.error} retry={() => customer.refetch()} />;
  const self = customer.data;
  const others = (candidates.data?.items ?? []).filter((x) => x.id !== self.id);
  // PageTheme: the merge buttons are red (it cannot be undone) in a red that reads at 4.5:1.
  return (
    <PageTheme>
      <Space direction="vertical" size="middle" style={{ width: '100%' }}>
        <Link to={`/customers/${self.id}`}>← {t('mergeBack')}</Link>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {t('mergeTitle')}：{fullName(self.familyName, self.givenName) || c('noName')}{' '}
          <Typography.Text type="secondary">#{self.id}</Typography.Text>
        </Typography.Title>
        <Alert type="info" showIcon title={t('mergeIntro')} />
        <Card size="small" title={t('mergeSearch')}>
          <Input.Search
            aria-label={t('mergeSearch')}
            placeholder={t('mergeSearchPlaceholder')}
            allowClear
            enterButton
            maxLength={100}
            onSearch={(value) => setQ(value.trim())}
          />
          {q && (
            <List
              size="small"
              loading={candidates.isFetching}
              dataSource={others}
              locale={{ emptyText: t('mergeNoCandidates') }}
              renderItem={(x) => (
                <List.Item
                  actions={[
                    <Button
                      key="pick"
                      type={x.id === duplicateId ? 'primary' : 'default'}
                      onClick={() => setDuplicateId(x.id)}
                    >
                      {t('mergePick')}
                    </Button>,
                  ]}
                >
                  <span>
                    <span className="kz-kana">{fullName(x.familyNameKana, x.givenNameKana)}</span>{' '}
                    {fullName(x.familyName, x.givenName) || c('noName')}{' '}
                    <Typography.Text type="secondary">
                      #{x.id}・{c('registeredAt')} {formatDate(x.registeredAt, lang)}
                    </Typography.Text>
                  </span>
                </List.Item>
              )}
            />
          )}
        </Card>
        {duplicateId !== undefined &&
          (preview.isPending ? (
            <Loading />
          ) : preview.isError ? (
            <ErrorState error={preview.error} retry={() => preview.refetch()} />
          ) : (
            <Card
              size="small"
              title={t('previewTitle')}
              extra={
                <Button type="primary" danger onClick={() => setConfirming(true)}>
                  {t('confirm')}
                </Button>
              }
            >
              <MergeComparison preview={preview.data} selfId={self.id} />
              <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
                {t('profileRule')}
              </Typography.Paragraph>
            </Card>
          ))}
        {preview.data && (
          <Modal
            open={confirming}
            title={t('confirmTitle', { merged: preview.data.mergedId, survivor: preview.data.survivorId })}
            okText={t('confirm')}
            okButtonProps={{ danger: true, loading: merge.isPending }}
            cancelText={t('cancel')}
            onOk={onMerge}
            onCancel={() => setConfirming(false)}
          >
            <Typography.Paragraph>
              {t('confirmBody', { merged: preview.data.mergedId, survivor: preview.data.survivorId })}
            </Typography.Paragraph>
            <Space>
              <Tag color={TAG_COLORS.green}>
                #{preview.data.survivorId} {t('survives')}
              </Tag>
              <Tag>
                #{preview.data.mergedId} {t('mergedAway')}
              </Tag>
            </Space>
          </Modal>
        )}
      </Space>
    </PageTheme>
  );
}
