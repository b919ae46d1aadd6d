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

/** `['a', 'b', 'c']` → `a, b or c`. */
function orList(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
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
    case 'type':
      return { extra: '', message: `must be ${orList(String(error.params.type).split(/,\s*/))}` };
    default:
      return { extra: '', message: error.message ?? 'is invalid' };
  }
}

/**
 * A failed anyOf (a TypeBox Union) reports every branch's errors. The branches whose type does not
 * even match the value say nothing useful ("must be number" about a string that is too long), so
 * they are dropped; when no branch matches the type, one problem lists the types allowed.
 */
function pruneUnions(errors: ErrorObject[]): { kept: ErrorObject[]; merged: ErrorObject[] } {
  const dropped = new Set<ErrorObject>();
  const merged: ErrorObject[] = [];
  for (const union of errors) {
    if (union.keyword !== 'anyOf') continue;
    const prefix = `${union.schemaPath}/`;
    const branches = new Map<string, ErrorObject[]>();
    for (const error of errors) {
      if (!error.schemaPath.startsWith(prefix)) continue;
      const branch = error.schemaPath.slice(prefix.length).split('/')[0]!;
      branches.set(branch, [...(branches.get(branch) ?? []), error]);
    }
    const typeMismatch = (branch: string, list: ErrorObject[]) =>
      list.some(
        (e) =>
          e.keyword === 'type' &&
          e.instancePath === union.instancePath &&
          e.schemaPath === `${prefix}${branch}/type`,
      );
    const mismatched = [...branches].filter(([branch, list]) => typeMismatch(branch, list));
    for (const [, list] of mismatched) for (const error of list) dropped.add(error);
    if (mismatched.length === branches.size && branches.size > 0) {
      const types = mismatched.flatMap(([, list]) =>
        list.filter((e) => e.keyword === 'type').map((e) => String(e.params.type)),
      );
      merged.push({ ...union, keyword: 'type', params: { type: [...new Set(types)].join(', ') } });
    }
  }
  return { kept: errors.filter((e) => !dropped.has(e)), merged };
}

export function toProblems(base: string, errors: ErrorObject[] | null | undefined): FieldProblem[] {
  const seen = new Set<string>();
  const problems: FieldProblem[] = [];
  const { kept, merged } = pruneUnions(errors ?? []);
  for (const error of [...kept, ...merged]) {
    // anyOf/oneOf branches repeat their children's errors; the children say more.
    if (error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if') continue;
    // propertyNames wraps the error about the key itself (kept, below).
    if (error.keyword === 'propertyNames') continue;
    const { extra, message } = describe(error);
    const path = formatPath(base, extra ? `${error.instancePath}/${extra}` : error.instancePath);
    const about = error.propertyName !== undefined ? `a key ${message}` : message;
    const key = `${path}: ${about}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message: about });
  }
  return problems;
}

export interface Validator<T> {
  /** Problems with `value`, each path prefixed by `base`; empty when it is valid. */
  problems(value: unknown, base: string): FieldProblem[];
  is(value: unknown): value is T;
}

const compiled: TSchema[] = [];

/**
 * Every schema compiled by compileValidator so far: the checks that run outside Fastify's route
 * validation (ingest items, CSV rows, loyalty rules), for the test that finds unbounded strings.
 */
export function compiledSchemas(): readonly TSchema[] {
  return compiled;
}

/** Compiles a TypeBox schema once into a validator whose messages name the field. */
export function compileValidator<T>(schema: TSchema): Validator<T> {
  const check: ValidateFunction = ajv.compile(schema as object);
  compiled.push(schema);
  return {
    problems: (value, base) => (check(value) ? [] : toProblems(base, check.errors)),
    is: (value): value is T => check(value),
  };
}
