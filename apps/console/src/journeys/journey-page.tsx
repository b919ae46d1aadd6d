// One journey: its steps as a step list (step delivery's day 0 / day 3 / day 7, a branch's ways
// nested) and as a flow chart, both editable (journey-editor.tsx), its trigger, re-entry and goal,
// publish / pause / resume / archive, the preview for one customer, and the results.
import { Alert, Descriptions, Space, Tabs, Tag, Typography } from 'antd';
import { lazy, Suspense, useState } from 'react';
import { Link, useParams } from 'react-router';
import { ErrorState, Loading } from '../app/states.tsx';
import { useSession } from '../auth/session.tsx';
import { useLocale, useT } from '../i18n/locale.tsx';
import { asDefinition, isLinear, type JourneyDefinitionView } from './definition-view.ts';
import { JourneyActions } from './journey-actions.tsx';
import { fromDraft } from './journey-draft.ts';
import { useJourneyEditor } from './journey-editor.tsx';
import { STATUS_COLORS, statusLabel, triggerLabel } from './journey-labels.ts';
import { JourneyPreview } from './journey-preview.tsx';
import { JourneyResults } from './journey-results.tsx';
import { JourneySettings } from './journey-settings.tsx';
import { journeyMessages } from './messages.ts';
import { type Journey, useJourney } from './queries.ts';
import { StepList } from './step-list.tsx';

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
  const stored = asDefinition(journey.definition);
  if (!stored) return <Alert type="error" showIcon title={t('badDefinition')} />;
  return <JourneyEditorView journey={journey} stored={stored} />;
}

function JourneyEditorView({ journey, stored }: { journey: Journey; stored: JourneyDefinitionView }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const { can } = useSession();
  const editor = useJourneyEditor(journey, stored);
  const editable = can('send') && journey.status !== 'archived';
  const definition = fromDraft(editor.draft);
  const segmentName = editor.segments.find((s) => s.id === definition.trigger.segmentId)?.name;
  const trigger = segmentName ?? triggerLabel(definition.trigger, t, lang);
  // A journey that branches opens on its flow chart, a linear one on its step list.
  const [tab, setTab] = useState(isLinear(stored) ? 'steps' : 'canvas');
  const edit = editable
    ? {
        onAdd: editor.onAdd,
        onEdit: editor.onEdit,
        onDelete: editor.onDelete,
        canDelete: editor.canDelete,
      }
    : {};

  const tabs = [
    {
      key: 'steps',
      label: t('tabSteps'),
      children: (
        <StepList
          draft={editor.draft}
          trigger={trigger}
          names={editor.names}
          problems={editor.problems}
          {...edit}
        />
      ),
    },
    {
      key: 'canvas',
      label: t('tabCanvas'),
      children: (
        <Suspense fallback={<Loading />}>
          <JourneyCanvas draft={editor.draft} names={editor.names} problems={editor.problems} {...edit} />
        </Suspense>
      ),
    },
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
        {!editor.dirty && <JourneyActions journey={journey} />}
      </Space>
      <Descriptions
        size="small"
        column={{ xs: 1, md: 2 }}
        items={[
          {
            key: 'version',
            label: t('version'),
            children:
              journey.liveVersion === null
                ? t('versionDraft', { latest: journey.latestVersion })
                : t('versionValue', { live: journey.liveVersion, latest: journey.latestVersion }),
          },
        ]}
      />
      {journey.status === 'draft' && !editor.dirty && <Alert type="info" showIcon title={t('draftNote')} />}
      {journey.status === 'archived' && <Alert type="info" showIcon title={t('archivedNote')} />}
      {!can('send') && <Alert type="info" showIcon title={t('readOnly')} />}
      <JourneySettings
        trigger={definition.trigger}
        settings={editor.draft.settings}
        segments={editor.segments}
        {...(editable ? { onChange: editor.onSettings } : {})}
      />
      {editor.controls}
      <Tabs activeKey={tab} onChange={setTab} items={tabs} />
    </Space>
  );
}
