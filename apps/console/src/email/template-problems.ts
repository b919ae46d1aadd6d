// The server's problems with a template (`mjml: Liquid line 6, column 7: undefined variable:
// customer.givn_name (synthetic customer 1)`, `mjml: line 4: Element mj-colum doesn't exist…`,
// `name: another template has this name`) as the editor shows them: under the field they name, in
// words a shop owner reads. Pure (the caller passes its translate function), so a test can run it
// without a browser. A message it does not know is shown as the server wrote it.

export type TemplateField = 'name' | 'subject' | 'mjml' | 'kind';
const FIELDS: readonly string[] = ['name', 'subject', 'mjml', 'kind'];

/** The message keys this module uses, with their placeholders. */
export type ProblemKey =
  | 'problem.length'
  | 'problem.oneLine'
  | 'problem.nameTaken'
  | 'problem.required'
  | 'problem.undefinedVariable'
  | 'problem.undefinedFilter'
  | 'problem.liquidSyntax'
  | 'problem.liquidRender'
  | 'problem.mjml'
  | 'problem.mjmlDocument'
  | 'problem.afterMjml'
  | 'problem.at'
  | 'problem.atColumn';

type Translate = (key: ProblemKey, vars?: Readonly<Record<string, string | number>>) => string;

/** Field → its problems in the reader's language; problems naming no field of the form in `other`. */
export type FieldProblems = Partial<Record<TemplateField, string[]>> & { other: string[] };

const LIQUID =
  /^Liquid line (\d+), column (\d+): (.*?)(?: \((syntax|synthetic customer \d+|customer \d+)\))?$/;

function explainLiquid(field: string, match: RegExpExecArray, t: Translate): string {
  const [, line = '', column = '', reason = '', who] = match;
  // The subject is one line: its column says where; the MJML's line and column both do.
  const at = field === 'subject' ? t('problem.atColumn', { column }) : t('problem.at', { line, column });
  const variable = /^undefined variable: (.+)$/.exec(reason);
  if (variable) return `${at}${t('problem.undefinedVariable', { name: variable[1] ?? '' })}`;
  const filter = /^undefined filter: (.+)$/.exec(reason);
  if (filter) return `${at}${t('problem.undefinedFilter', { name: filter[1] ?? '' })}`;
  return `${at}${t(who === 'syntax' ? 'problem.liquidSyntax' : 'problem.liquidRender', { reason })}`;
}

/** One server message in the reader's words. */
export function explainProblem(field: string, message: string, t: Translate): string {
  const length = /^must be 1 to (\d+) characters$/.exec(message);
  if (length) return t('problem.length', { max: length[1] ?? '' });
  if (message === 'must be one line') return t('problem.oneLine');
  if (message === 'another template has this name') return t('problem.nameTaken');
  // The route's schema (Fastify's ajv) for an empty required string.
  if (/^must NOT have fewer than 1 characters$/.test(message)) return t('problem.required');
  const liquid = LIQUID.exec(message);
  if (liquid) return explainLiquid(field, liquid, t);
  // Kizuna's own check, and MJML's words for a document it cannot parse at all.
  if (
    message === 'line 1: must be an <mjml> document with an <mj-body>' ||
    /^(Malformed MJML|Parsing failed)\b/.test(message)
  )
    return t('problem.mjmlDocument');
  const after = /^after MJML compilation, \w+: (.*)$/.exec(message);
  if (after) return t('problem.afterMjml', { reason: after[1] ?? '' });
  const mjml = /^line (\d+|\?): (.*)$/.exec(message);
  if (mjml) return t('problem.mjml', { line: mjml[1] ?? '?', reason: mjml[2] ?? '' });
  return message;
}

/** The problems grouped by the form field they name. */
export function fieldProblems(
  problems: readonly { path: string; message: string }[],
  t: Translate,
): FieldProblems {
  const grouped: FieldProblems = { other: [] };
  for (const { path, message } of problems) {
    if (!FIELDS.includes(path)) {
      grouped.other.push(`${path}: ${message}`);
      continue;
    }
    const field = path as TemplateField;
    grouped[field] = [...(grouped[field] ?? []), explainProblem(field, message, t)];
  }
  return grouped;
}
