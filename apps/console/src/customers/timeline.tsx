import { Button, Card, Empty, Tag, Timeline, Typography } from 'antd';
import { ErrorState, Loading } from '../app/states.tsx';
import { formatDateTime, formatYen } from '../i18n/format.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { customerMessages } from './messages.ts';
import { type TimelineItem, useTimeline } from './queries.ts';

const KIND_LABEL = {
  order: 'kindOrder',
  visit: 'kindVisit',
  event: 'kindEvent',
  message_received: 'kindMessageReceived',
  message_sent: 'kindMessageSent',
  consent: 'kindConsent',
} as const;

const KIND_COLOR: Record<TimelineItem['kind'], string> = {
  order: 'green',
  visit: 'blue',
  event: 'gray',
  message_received: 'cyan',
  message_sent: 'purple',
  consent: 'orange',
};

/** The parts that are present, with a middle dot between them. */
function joined(...parts: unknown[]): string {
  return parts
    .filter((p) => p !== undefined && p !== null && p !== '')
    .map(String)
    .join(' · ');
}

/** One line of what happened; fields differ by kind, so each kind says its own essentials. */
function Detail({ item }: { item: TimelineItem }) {
  const { lang } = useLocale();
  const at = (o: object, key: string) => (o as Record<string, unknown>)[key];
  switch (item.kind) {
    case 'order':
      return (
        <>{joined(formatYen(Number(at(item.order, 'total') ?? 0), lang), at(item.order, 'storeCode'))}</>
      );
    case 'visit': {
      const spend = at(item.visit, 'spend');
      return <>{joined(at(item.visit, 'storeCode'), spend ? formatYen(Number(spend), lang) : undefined)}</>;
    }
    case 'event':
    case 'message_received':
      return <>{joined(at(item.event, 'type'))}</>;
    case 'consent':
      return (
        <>{`${joined(at(item.consent, 'channel'), at(item.consent, 'purpose'))}: ${joined(at(item.consent, 'status'))}`}</>
      );
    case 'message_sent':
      return <>{joined(at(item.message, 'origin'), at(item.message, 'status'))}</>;
  }
}

export function CustomerTimeline({ customerId }: { customerId: number }) {
  const t = useT(customerMessages);
  const { lang } = useLocale();
  const timeline = useTimeline(customerId);
  if (timeline.isPending) return <Loading />;
  if (timeline.isError) return <ErrorState error={timeline.error} retry={() => timeline.refetch()} />;
  const items = timeline.data.pages.flatMap((page) => page.items);
  return (
    <Card title={t('timeline')} size="small">
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('noTimeline')} />
      ) : (
        <Timeline
          items={items.map((item, i) => ({
            key: `${item.kind}-${item.at}-${i}`,
            color: KIND_COLOR[item.kind],
            content: (
              <>
                <Typography.Text type="secondary">{formatDateTime(item.at, lang)}</Typography.Text>{' '}
                <Tag>{t(KIND_LABEL[item.kind])}</Tag> <Detail item={item} />
              </>
            ),
          }))}
        />
      )}
      {timeline.hasNextPage && (
        <Button onClick={() => timeline.fetchNextPage()} loading={timeline.isFetchingNextPage}>
          {t('more')}
        </Button>
      )}
    </Card>
  );
}
