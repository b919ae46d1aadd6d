import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Button, Input, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { EmptyState, ErrorState } from '../app/states.tsx';
import { useWorkspaceId } from '../auth/session.tsx';
import { formatDate } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { PAGE_SIZE } from './first-load.ts';
import { customerMessages } from './messages.ts';
import { fullName } from './names.ts';

/** One page of the search, from the API's cursor (undefined for the first page). */
function useCustomerPage(q: string, cursor: string | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customers', q, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/customers', {
          params: { query: { limit: PAGE_SIZE, ...(q ? { q } : {}), ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function CustomerListPage() {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  // Cursors of the pages before this one: the API pages forward only, so going back pops one.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useCustomerPage(q, cursor);
  const search = (value: string) => {
    setCursors([undefined]);
    setParams(value.trim() ? { q: value.trim().slice(0, 100) } : {});
  };
  const items = page.data?.items ?? [];
  const next = page.data?.nextCursor ?? null;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
        {t('title')}
      </Typography.Title>
      <Input.Search
        aria-label={t('search')}
        placeholder={t('searchPlaceholder')}
        defaultValue={q}
        key={q}
        maxLength={100}
        enterButton={t('search')}
        allowClear
        onSearch={search}
        style={{ maxWidth: 560 }}
      />
      {page.isError ? (
        <ErrorState error={page.error} retry={() => page.refetch()} />
      ) : (
        <Table
          rowKey="id"
          loading={page.isFetching}
          dataSource={items}
          pagination={false}
          locale={{
            emptyText: page.isPending ? (
              ' '
            ) : q ? (
              <EmptyState title={t('noResults', { q })} next={t('noResultsNext')} />
            ) : (
              <EmptyState title={t('noCustomers')} next={t('noCustomersNext')} />
            ),
          }}
          columns={[
            {
              title: t('name'),
              key: 'name',
              render: (_, c) => (
                <Link to={`/customers/${c.id}`}>{fullName(c.familyName, c.givenName) || t('noName')}</Link>
              ),
            },
            { title: t('kana'), key: 'kana', render: (_, c) => fullName(c.familyNameKana, c.givenNameKana) },
            {
              title: t('registeredAt'),
              key: 'registeredAt',
              render: (_, c) => formatDate(c.registeredAt, lang),
            },
          ]}
        />
      )}
      <Space>
        <Button disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('previous')}
        </Button>
        <Typography.Text>{t('page', { n: cursors.length })}</Typography.Text>
        <Button disabled={!next} onClick={() => next && setCursors([...cursors, next])}>
          {t('next')}
        </Button>
      </Space>
    </Space>
  );
}
