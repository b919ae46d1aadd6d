// Liquid (Shopify's template language) for message content: one strict engine, shared by LINE,
// email, campaigns and journeys. Strict on purpose: an unknown variable or filter is an error at
// save time (validate-content.ts), never a blank greeting sent to a million customers.
import { Liquid, type Template } from 'liquidjs';

/**
 * `strictVariables`: `{{ customer.givn_name }}` is an error, not an empty string (a variable that
 * exists but holds null, a customer without a given name, still renders empty; `| default:` covers
 * it). `ownPropertyOnly`: templates cannot reach prototype members. No file system: `include` and
 * `render` find nothing, so a template cannot read the server's files.
 */
const options = {
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  relativeReference: false,
  fs: {
    exists: async () => false,
    existsSync: () => false,
    readFile: async () => '',
    readFileSync: () => '',
    resolve: (_root: string, file: string) => file,
  },
  root: [],
  // A loop cannot make a message of unbounded size from a template (LINE's text limit is 5,000).
  renderLimit: 1_000,
  memoryLimit: 1_000_000,
};
const engine = new Liquid(options);
/**
 * For HTML (an email's HTML part): every `{{ }}` output is HTML-escaped, so a customer named
 * `<script>` cannot put markup into a mail; `| raw` opts out. liquidjs applies the escape when
 * parsing, so a template must be compiled for HTML, not just rendered as HTML.
 */
const htmlEngine = new Liquid({ ...options, outputEscape: 'escape' });

/** A parsed template, ready to render for many customers. */
export type CompiledTemplate = Template[];

/** What went wrong in one template: the reason, and where in the template (1-based). */
export interface TemplateProblem {
  reason: string;
  line: number;
  column: number;
}

export class TemplateError extends Error {
  readonly problem: TemplateProblem;
  constructor(problem: TemplateProblem) {
    super(`line ${problem.line}, column ${problem.column}: ${problem.reason}`);
    this.name = 'TemplateError';
    this.problem = problem;
  }
}

/** liquidjs appends ", line:2, col:6" to its messages; the position is kept apart. */
function problemOf(error: unknown): TemplateProblem {
  const e = error as { message?: string; token?: { getPosition?: () => [number, number] } };
  const [line, column] = e.token?.getPosition?.() ?? [1, 1];
  const reason = String(e.message ?? error)
    .replace(/, line:\d+, col:\d+$/, '')
    .split('\n')[0]!;
  return { reason, line, column };
}

/** Whether a string holds Liquid at all (most fields do not; they are sent as they are). */
export function hasLiquid(source: string): boolean {
  return source.includes('{{') || source.includes('{%');
}

/** Parses a template; a syntax error or an unknown filter throws a TemplateError. */
export function compileTemplate(source: string, compileOptions: { html?: boolean } = {}): CompiledTemplate {
  try {
    return (compileOptions.html ? htmlEngine : engine).parse(source);
  } catch (error) {
    throw new TemplateError(problemOf(error));
  }
}

/**
 * Renders a compiled template with one customer's variables; an unknown variable throws a
 * TemplateError with its line and column.
 *
 * @example
 * const t = compileTemplate('{{ customer.given_name | default: "お客" }}様');
 * await renderTemplate(t, { customer: { given_name: '花子' } }); // '花子様'
 */
export async function renderTemplate(template: CompiledTemplate, variables: object): Promise<string> {
  try {
    return String(await engine.render(template, variables));
  } catch (error) {
    throw new TemplateError(problemOf(error));
  }
}
