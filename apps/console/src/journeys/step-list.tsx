// The step list of step delivery as Japanese tools print it: each step with when it happens
// (「友だち追加直後」「3日後 10:00」「7日後」) and its message as the phone shows it; a branch's two ways
// nested under it. A role that may send adds a step after any step (「ステップを追加」), edits or
// deletes one here; the page saves the result (a live journey: as a new version).
import { Alert, Button, Space, Tag, Timeline, Typography } from 'antd';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { JourneyNodeView } from './definition-view.ts';
import { type EditorT, emailSummary, problemText, type StepNames, stepSummary } from './editor-labels.ts';
import { editorMessages } from './editor-messages.ts';
import { type Anchor, type JourneyDraft, nodeOf } from './journey-draft.ts';
import { type JourneyT, nodeTypeLabel, TAG_COLORS, timingLabel } from './journey-labels.ts';
import { LineBubbles } from './line-bubble.tsx';
import { journeyMessages } from './messages.ts';
import { kindOf } from './step-fields.ts';
import { type StepItem, stepTree } from './step-tree.ts';

// Ant Design's 'blue' dot takes the console's crimson primary colour, which reads as the red of a
// problem: actions and branches get a real blue.
const DOT_COLORS: Record<string, string> = { send: 'green', wait: 'gray', exit: 'gray' };

export interface StepListProps {
  draft: JourneyDraft;
  trigger: string;
  names: StepNames;
  /** The server's problems by node id (from a refused save). */
  problems?: ReadonlyMap<string, string[]>;
  /** Absent when the user may not edit (their role, or an archived journey). */
  onAdd?: (at: Anchor) => void;
  onEdit?: (id: string) => void;
  onDelete?: (id: string) => void;
  canDelete?: (id: string) => boolean;
}

/** 「メッセージ: ようこそ…」: a step as the buttons' labels name it. */
export function stepName(node: JourneyNodeView, t: JourneyT, te: EditorT, lang: 'ja' | 'en'): string {
  const summary = stepSummary(node, t, te, lang);
  const short = summary.length > 16 ? `${summary.slice(0, 16)}…` : summary;
  return short ? `${nodeTypeLabel(node.type, t)}: ${short}` : nodeTypeLabel(node.type, t);
}

export function StepList(props: StepListProps) {
  const te = useT(editorMessages);
  const items = stepTree(props.draft);
  return (
    <div className="kz-step-list">
      <Space size="small" wrap style={{ marginBottom: 4 }}>
        <Tag color="#0958d9">{te('start')}</Tag>
        <Typography.Text strong>{props.trigger}</Typography.Text>
      </Space>
      {props.onAdd && (
        <div>
          <AddButton props={props} at={{ after: 'trigger' }} where={te('whereAfterTrigger')} />
        </div>
      )}
      <Steps props={props} items={items} />
    </div>
  );
}

function AddButton({ props, at, where }: { props: StepListProps; at: Anchor; where: string }) {
  const te = useT(editorMessages);
  return (
    <Button
      type="dashed"
      size="small"
      className="kz-add-step"
      style={{ margin: '4px 0 12px' }}
      onClick={() => props.onAdd?.(at)}
      aria-label={te('addStepAria', { where })}
    >
      ＋ {te('addStep')}
    </Button>
  );
}

function Steps({ props, items }: { props: StepListProps; items: readonly StepItem[] }) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const timeline = items.map((item) => {
    if ('joins' in item) {
      const target = nodeOf(props.draft, item.joins);
      return {
        key: `joins-${item.joins}`,
        color: 'gray',
        children: (
          <Typography.Text type="secondary">
            {te('joins', { step: target ? stepName(target, t, te, lang) : item.joins })}
          </Typography.Text>
        ),
      };
    }
    const { node, timing } = item;
    const name = stepName(node, t, te, lang);
    const problems = props.problems?.get(node.id);
    return {
      key: node.id,
      color: problems ? 'red' : (DOT_COLORS[node.type] ?? TAG_COLORS.blue),
      children: (
        <div className="kz-step" data-node={node.id}>
          <Space size="small" wrap>
            {timing && node.type !== 'wait' && node.type !== 'exit' && (
              <Tag color="blue" className="kz-step-timing">
                {timingLabel(timing, props.trigger, t, lang)}
              </Tag>
            )}
            <Typography.Text strong>{nodeTypeLabel(node.type, t)}</Typography.Text>
            {node.type === 'send' && node.channel === 'line_then_email' && (
              <Tag color="green">{t('channelLineThenEmail')}</Tag>
            )}
            {node.type === 'wait' && timing ? (
              <Typography.Text>
                {t('waitTill', { when: timingLabel(timing, props.trigger, t, lang) })}
              </Typography.Text>
            ) : (
              (node.type !== 'send' || node.channel === 'email') && (
                <Typography.Text>{stepSummary(node, t, te, lang, props.names)}</Typography.Text>
              )
            )}
            {props.onEdit && kindOf(node) && (
              <Button
                size="small"
                onClick={() => props.onEdit?.(node.id)}
                aria-label={t('editAria', {
                  what:
                    node.type === 'wait' || !timing
                      ? name
                      : `${timingLabel(timing, props.trigger, t, lang)} ${nodeTypeLabel(node.type, t)}`,
                })}
              >
                {t('edit')}
              </Button>
            )}
            {props.onDelete && props.canDelete?.(node.id) && (
              <Button
                size="small"
                // Ant Design's danger red (#ff4d4f) falls below 4.5:1 on white: the dark shade instead.
                style={{ color: TAG_COLORS.red, borderColor: TAG_COLORS.red }}
                onClick={() => props.onDelete?.(node.id)}
                aria-label={te('deleteAria', { what: name })}
              >
                {te('delete')}
              </Button>
            )}
          </Space>
          {node.type === 'send' && node.channel !== 'email' && (
            <div style={{ marginTop: 8 }}>
              <LineBubbles
                messages={node.messages ?? []}
                otherLabel={(type) => t('otherMessage', { type })}
              />
              {node.channel === 'line_then_email' && (
                <Typography.Text className="kz-fallback-email">
                  {te('fallbackEmail', { email: emailSummary(node.email, te, props.names) })}
                </Typography.Text>
              )}
            </div>
          )}
          {problems && (
            <Alert
              type="error"
              showIcon
              style={{ marginTop: 8 }}
              title={problems.map((p) => <div key={p}>{problemText(p, te)}</div>)}
            />
          )}
          {item.arms ? (
            <div className="kz-arms">
              {item.arms.map(({ arm, items: armItems }) => (
                <section
                  key={arm}
                  className={`kz-arm kz-arm-${arm}`}
                  aria-label={`${name} ${te(arm === 'yes' ? 'armYes' : 'armNo')}`}
                  style={{
                    border: '1px solid #d9d9d9',
                    borderRadius: 8,
                    padding: '8px 12px 0',
                    marginTop: 8,
                  }}
                >
                  <Typography.Text strong className="kz-arm-title">
                    {te(arm === 'yes' ? 'armYes' : 'armNo')}
                  </Typography.Text>
                  {props.onAdd && (
                    <div>
                      <AddButton
                        props={props}
                        at={{ after: node.id, arm }}
                        where={te('whereArm', { step: name, arm: t(arm) })}
                      />
                    </div>
                  )}
                  <Steps props={props} items={armItems} />
                </section>
              ))}
            </div>
          ) : (
            props.onAdd &&
            node.type !== 'exit' && (
              <div>
                <AddButton
                  props={props}
                  at={{ after: node.id, arm: 'next' }}
                  where={te('whereAfter', { step: name })}
                />
              </div>
            )
          )}
        </div>
      ),
    };
  });
  return <Timeline items={timeline} />;
}
