// The editing state of one journey page: the draft (journey-draft.ts) the step list and the flow
// chart both edit, the step form they both open, deleting with a confirmation, and saving (a live
// journey: a new version that new runs enter, runs under way keeping theirs; a draft stays a
// draft). The problems a refused save names are kept by step, for the step list and the chart.
import { Alert, App as AntApp, Button, Space } from 'antd';
import { type ReactNode, useState } from 'react';
import { ApiError } from '../api/client.ts';
import { useLocale, useT } from '../i18n/locale.tsx';
import { useRichMenus } from '../line/queries.ts';
import { useCouponTemplates } from '../loyalty/queries.ts';
import { useSegments } from '../segments/queries.ts';
import type { JourneyDefinitionView } from './definition-view.ts';
import { type StepNames, stepSummary } from './editor-labels.ts';
import { editorMessages } from './editor-messages.ts';
import {
  type Anchor,
  canDelete,
  deleteStep,
  fromDraft,
  insertStep,
  type JourneyDraft,
  type NewStep,
  nodeOf,
  problemsByNode,
  sendsBefore,
  setSettings,
  setTrigger,
  toDraft,
  updateStep,
} from './journey-draft.ts';
import { journeyMessages } from './messages.ts';
import { type Journey, useEmailTemplates, useSaveDefinition } from './queries.ts';
import type { StepChoices } from './step-fields.ts';
import { StepFormModal } from './step-form.tsx';

type Editing = { at: Anchor } | { id: string } | null;

export interface JourneyEditor {
  draft: JourneyDraft;
  dirty: boolean;
  problems: ReadonlyMap<string, string[]>;
  names: StepNames;
  segments: StepChoices['segments'];
  onAdd: (at: Anchor) => void;
  onEdit: (id: string) => void;
  onDelete: (id: string) => void;
  canDelete: (id: string) => boolean;
  onSettings: (trigger: Record<string, unknown>, settings: Record<string, unknown>) => void;
  /** The unsaved-changes bar with save and discard, the save's problems, and the open dialog. */
  controls: ReactNode;
}

export function useJourneyEditor(journey: Journey, stored: JourneyDefinitionView): JourneyEditor {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const { message, modal } = AntApp.useApp();
  const [draft, setDraft] = useState(() => toDraft(stored));
  const [dirty, setDirty] = useState(false);
  const [problems, setProblems] = useState<ReadonlyMap<string, string[]>>(new Map());
  const [editing, setEditing] = useState<Editing>(null);
  const save = useSaveDefinition(journey.id);
  const segments = useSegments();
  const coupons = useCouponTemplates();
  const emailTemplates = useEmailTemplates();
  const richMenus = useRichMenus();
  const baseNames: StepNames = {
    coupons: new Map((coupons.data?.items ?? []).map((c) => [c.id, c.name])),
    emailTemplates: new Map((emailTemplates.data?.items ?? []).map((e) => [e.id, e.name])),
    richMenus: new Map((richMenus.data ?? []).map((m) => [m.id, m.name])),
  };
  const sendNames = new Map(
    draft.nodes
      .filter((n) => n.type === 'send')
      .map((n) => {
        const node = nodeOf(draft, n.id) as JourneyDefinitionView['nodes'][number];
        return [n.id, stepSummary(node, t, te, lang, baseNames) || n.id] as const;
      }),
  );
  const names: StepNames = { ...baseNames, messages: sendNames };
  const place = editing && ('at' in editing ? editing.at : { id: editing.id });
  const choices: StepChoices = {
    segments: segments.data?.items ?? [],
    coupons: (coupons.data?.items ?? []).filter((c) => c.active !== false),
    emailTemplates: emailTemplates.data?.items ?? [],
    // A menu without its image cannot be shown (the server refuses it at save).
    richMenus: (richMenus.data ?? []).filter((m) => m.imageUploaded),
    messages: place ? sendsBefore(draft, place).map((id) => ({ id, name: sendNames.get(id) ?? id })) : [],
  };
  const change = (next: JourneyDraft) => {
    setDraft(next);
    setDirty(true);
  };

  const onDelete = (id: string) => {
    const node = nodeOf(draft, id);
    modal.confirm({
      title: te('deleteTitle'),
      content:
        node?.type === 'branch' || node?.type === 'waitForEvent' ? te('deleteBranchNote') : te('deleteNote'),
      okText: te('deleteOk'),
      okButtonProps: { danger: true },
      cancelText: t('cancel'),
      onOk: () => {
        setDraft((current) => deleteStep(current, id));
        setDirty(true);
      },
    });
  };
  const apply = (step: NewStep) => {
    if (editing && 'at' in editing) change(insertStep(draft, editing.at, step).draft);
    else if (editing) change(updateStep(draft, editing.id, { ...step, id: editing.id }));
    setEditing(null);
  };
  const onSave = () => {
    const definition = fromDraft(draft);
    save.mutate(definition, {
      onSuccess: (saved) => {
        setProblems(new Map());
        message.success(t('saved', { version: saved.latestVersion }));
      },
      onError: (error) => {
        // Problems named by path show on their steps; the toast then says where to look.
        const named = error instanceof ApiError && error.problems.length > 0;
        if (named) setProblems(problemsByNode(definition, error.problems));
        message.error(named ? te('problemsTitle') : t('saveFailed', { reason: error.message }));
      },
    });
  };
  const general = problems.get('');

  const controls = (
    <>
      {dirty && (
        <Alert
          type="warning"
          showIcon
          title={t('unsaved')}
          description={journey.status === 'draft' ? t('draftNote') : t('liveEditNote')}
          action={
            <Space>
              <Button type="primary" loading={save.isPending} onClick={onSave}>
                {journey.status === 'draft' ? te('saveDraft') : t('save')}
              </Button>
              <Button
                onClick={() => {
                  setDraft(toDraft(stored));
                  setProblems(new Map());
                  setDirty(false);
                }}
              >
                {t('discard')}
              </Button>
            </Space>
          }
        />
      )}
      {problems.size > 0 && (
        <Alert
          type="error"
          showIcon
          title={te('problemsTitle')}
          description={general?.map((p) => <div key={p}>{p}</div>)}
        />
      )}
      {editing && (
        <StepFormModal
          node={'id' in editing ? (nodeOf(draft, editing.id) ?? null) : null}
          choices={choices}
          onApply={apply}
          onClose={() => setEditing(null)}
        />
      )}
    </>
  );

  return {
    draft,
    dirty,
    problems,
    names,
    segments: choices.segments,
    onAdd: (at) => setEditing({ at }),
    onEdit: (id) => setEditing({ id }),
    onDelete,
    canDelete: (id) => canDelete(draft, id),
    onSettings: (trigger, settings) => change(setSettings(setTrigger(draft, trigger), settings)),
    controls,
  };
}
