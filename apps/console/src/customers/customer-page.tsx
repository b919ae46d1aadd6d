import { Alert, Button, Col, Row, Space, Typography } from 'antd';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { customerEditMessages } from './edit-messages.ts';
import { ClvCard, ConsentCard, LoyaltyCard, ProfileCard, SegmentsCard } from './karte-cards.tsx';
import { customerMessages } from './messages.ts';
import { fullName } from './names.ts';
import { ProfileEditor } from './profile-editor.tsx';
import { useCustomer, useCustomerSummary } from './queries.ts';
import { CustomerTimeline } from './timeline.tsx';

/** The karte: everything Kizuna knows about one customer, on one page. */
export function CustomerPage() {
  const t = useT(customerMessages);
  const e = useT(customerEditMessages);
  const { can } = useSession();
  const navigate = useNavigate();
  const [editing, setEditing] = useState(false);
  const id = Number(useParams().id);
  const customer = useCustomer(id);
  const summary = useCustomerSummary(id);
  const back = <Link to="/customers">← {t('back')}</Link>;
  if (customer.isPending) return <Loading />;
  if (customer.isError) {
    const missing =
      customer.error instanceof ApiError && (customer.error.status === 404 || customer.error.status === 400);
    return (
      <Space direction="vertical">
        {back}
        {missing ? (
          <Alert type="warning" showIcon title={t('notFound')} />
        ) : (
          <ErrorState error={customer.error} retry={() => customer.refetch()} />
        )}
      </Space>
    );
  }
  const c = customer.data;
  const kana = fullName(c.familyNameKana, c.givenNameKana);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {back}
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap align="end">
        <div>
          {kana && <span className="kz-kana">{kana}</span>}
          <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
            {fullName(c.familyName, c.givenName) || t('noName')}{' '}
            <Typography.Text type="secondary">#{c.id}</Typography.Text>
          </Typography.Title>
        </div>
        {can('ingest') && (
          <Space>
            <Button type="primary" onClick={() => setEditing(true)}>
              {e('edit')}
            </Button>
            <Button onClick={() => navigate(`/customers/${c.id}/merge`)}>{e('merge')}</Button>
          </Space>
        )}
      </Space>
      {editing && <ProfileEditor key={c.updatedAt} customer={c} onClose={() => setEditing(false)} />}
      {summary.data?.mergedInto && (
        <Alert type="info" showIcon title={t('mergedInto', { id: summary.data.mergedInto })} />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={8}>
          <Space direction="vertical" size="middle" style={{ width: '100%' }}>
            <ProfileCard customer={c} />
            <ConsentCard customer={c} />
          </Space>
        </Col>
        <Col xs={24} lg={8}>
          {summary.isPending ? (
            <Loading />
          ) : summary.isError ? (
            <ErrorState error={summary.error} retry={() => summary.refetch()} />
          ) : (
            <Space direction="vertical" size="middle" style={{ width: '100%' }}>
              <ClvCard clv={summary.data.clv} />
              <LoyaltyCard loyalty={summary.data.loyalty} />
              <SegmentsCard segments={summary.data.segments} />
            </Space>
          )}
        </Col>
        <Col xs={24} lg={8}>
          <CustomerTimeline customerId={id} />
        </Col>
      </Row>
    </Space>
  );
}
