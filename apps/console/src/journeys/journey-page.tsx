// One journey: its steps (a step list for linear step delivery, a flow chart for branching
// journeys), editing of a step's message or wait saved as a new version, publish / pause /
// resume / archive, the preview for one customer, and the results.
import { Alert, App as AntApp, Button, Descriptions, Space, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useCouponTemplates } from '../loyalty/queries.ts';
import {
  asDefinition,
  isLinear,
  type JourneyDefinitionView,
  type JourneyNodeView,
  linearSteps,
  withNode,
} from './definition-view.ts';
import { JourneyActions } from './journey-actions.tsx';
import { eventName, STATUS_COLORS, statusLabel, triggerLabel } from './journey-labels.ts';
import { JourneyPreview } from './journey-preview.tsx';
import { JourneyResults } from './journey-results.tsx';
import { journeyMessages } from './messages.ts';
import { type Journey, useJourney, useSaveDefinition } from './queries.ts';
import { StepList, type StepRow } from './step-list.tsx';

// React Flow is only needed for branching journeys: it loads with the canvas.
const JourneyCanvas = lazy(() => import('./journey-canvas.tsx').then((m) => ({ default: m.JourneyCanvas })));

export function JourneyPage() {
  const t = useT(journeyMessages);
  const id = Number(useParams().id);
  const journey = useJourney(id);
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Link to="/journeys">← {t('back')}</Link>
      {journey.isPending ? (
        <Loading />
      ) : journey.isError ? (
        <ErrorState error={journey.error} retry={() => journey.refetch()} />
      ) : (
        // Keyed by version: a saved version starts the editor afresh from what the server stored.
        <JourneyView key={`${journey.data.id}:${journey.data.latestVersion}`} journey={journey.data} />
      )}
    </Space>
  );
}

function JourneyView({ journey }: { journey: Journey }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const { message } = AntApp.useApp();
  const stored = asDefinition(journey.definition);
  const [draft, setDraft] = useState<JourneyDefinitionView | null>(stored);
  const [dirty, setDirty] = useState(false);
  const save = useSaveDefinition(journey.id);
  const coupons = useCouponTemplates();
  const couponNames = new Map((coupons.data?.items ?? []).map((c) => [c.id, c.name]));
  if (!stored || !draft) return <Alert type="error" showIcon title={t('badDefinition')} />;

  const editable = can('send') && journey.status !== 'archived';
  const trigger = triggerLabel(draft.trigger, t, lang);
  const linear = isLinear(draft);
  const rows: StepRow[] = linear
    ? linearSteps(draft)
    : draft.nodes.filter((n) => n.type === 'send').map((node) => ({ node, timing: null }));
  const onEdit = (node: JourneyNodeView) => {
    setDraft(withNode(draft, node.id, () => node));
    setDirty(true);
  };
  const onSave = () =>
    save.mutate(draft, {
      onSuccess: (saved) => message.success(t('saved', { version: saved.latestVersion })),
      onError: (error) => message.error(t('saveFailed', { reason: error.message })),
    });

  const steps = (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {dirty && (
        <Alert
          type="warning"
          showIcon
          title={t('unsaved')}
          description={journey.status === 'draft' ? undefined : t('liveEditNote')}
          action={
            <Space>
              <Button type="primary" loading={save.isPending} onClick={onSave}>
                {t('save')}
              </Button>
              <Button
                onClick={() => {
                  setDraft(stored);
                  setDirty(false);
                }}
              >
                {t('discard')}
              </Button>
            </Space>
          }
        />
      )}
      {!linear && (
        <Typography.Title level={2} style={{ fontSize: 18, margin: 0 }}>
          {t('messagesOfBranching')}
        </Typography.Title>
      )}
      <StepList rows={rows} trigger={trigger} couponNames={couponNames} {...(editable ? { onEdit } : {})} />
    </Space>
  );

  const tabs = [
    ...(linear ? [{ key: 'steps', label: t('tabSteps'), children: steps }] : []),
    ...(linear
      ? []
      : [
          {
            key: 'canvas',
            label: t('tabCanvas'),
            children: (
              <Space direction="vertical" size="middle" style={{ width: '100%' }}>
                <Suspense fallback={<Loading />}>
                  <JourneyCanvas definition={draft} />
                </Suspense>
                {steps}
              </Space>
            ),
          },
        ]),
    {
      key: 'preview',
      label: t('tabPreview'),
      children: <JourneyPreview journeyId={journey.id} definition={stored} />,
    },
    {
      key: 'results',
      label: t('tabResults'),
      children: <JourneyResults journeyId={journey.id} definition={stored} />,
    },
  ];

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
        <Typography.Title level={1} style={{ fontSize: 24, margin: 0 }}>
          {journey.name} <Tag color={STATUS_COLORS[journey.status]}>{statusLabel(journey.status, t)}</Tag>
        </Typography.Title>
        {!dirty && <JourneyActions journey={journey} />}
      </Space>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2, xl: 4 }}
        items={[
          { key: 'trigger', label: t('trigger'), children: trigger },
          {
            key: 'version',
            label: t('version'),
            children:
              journey.liveVersion === null
                ? t('versionDraft', { latest: journey.latestVersion })
                : t('versionValue', { live: journey.liveVersion, latest: journey.latestVersion }),
          },
          {
            key: 'goal',
            label: t('goal'),
            children: stored.goal
              ? t('goalValue', { days: stored.goal.withinDays, event: eventName(stored.goal.event, lang) })
              : '—',
          },
          {
            key: 'holdout',
            label: t('holdout'),
            children: stored.holdoutPercent
              ? t('holdoutValue', { percent: stored.holdoutPercent })
              : t('noHoldout'),
          },
        ]}
      />
      {journey.status === 'draft' && !dirty && <Alert type="info" showIcon title={t('draftNote')} />}
      {journey.status === 'archived' && <Alert type="info" showIcon title={t('archivedNote')} />}
      {!can('send') && <Alert type="info" showIcon title={t('readOnly')} />}
      <Tabs items={tabs} />
    </Space>
  );
}
