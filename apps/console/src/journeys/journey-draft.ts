// The journey editor's state, and every edit the step list and the flow chart make, as pure
// functions: a definition becomes a draft (nodes without their edges, and the edges as a list the
// flow chart draws), the screens edit the draft, and the draft becomes the definition saved.
// `fromDraft(toDraft(d))` deep-equals `d` for every definition (test/journey-draft.test.ts), and
// each edit keeps the graph valid: no edge to a missing node, every node reachable from the start,
// an exit reachable, no cycle without a wait (the server's rules, validate-graph.ts).
import type { JourneyDefinitionView, JourneyNodeView } from './definition-view.ts';

/** Which way out of a node an edge is: `next`, or a branch's / wait-for-event's `yes` / `no`. */
export type Arm = 'next' | 'yes' | 'no';

export interface DraftNode {
  id: string;
  type: string;
  /** Every field of the node but `id`, `type` and its edges, as the definition had them. */
  data: Record<string, unknown>;
}

export interface DraftEdge {
  source: string;
  arm: Arm;
  target: string;
}

export interface JourneyDraft {
  trigger: Record<string, unknown>;
  /** Every top-level field but `trigger` and `nodes`: reentry, quietHours, goal, key, holdout. */
  settings: Record<string, unknown>;
  /** In the definition's order; the run starts at nodes[0]. */
  nodes: DraftNode[];
  edges: DraftEdge[];
}

/** Where a new step goes: right after the trigger, or on one way out of a node. */
export type Anchor = { after: 'trigger' } | { after: string; arm: Arm };

export function armsOf(type: string): Arm[] {
  if (type === 'exit') return [];
  return type === 'branch' || type === 'waitForEvent' ? ['yes', 'no'] : ['next'];
}

export function toDraft(definition: JourneyDefinitionView): JourneyDraft {
  const { trigger, nodes, ...settings } = definition;
  const edges: DraftEdge[] = [];
  const draftNodes = nodes.map((node) => {
    const { id, type, ...rest } = node as JourneyNodeView & Record<string, unknown>;
    const arms = armsOf(type);
    const data: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest)) if (!(arms as string[]).includes(key)) data[key] = value;
    // Edges in arm order (yes before no), whatever order the node's keys came in.
    for (const arm of arms) if (arm in rest) edges.push({ source: id, arm, target: String(rest[arm]) });
    return { id, type, data };
  });
  return { trigger, settings, nodes: draftNodes, edges };
}

/** The node as the definition holds it: its data with its edges put back. */
export function nodeOf(draft: JourneyDraft, id: string): JourneyNodeView | undefined {
  const node = draft.nodes.find((n) => n.id === id);
  if (!node) return undefined;
  const arms: Record<string, string> = {};
  for (const edge of draft.edges) if (edge.source === id) arms[edge.arm] = edge.target;
  return { id: node.id, type: node.type, ...node.data, ...arms } as JourneyNodeView;
}

export function fromDraft(draft: JourneyDraft): JourneyDefinitionView {
  return {
    trigger: draft.trigger,
    nodes: draft.nodes.map((n) => nodeOf(draft, n.id) as JourneyNodeView),
    ...draft.settings,
  };
}

/** A new journey with nothing but its trigger and one exit (「空のシナリオ」). */
export function emptyDefinition(): JourneyDefinitionView {
  return {
    trigger: { event: 'line.friend_added' },
    reentry: 'never',
    quietHours: 'hold',
    nodes: [{ id: 'end', type: 'exit' }],
  };
}

export function targetOf(draft: JourneyDraft, source: string, arm: Arm): string | undefined {
  return draft.edges.find((e) => e.source === source && e.arm === arm)?.target;
}

const PREFIXES: Record<string, string> = {
  send: 'send',
  wait: 'wait',
  waitForEvent: 'event',
  branch: 'branch',
  action: 'action',
  exit: 'exit',
};

/** `send1`, `send2`, …: the first of its type's ids not taken (ids stay readable in errors). */
function freshId(taken: ReadonlySet<string>, type: string): string {
  const prefix = PREFIXES[type] ?? 'step';
  for (let n = 1; ; n++) if (!taken.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** What a new step is: a node without its id and edges. */
export type NewStep = Omit<JourneyNodeView, 'id' | 'next' | 'yes' | 'no'>;

/**
 * Puts a step on the anchor's edge: what the edge led to now follows the new step (a branch or a
 * wait for an event: its `yes`; its `no` ends at a new exit). Returns the draft and the new id.
 * @example
 * insertStep(draft, { after: 'greeting', arm: 'next' }, { type: 'wait', duration: 'P3D' })
 */
export function insertStep(
  draft: JourneyDraft,
  at: Anchor,
  step: NewStep,
): { draft: JourneyDraft; id: string } {
  const target = 'arm' in at ? targetOf(draft, at.after, at.arm) : draft.nodes[0]?.id;
  if (target === undefined) throw new Error(`no edge at ${JSON.stringify(at)}`);
  const taken = new Set(draft.nodes.map((n) => n.id));
  const id = freshId(taken, step.type);
  taken.add(id);
  const { type, ...data } = step as NewStep & Record<string, unknown>;
  const added: DraftNode[] = [{ id, type, data }];
  const edges = draft.edges.map((e) =>
    'arm' in at && e.source === at.after && e.arm === at.arm ? { ...e, target: id } : e,
  );
  if (armsOf(type).length === 2) {
    const exit = freshId(taken, 'exit');
    added.push({ id: exit, type: 'exit', data: {} });
    edges.push({ source: id, arm: 'yes', target }, { source: id, arm: 'no', target: exit });
  } else if (armsOf(type).length === 1) edges.push({ source: id, arm: 'next', target });
  const index = 'arm' in at ? draft.nodes.findIndex((n) => n.id === at.after) + 1 : 0;
  const nodes = [...draft.nodes.slice(0, index), ...added, ...draft.nodes.slice(index)];
  return { draft: { ...draft, nodes, edges }, id };
}

/** Replaces a node's fields (not its id, type or edges) with the form's. */
export function updateStep(draft: JourneyDraft, id: string, node: JourneyNodeView): JourneyDraft {
  const {
    id: _id,
    type: _type,
    next: _n,
    yes: _y,
    no: _no,
    ...data
  } = node as JourneyNodeView & Record<string, unknown>;
  return { ...draft, nodes: draft.nodes.map((n) => (n.id === id ? { ...n, data } : n)) };
}

/**
 * Removes a step; what led to it leads to its successor (a branch's: its `yes` arm; the `no`
 * arm's steps that nothing else reaches go with it). Unchanged when the result would not be a
 * valid graph (an exit, a message a click branch names, a cycle left without a wait).
 */
export function deleteStep(draft: JourneyDraft, id: string): JourneyDraft {
  const node = draft.nodes.find((n) => n.id === id);
  const keep = node && targetOf(draft, id, armsOf(node.type)[0] ?? 'next');
  if (!node || keep === undefined || keep === id) return draft;
  const edges = draft.edges
    .filter((e) => e.source !== id)
    .map((e) => (e.target === id ? { ...e, target: keep } : e));
  let nodes = draft.nodes.filter((n) => n.id !== id);
  if (draft.nodes[0]?.id === id) {
    const successor = nodes.find((n) => n.id === keep) as DraftNode;
    nodes = [successor, ...nodes.filter((n) => n.id !== keep)];
  }
  const pruned = withoutUnreachable({ ...draft, nodes, edges });
  return graphProblems(fromDraft(pruned)).length ? draft : pruned;
}

export function canDelete(draft: JourneyDraft, id: string): boolean {
  return deleteStep(draft, id) !== draft;
}

function reachable(draft: JourneyDraft): Set<string> {
  const seen = new Set<string>();
  const stack = draft.nodes[0] ? [draft.nodes[0].id] : [];
  while (stack.length) {
    const id = stack.pop() as string;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const e of draft.edges) if (e.source === id) stack.push(e.target);
  }
  return seen;
}

function withoutUnreachable(draft: JourneyDraft): JourneyDraft {
  const seen = reachable(draft);
  return {
    ...draft,
    nodes: draft.nodes.filter((n) => seen.has(n.id)),
    edges: draft.edges.filter((e) => seen.has(e.source)),
  };
}

/**
 * The send nodes a run passes before a place (a new step's anchor, or an existing step): the
 * messages a click branch there may name (the server's rule: the send leads to the branch).
 * In the definition's order.
 */
export function sendsBefore(draft: JourneyDraft, place: Anchor | { id: string }): string[] {
  if (!('id' in place) && !('arm' in place)) return []; // right after the trigger
  const start = 'id' in place ? place.id : place.after;
  const seen = new Set<string>('id' in place ? [] : [start]);
  const stack = [start];
  while (stack.length) {
    const id = stack.pop() as string;
    for (const e of draft.edges)
      if (e.target === id && !seen.has(e.source)) {
        seen.add(e.source);
        stack.push(e.source);
      }
  }
  return draft.nodes.filter((n) => n.type === 'send' && seen.has(n.id)).map((n) => n.id);
}

export function setTrigger(draft: JourneyDraft, trigger: Record<string, unknown>): JourneyDraft {
  // A run key names a field of the old trigger's payload: it does not carry over.
  const { key: _key, ...settings } = draft.settings;
  return { ...draft, trigger, settings: trigger.event === draft.trigger.event ? draft.settings : settings };
}

/** Sets (or with `undefined`, removes) top-level fields: reentry, goal, quietHours. */
export function setSettings(draft: JourneyDraft, patch: Record<string, unknown>): JourneyDraft {
  const settings = { ...draft.settings };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete settings[key];
    else settings[key] = value;
  }
  return { ...draft, settings };
}

/**
 * The graph's problems as the server would name them (`nodes[2].next: no node "x"`), plus one the
 * server does not check but an editor must keep: some exit is reachable.
 */
export function graphProblems(definition: JourneyDefinitionView): string[] {
  const ids = new Map(definition.nodes.map((n, i) => [n.id, i]));
  const problems: string[] = [];
  definition.nodes.forEach((n, i) => {
    for (const arm of armsOf(n.type)) {
      const target = n[arm];
      if (typeof target !== 'string' || !ids.has(target))
        problems.push(`nodes[${i}].${arm}: no node "${target}"`);
    }
    if (n.clicked && definition.nodes[ids.get(n.clicked.nodeId) ?? -1]?.type !== 'send')
      problems.push(`nodes[${i}].clicked.nodeId: no send node "${n.clicked.nodeId}"`);
  });
  if (problems.length) return problems;
  const draft = toDraft(definition);
  const seen = reachable(draft);
  definition.nodes.forEach((n, i) => {
    if (!seen.has(n.id)) problems.push(`nodes[${i}]: "${n.id}" is unreachable from nodes[0]`);
  });
  if (!definition.nodes.some((n) => n.type === 'exit' && seen.has(n.id)))
    problems.push('nodes: no exit is reachable');
  const cycle = waitlessCycle(draft);
  if (cycle) problems.push(`nodes: cycle without a wait through "${cycle}"`);
  return problems;
}

const WAITS = new Set(['wait', 'waitForEvent']);

/** A node on a cycle through non-waiting nodes only, or null. */
function waitlessCycle(draft: JourneyDraft): string | null {
  const types = new Map(draft.nodes.map((n) => [n.id, n.type]));
  const state = new Map<string, 1 | 2>();
  const visit = (id: string): string | null => {
    state.set(id, 1);
    for (const e of draft.edges) {
      if (e.source !== id || WAITS.has(types.get(e.target) ?? '')) continue;
      if (state.get(e.target) === 1) return e.target;
      if (!state.has(e.target)) {
        const found = visit(e.target);
        if (found) return found;
      }
    }
    state.set(id, 2);
    return null;
  };
  for (const n of draft.nodes) {
    if (state.has(n.id) || WAITS.has(n.type)) continue;
    const found = visit(n.id);
    if (found) return found;
  }
  return null;
}

/**
 * The server's problems (`nodes[2].messages[0].text: …`) by the id of the node they name; the
 * others (trigger, goal, reentry) under ''.
 */
export function problemsByNode(
  definition: JourneyDefinitionView,
  problems: readonly { path: string; message: string }[],
): Map<string, string[]> {
  const byNode = new Map<string, string[]>();
  for (const { path, message } of problems) {
    const match = /^nodes\[(\d+)\]/.exec(path);
    const id = match ? (definition.nodes[Number(match[1])]?.id ?? '') : '';
    byNode.set(id, [...(byNode.get(id) ?? []), `${path}: ${message}`]);
  }
  return byNode;
}
