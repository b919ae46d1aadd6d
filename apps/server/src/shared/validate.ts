import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { TSchema } from 'typebox';
import type { FieldProblem } from './domain-error.ts';

// ajv-formats is CommonJS; its default export arrives as the module object under Node's ESM.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv,
) => Ajv;

const ajv = addFormats(new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: true }));

/** `/events/3/occurredAt` → `events[3].occurredAt`. */
export function formatPath(base: string, instancePath: string): string {
  let out = base;
  for (const part of instancePath.split('/').slice(1)) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(key) ? `[${key}]` : out ? `.${key}` : key;
  }
  return out || '(body)';
}

function describe(error: ErrorObject): { extra: string; message: string } {
  switch (error.keyword) {
    case 'required':
      return { extra: String(error.params.missingProperty), message: 'is required' };
    case 'additionalProperties':
      return { extra: String(error.params.additionalProperty), message: 'is not a known field' };
    case 'format':
      return {
        extra: '',
        message:
          error.params.format === 'date-time'
            ? 'not an ISO-8601 timestamp with a time zone (e.g. 2026-04-01T10:00:00+09:00)'
            : error.params.format === 'date'
              ? 'not a date (YYYY-MM-DD)'
              : `not a valid ${error.params.format}`,
      };
    case 'enum':
      return { extra: '', message: `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}` };
    default:
      return { extra: '', message: error.message ?? 'is invalid' };
  }
}

export function toProblems(base: string, errors: ErrorObject[] | null | undefined): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  for (const error of errors ?? []) {
    // anyOf/oneOf branches repeat their children's errors; the children say more.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    const { extra, message } = describe(error);
    const path = formatPath(base, extra ? `${error.instancePath}/${extra}` : error.instancePath);
    const key = `${path}: ${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message });
  }
  return problems;
}

export interface Validator<T> {
  /** Problems with `value`, each path prefixed by `base`; empty when it is valid. */
  problems(value: unknown, base: string): FieldProblem[];
  is(value: unknown): value is T;
}

/** Compiles a TypeBox schema once into a validator whose messages name the field. */
export function compileValidator<T>(schema: TSchema): Validator<T> {
  const check: ValidateFunction = ajv.compile(schema as object);
  return {
    problems: (value, base) => (check(value) ? [] : toProblems(base, check.errors)),
    is: (value): value is T => check(value),
  };
}
