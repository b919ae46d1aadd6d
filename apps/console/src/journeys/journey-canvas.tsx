// A branching journey drawn read-only with React Flow (@xyflow/react, loaded only with this file):
// nodes in rows by their distance from the start, edges labelled はい / いいえ at branches.
import '@xyflow/react/dist/style.css';
import { Background, Controls, type Edge, type Node, ReactFlow } from '@xyflow/react';
import { useMemo } from 'react';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { Lang } from '../i18n/messages.ts';
import { type JourneyDefinitionView, messageText, successorsOf } from './definition-view.ts';
import { type JourneyT, nodeSummary, nodeTypeLabel } from './journey-labels.ts';
import { journeyMessages } from './messages.ts';

const COLUMN = 260;
const ROW = 120;

const NODE_COLORS: Record<string, string> = {
  send: '#e6f4ea',
  wait: '#f5f5f5',
  waitForEvent: '#fff7e6',
  branch: '#e6f0ff',
  action: '#f0e6ff',
  exit: '#f5f5f5',
};

function nodeText(node: JourneyDefinitionView['nodes'][number], t: JourneyT, lang: Lang): string {
  if (node.type !== 'send') return nodeSummary(node, t, lang);
  const text = (node.messages ?? []).map((m) => messageText(m)).find((x) => x !== null);
  return text ? (text.length > 40 ? `${text.slice(0, 40)}…` : text) : '';
}

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

export function JourneyCanvas({ definition }: { definition: JourneyDefinitionView }) {
  const t = useT(journeyMessages);
  const { lang } = useLocale();
  const { nodes, edges } = useMemo(() => {
    const positions = layoutJourney(definition);
    const nodes: Node[] = definition.nodes.map((node) => ({
      id: node.id,
      position: positions.get(node.id) ?? { x: 0, y: 0 },
      data: {
        label: (
          <div>
            <strong>{nodeTypeLabel(node.type, t)}</strong>
            <div style={{ fontSize: 12 }}>{nodeText(node, t, lang)}</div>
          </div>
        ),
      },
      style: { background: NODE_COLORS[node.type] ?? '#fff', width: 220, color: '#1f1f1f' },
      draggable: false,
      connectable: false,
    }));
    const edges: Edge[] = definition.nodes.flatMap((node) => {
      const forks = node.type === 'branch' || node.type === 'waitForEvent';
      return successorsOf(node).map((target, i) => ({
        id: `${node.id}->${target}:${i}`,
        source: node.id,
        target,
        ...(forks ? { label: t(i === 0 ? 'yes' : 'no') } : {}),
      }));
    });
    return { nodes, edges };
  }, [definition, t, lang]);
  return (
    <section
      aria-label={t('canvasLabel')}
      style={{ height: 520, background: '#fff', border: '1px solid #f0f0f0' }}
    >
      <ReactFlow
        nodes={nodes}
        edges={edges}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </section>
  );
}
