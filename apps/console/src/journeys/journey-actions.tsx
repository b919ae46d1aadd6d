// Publish, pause, resume and archive: the buttons a journey's status allows, shown only to a role
// that may send (owner, admin, marketer). The server checks the transition and the role anyway.
import { App as AntApp, Button, Popconfirm, Space } from 'antd';
import { useSession } from '../auth/session.tsx';
import { useT } from '../i18n/locale.tsx';
import { journeyMessages } from './messages.ts';
import { type JourneyStatus, type JourneyTransition, useJourneyTransition } from './queries.ts';

const ALLOWED: Record<JourneyStatus, JourneyTransition[]> = {
  draft: ['publish', 'archive'],
  live: ['pause', 'archive'],
  paused: ['resume', 'archive'],
  archived: [],
};

export function JourneyActions({
  journey,
  size,
}: {
  journey: { id: number; name: string; status: JourneyStatus };
  size?: 'small' | 'middle';
}) {
  const t = useT(journeyMessages);
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const transition = useJourneyTransition();
  if (!can('send')) return null;
  const run = (action: JourneyTransition) =>
    transition.mutate(
      { id: journey.id, action },
      {
        onSuccess: () => message.success(t('transitioned', { name: journey.name, action: t(action) })),
        onError: (error) =>
          message.error(t('transitionFailed', { action: t(action), reason: error.message })),
      },
    );
  const busy = transition.isPending;
  return (
    <Space size="small" wrap>
      {ALLOWED[journey.status].map((action) =>
        action === 'archive' ? (
          <Popconfirm
            key={action}
            title={t('archiveConfirm', { name: journey.name })}
            okText={t('archive')}
            cancelText={t('cancel')}
            onConfirm={() => run(action)}
          >
            <Button size={size} disabled={busy}>
              {t('archive')}
            </Button>
          </Popconfirm>
        ) : (
          <Button
            key={action}
            size={size}
            type={action === 'publish' ? 'primary' : 'default'}
            disabled={busy}
            onClick={() => run(action)}
          >
            {t(action)}
          </Button>
        ),
      )}
    </Space>
  );
}
