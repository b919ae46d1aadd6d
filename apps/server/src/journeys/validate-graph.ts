// The graph checks of a journey definition whose edges all name existing nodes: every node is
// reachable from nodes[0], and every cycle passes through a wait (else a run would loop forever
// within one engine pass, sending on each turn).
import type { FieldProblem } from '../shared/domain-error.ts';
import { type JourneyNode, successors } from './definition.ts';

const WAITS = new Set(['wait', 'waitForEvent']);

/** Problems of the graph, by path: `nodes[3]: unreachable from nodes[0]`, `nodes[1]: a cycle ...`. */
export function checkGraph(nodes: readonly JourneyNode[]): FieldProblem[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const next = (i: number) => successors(nodes[i]!).map((id) => index.get(id)!);
  const problems: FieldProblem[] = [];
  const seen = new Set<number>([0]);
  const stack = [0];
  while (stack.length)
    for (const j of next(stack.pop()!)) {
      if (seen.has(j)) continue;
      seen.add(j);
      stack.push(j);
    }
  nodes.forEach((n, i) => {
    if (!seen.has(i))
      problems.push({ path: `nodes[${i}]`, message: `"${n.id}" is unreachable from nodes[0]` });
  });
  const cycle = cycleWithoutWait(nodes, next);
  if (cycle)
    problems.push({
      path: `nodes[${cycle[0]}]`,
      message: `cycle without a wait: ${cycle.map((i) => nodes[i]!.id).join(' → ')}`,
    });
  return problems;
}

/** A cycle through non-waiting nodes only (depth-first search, three colours), or null. */
function cycleWithoutWait(nodes: readonly JourneyNode[], next: (i: number) => number[]): number[] | null {
  const state = new Array<0 | 1 | 2>(nodes.length).fill(0);
  const path: number[] = [];
  const visit = (i: number): number[] | null => {
    state[i] = 1;
    path.push(i);
    for (const j of next(i)) {
      if (WAITS.has(nodes[j]!.type)) continue;
      if (state[j] === 1) return [...path.slice(path.indexOf(j)), j];
      if (state[j] === 0) {
        const found = visit(j);
        if (found) return found;
      }
    }
    path.pop();
    state[i] = 2;
    return null;
  };
  for (let i = 0; i < nodes.length; i++) {
    if (state[i] !== 0 || WAITS.has(nodes[i]!.type)) continue;
    const found = visit(i);
    if (found) return found;
  }
  return null;
}

/**
 * A "message clicked" branch names a send node the run passes before it: `nodes[4].clicked.nodeId`
 * is refused when that node is missing, is not a send, or does not lead to the branch.
 */
export function checkClickBranches(nodes: readonly JourneyNode[]): FieldProblem[] {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const problems: FieldProblem[] = [];
  nodes.forEach((n, i) => {
    if (n.type !== 'branch' || !('clicked' in n)) return;
    const path = `nodes[${i}].clicked.nodeId`;
    const from = index.get(n.clicked.nodeId);
    const message =
      from === undefined
        ? `no node "${n.clicked.nodeId}"`
        : nodes[from]!.type !== 'send'
          ? `"${n.clicked.nodeId}" is not a send node`
          : !reaches(nodes, index, from, i)
            ? `"${n.clicked.nodeId}" does not lead to this branch`
            : null;
    if (message) problems.push({ path, message });
  });
  return problems;
}

function reaches(
  nodes: readonly JourneyNode[],
  index: Map<string, number>,
  from: number,
  to: number,
): boolean {
  const seen = new Set<number>([from]);
  const stack = [from];
  while (stack.length)
    for (const id of successors(nodes[stack.pop()!]!)) {
      const j = index.get(id)!;
      if (j === to) return true;
      if (!seen.has(j)) {
        seen.add(j);
        stack.push(j);
      }
    }
  return false;
}
