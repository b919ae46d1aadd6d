// Liquid inside message content: a LINE message list (text messages, and every text field of a
// flex bubble: `contents.body.contents[0].text`, `altText`, an action's `label` or `uri`) or,
// later, an email's subject and body. Each string holding Liquid is a template of its own, named
// by its JSON path, so an error says where it is: `messages[0].contents.body.contents[2].text`.
import {
  type CompiledTemplate,
  compileTemplate,
  hasLiquid,
  renderTemplate,
  TemplateError,
} from './liquid-engine.ts';

/** Content with its templates parsed once, to render for every recipient. */
export interface CompiledContent {
  content: unknown;
  fields: { path: (string | number)[]; template: CompiledTemplate }[];
}

/** A template problem at a JSON path: `messages[0].text: line 1, column 4: undefined variable: x`. */
export interface ContentProblem {
  path: string;
  line: number;
  column: number;
  reason: string;
}

export function pathText(base: string, path: readonly (string | number)[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part),
    base,
  );
}

function walk(value: unknown, path: (string | number)[], visit: (s: string, p: (string | number)[]) => void) {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) walk(v, [...path, i], visit);
  } else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) {
      // A message's `type` picks its shape; it is never a template.
      if (k !== 'type') walk(v, [...path, k], visit);
    }
}

/**
 * Parses every Liquid string of `content`; syntax errors come back as problems under `base`
 * (`variants[1].messages`), all of them, not just the first. `html`: outputs are HTML-escaped.
 */
export function compileContent(
  content: unknown,
  base: string,
  options: { html?: boolean } = {},
): { compiled: CompiledContent; problems: ContentProblem[] } {
  const fields: CompiledContent['fields'] = [];
  const problems: ContentProblem[] = [];
  walk(content, [], (s, path) => {
    if (!hasLiquid(s)) return;
    try {
      fields.push({ path, template: compileTemplate(s, options) });
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      problems.push({ path: pathText(base, path), ...error.problem });
    }
  });
  return { compiled: { content, fields }, problems };
}

function setAt(root: unknown, path: readonly (string | number)[], value: string): void {
  let node = root as Record<string | number, unknown>;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}

/**
 * One recipient's content: a copy with every template rendered. An unknown variable throws a
 * TemplateError naming the field (`messages[0].text: line 1, column 4: …`).
 */
export async function renderContent(compiled: CompiledContent, variables: object): Promise<unknown> {
  if (compiled.fields.length === 0) return compiled.content;
  const copy = structuredClone(compiled.content);
  for (const { path, template } of compiled.fields) {
    try {
      setAt(copy, path, await renderTemplate(template, variables));
    } catch (error) {
      if (!(error instanceof TemplateError)) throw error;
      throw new ContentRenderError({ path: pathText('', path), ...error.problem });
    }
  }
  return copy;
}

export class ContentRenderError extends Error {
  readonly problem: ContentProblem;
  constructor(problem: ContentProblem) {
    super(`${problem.path}: line ${problem.line}, column ${problem.column}: ${problem.reason}`);
    this.name = 'ContentRenderError';
    this.problem = problem;
  }
}
