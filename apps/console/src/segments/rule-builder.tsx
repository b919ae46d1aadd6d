// The visual rule builder: a group (AND / OR) of conditions and nested groups, each of which can
// be excluded (NOT). It edits the definition tree directly, so what is saved is what is shown.
import { Button, Card, Dropdown, Radio, Space, Switch, Typography } from 'antd';
import { useT } from '../i18n/locale.tsx';
import { builderMessages } from './builder-messages.ts';
import { ConditionEditor } from './condition-editor.tsx';
import {
  CONDITION_KINDS,
  type Condition,
  conditionKind,
  type Group,
  groupChildren,
  isGroup,
  newCondition,
  type RuleNode,
} from './rule-model.ts';

const MAX_DEPTH = 4;

function withChildren(group: Group, children: RuleNode[]): Group {
  return 'and' in group ? { and: children } : { or: children };
}

/** One child of a group: a condition or a group, with the NOT switch and remove. */
function ChildRow(props: {
  node: RuleNode;
  depth: number;
  onChange(next: RuleNode): void;
  onRemove(): void;
}) {
  const t = useT(builderMessages);
  const negated = 'not' in props.node;
  const inner: RuleNode = 'not' in props.node ? props.node.not : props.node;
  const setInner = (next: RuleNode) => props.onChange(negated ? { not: next } : next);
  const label = isGroup(inner) ? '' : t(`kind.${conditionKind(inner as Condition)}`);
  return (
    <div className="kz-rule-row" data-negated={negated || undefined}>
      <Space wrap size="small" align="center" style={{ width: '100%', justifyContent: 'space-between' }}>
        <Space size="small" align="center">
          {label && <Typography.Text strong>{label}</Typography.Text>}
          <Switch
            size="small"
            checked={negated}
            aria-label={t('not')}
            onChange={(on) => props.onChange(on ? { not: inner } : inner)}
          />
          <Typography.Text type={negated ? undefined : 'secondary'} strong={negated}>
            {t('not')}
          </Typography.Text>
        </Space>
        <Button size="small" onClick={props.onRemove}>
          {t('remove')}
        </Button>
      </Space>
      <div style={{ marginTop: 8 }}>
        {isGroup(inner) ? (
          <GroupEditor group={inner} depth={props.depth + 1} onChange={setInner} />
        ) : (
          <ConditionEditor node={inner as Condition} onChange={setInner} />
        )}
      </div>
    </div>
  );
}

/** A group: its AND/OR choice, its children, and the buttons that add more. */
export function GroupEditor(props: { group: Group; depth?: number; onChange(next: Group): void }) {
  const t = useT(builderMessages);
  const depth = props.depth ?? 0;
  const children = groupChildren(props.group);
  const setChildren = (next: RuleNode[]) => props.onChange(withChildren(props.group, next));
  const mode = 'and' in props.group ? 'and' : 'or';
  return (
    <Card size="small" className="kz-rule-group" style={{ background: depth % 2 ? '#fafafa' : '#fff' }}>
      <Radio.Group
        aria-label={t('and')}
        value={mode}
        optionType="button"
        onChange={(e) => props.onChange(e.target.value === 'and' ? { and: children } : { or: children })}
        options={[
          { value: 'and', label: t('and') },
          { value: 'or', label: t('or') },
        ]}
      />
      <Space direction="vertical" size="small" style={{ width: '100%', marginTop: 12 }}>
        {children.length === 0 && <Typography.Text type="secondary">{t('emptyGroup')}</Typography.Text>}
        {children.map((child, i) => (
          <ChildRow
            // The position is the identity: rules have no ids, and rows are edited in place.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            key={i}
            node={child}
            depth={depth}
            onChange={(next) => setChildren(children.map((c, j) => (j === i ? next : c)))}
            onRemove={() => setChildren(children.filter((_, j) => j !== i))}
          />
        ))}
        <Space wrap>
          <Dropdown
            trigger={['click']}
            menu={{
              items: CONDITION_KINDS.map((kind) => ({ key: kind, label: t(`kind.${kind}`) })),
              onClick: ({ key }) =>
                setChildren([...children, newCondition(key as (typeof CONDITION_KINDS)[number])]),
            }}
          >
            <Button type="dashed">＋ {t('addCondition')}</Button>
          </Dropdown>
          {depth < MAX_DEPTH && (
            <Button type="dashed" onClick={() => setChildren([...children, { or: [] }])}>
              ＋ {t('addGroup')}
            </Button>
          )}
        </Space>
      </Space>
    </Card>
  );
}
