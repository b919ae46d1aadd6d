// A journey drawn with React Flow (@xyflow/react, loaded only with this file): nodes in rows by
// their distance from the start, edges labelled はい / いいえ at branches. With a role that may
// send, each node is a button that opens the step's form (Tab to it, Enter), has a 削除 button,
// and each edge a ＋ that adds a step on it (a branch's arm included).
import '@xyflow/react/dist/style.css';
import './journey-canvas.css';
import {
  Background,
  BaseEdge,
  Controls,
  type Edge,
  EdgeLabelRenderer,
  type EdgeProps,
  getSmoothStepPath,
  Handle,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import { createContext, useContext, useMemo } from 'react';
import { useLocale, useT } from '../i18n/locale.tsx';
import { type JourneyDefinitionView, successorsOf } from './definition-view.ts';
import { emailSummary, problemText, type StepNames, stepSummary } from './editor-labels.ts';
import { editorMessages } from './editor-messages.ts';
import { type Anchor, type Arm, fromDraft, type JourneyDraft, nodeOf } from './journey-draft.ts';
import { nodeTypeLabel } from './journey-labels.ts';
import { journeyMessages } from './messages.ts';
import { kindOf } from './step-fields.ts';
import { stepName } from './step-list.tsx';

const COLUMN = 260;
const ROW = 160;

const NODE_COLORS: Record<string, string> = {
  send: '#e6f4ea',
  wait: '#f5f5f5',
  waitForEvent: '#fff7e6',
  branch: '#e6f0ff',
  action: '#f0e6ff',
  exit: '#f5f5f5',
};

/** Rows by breadth-first distance from nodes[0]; unreachable nodes go in a last row. */
export function layoutJourney(definition: JourneyDefinitionView): Map<string, { x: number; y: number }> {
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const depth = new Map<string, number>();
  const queue = definition.nodes[0] ? [definition.nodes[0].id] : [];
  if (queue[0]) depth.set(queue[0], 0);
  while (queue.length > 0) {
    const id = queue.shift() as string;
    const node = byId.get(id);
    for (const next of node ? successorsOf(node) : []) {
      if (!depth.has(next) && byId.has(next)) {
        depth.set(next, (depth.get(id) ?? 0) + 1);
        queue.push(next);
      }
    }
  }
  const last = Math.max(-1, ...depth.values()) + 1;
  const rows = new Map<number, string[]>();
  for (const node of definition.nodes) {
    const row = depth.get(node.id) ?? last;
    rows.set(row, [...(rows.get(row) ?? []), node.id]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  for (const [row, ids] of rows)
    for (const [i, id] of ids.entries())
      positions.set(id, { x: (i - (ids.length - 1) / 2) * COLUMN, y: row * ROW });
  return positions;
}

export interface JourneyCanvasProps {
  draft: JourneyDraft;
  names?: StepNames;
  problems?: ReadonlyMap<string, string[]>;
  /** Absent when the user may not edit. */
  onAdd?: (at: Anchor) => void;
  onEdit?: (id: string) => void;
  onDelete?: (id: string) => void;
  canDelete?: (id: string) => boolean;
}

// The node and edge components read the callbacks from here: React Flow's node data is for data.
const Callbacks = createContext<JourneyCanvasProps | null>(null);

function StepNode({ id }: NodeProps) {
  const props = useContext(Callbacks);
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const node = props && nodeOf(props.draft, id);
  if (!props || !node) return null;
  const summary = stepSummary(node, t, te, lang, props.names);
  const problems = props.problems?.get(id);
  const editable = props.onEdit && kindOf(node);
  const body = (
    <>
      <strong>{nodeTypeLabel(node.type, t)}</strong>
      <div style={{ fontSize: 13 }}>{summary}</div>
      {node.channel === 'line_then_email' && (
        <div style={{ fontSize: 12 }}>
          {te('fallbackEmail', { email: emailSummary(node.email, te, props.names) })}
        </div>
      )}
    </>
  );
  return (
    <div
      className="kz-flow-node"
      data-node={id}
      style={{
        background: NODE_COLORS[node.type] ?? '#fff',
        border: `${problems ? 2 : 1}px solid ${problems ? '#a8071a' : '#8c8c8c'}`,
        borderRadius: 6,
        width: 220,
        padding: 8,
        color: '#1f1f1f',
        position: 'relative',
      }}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      {editable ? (
        // The button's name is what it shows (the step and 編集), as axe asks of visible labels.
        <button
          type="button"
          className="kz-flow-edit nodrag"
          onClick={() => props.onEdit?.(id)}
          style={{ all: 'unset', cursor: 'pointer', display: 'block', width: '100%' }}
        >
          {body}
          <span style={{ fontSize: 12, color: '#0958d9' }}>{t('edit')} ›</span>
        </button>
      ) : (
        body
      )}
      {problems && <div style={{ color: '#a8071a', fontSize: 11 }}>{problemText(problems[0] ?? '', te)}</div>}
      {props.onDelete && props.canDelete?.(id) && (
        <button
          type="button"
          className="kz-flow-delete nodrag"
          onClick={() => props.onDelete?.(id)}
          aria-label={te('deleteAria', { what: stepName(node, t, te, lang) })}
          // In the corner, so that a node stays short and the chart large enough to read.
          style={{
            position: 'absolute',
            top: 6,
            right: 6,
            fontSize: 12,
            color: '#a8071a',
            background: '#fff',
            border: '1px solid #a8071a',
            borderRadius: 4,
            cursor: 'pointer',
          }}
        >
          {te('delete')}
        </button>
      )}
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function StepEdge(edge: EdgeProps) {
  const props = useContext(Callbacks);
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { lang } = useLocale();
  const [path, x, y] = getSmoothStepPath(edge);
  const arm = (edge.data as { arm: Arm } | undefined)?.arm ?? 'next';
  const from = props && nodeOf(props.draft, edge.source);
  const to = props && nodeOf(props.draft, edge.target);
  return (
    <>
      <BaseEdge
        path={path}
        {...(arm === 'next'
          ? {}
          : {
              label: t(arm),
              labelX: x,
              labelY: y - 22,
              labelBgPadding: [4, 2] as [number, number],
              labelStyle: { fontSize: 13, fontWeight: 600 },
            })}
      />
      {props?.onAdd && from && to && (
        <EdgeLabelRenderer>
          <button
            type="button"
            className="kz-flow-add nodrag nopan"
            onClick={() => props.onAdd?.({ after: edge.source, arm })}
            aria-label={te('addOnEdge', {
              from: `${stepName(from, t, te, lang)}${arm === 'next' ? '' : `（${t(arm)}）`}`,
              to: stepName(to, t, te, lang),
            })}
            style={{
              position: 'absolute',
              transform: `translate(-50%, -50%) translate(${x}px, ${y + (arm === 'next' ? 0 : 8)}px)`,
              pointerEvents: 'all',
              width: 22,
              height: 22,
              borderRadius: 11,
              border: '1px solid #0958d9',
              background: '#fff',
              color: '#0958d9',
              cursor: 'pointer',
              lineHeight: '18px',
              padding: 0,
            }}
          >
            ＋
          </button>
        </EdgeLabelRenderer>
      )}
    </>
  );
}

const NODE_TYPES = { step: StepNode };
const EDGE_TYPES = { step: StepEdge };

export function JourneyCanvas(props: JourneyCanvasProps) {
  const t = useT(journeyMessages);
  const te = useT(editorMessages);
  const { draft } = props;
  const { nodes, edges } = useMemo(() => {
    const positions = layoutJourney(fromDraft(draft));
    const nodes: Node[] = draft.nodes.map((node) => ({
      id: node.id,
      type: 'step',
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: {},
      draggable: false,
      connectable: false,
      focusable: false,
    }));
    const edges: Edge[] = draft.edges.map((e) => ({
      id: `${e.source}->${e.target}:${e.arm}`,
      source: e.source,
      target: e.target,
      type: 'step',
      data: { arm: e.arm },
      focusable: false,
    }));
    return { nodes, edges };
  }, [draft]);
  return (
    <Callbacks.Provider value={props}>
      {props.onEdit && <p style={{ margin: '0 0 8px' }}>{te('canvasHint')}</p>}
      <section
        aria-label={t('canvasLabel')}
        style={{ height: 640, background: '#fff', border: '1px solid #f0f0f0' }}
      >
        <ReactFlow
          // A step added or deleted changes the shape: a fresh chart fits the view to it again.
          key={`${nodes.length}:${edges.length}`}
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          fitView
          fitViewOptions={{ padding: 0.05, maxZoom: 1 }}
          nodesDraggable={false}
          nodesConnectable={false}
          nodesFocusable={false}
          edgesFocusable={false}
          elementsSelectable={false}
          deleteKeyCode={null}
          minZoom={0.3}
        >
          <Background />
          <Controls showInteractive={false} />
        </ReactFlow>
      </section>
    </Callbacks.Provider>
  );
}
