// Values that pass a JSON schema yet cannot be stored or handled: text PostgreSQL refuses (NUL
// characters, unpaired UTF-16 surrogates, which have no UTF-8 form), integers beyond the range of
// a bigint, and bodies nested deep enough to exhaust a recursive copy. Each is a 400 naming the
// field, checked for every route before its handler runs, so no handler can turn one into a 500
// halfway through its work.
import type { FastifyInstance, FastifySchema } from 'fastify';
import { DomainError, type FieldProblem } from '../shared/domain-error.ts';

/**
 * Integers in requests are ids, counts, points and yen: all far inside JavaScript's exact range.
 * A bound on every integer keeps `99999999999999999999` (a number to JSON, beyond PostgreSQL's
 * bigint) out of the handlers, with the schema's own error naming the field.
 */
const INTEGER_BOUND = Number.MAX_SAFE_INTEGER;

function boundIntegers(schema: unknown, seen: WeakSet<object>): void {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  if (Array.isArray(schema)) {
    for (const item of schema) boundIntegers(item, seen);
    return;
  }
  const node = schema as Record<string, unknown>;
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes('integer')) {
    if (node.maximum === undefined && node.exclusiveMaximum === undefined) node.maximum = INTEGER_BOUND;
    if (node.minimum === undefined && node.exclusiveMinimum === undefined) node.minimum = -INTEGER_BOUND;
  }
  for (const key of ['properties', 'patternProperties']) {
    const children = node[key];
    if (children && typeof children === 'object')
      for (const child of Object.values(children)) boundIntegers(child, seen);
  }
  for (const key of ['items', 'additionalProperties', 'anyOf', 'oneOf', 'allOf', 'not', 'prefixItems'])
    boundIntegers(node[key], seen);
}

/**
 * Deepest nesting a request may have. The deepest real payloads (a LINE flex message inside a
 * send) stay well under it; a body nested thousands deep would exhaust the stack of any recursive
 * code that copies or checks it.
 */
export const MAX_REQUEST_DEPTH = 64;

/** Why a string cannot be stored, or undefined when it can. */
function unstorable(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain NUL characters (U+0000)';
  // String.prototype.isWellFormed (Node 20+; not in this project's ES2023 type library).
  if (!(text as unknown as { isWellFormed(): boolean }).isWellFormed())
    return 'must be valid Unicode text (it holds an unpaired surrogate)';
  return undefined;
}

function pathOf(base: string, keys: (string | number)[]): string {
  let out = base;
  for (const key of keys) out += typeof key === 'number' ? `[${key}]` : out ? `.${key}` : key;
  return out || '(body)';
}

/**
 * The first string (value or object key) in a parsed request part that cannot be stored, or the
 * first place nested deeper than MAX_REQUEST_DEPTH, as a field problem. Walks without recursion,
 * so a body nested thousands deep cannot exhaust the stack here.
 */
export function findUnacceptable(value: unknown, base: string): FieldProblem | undefined {
  const stack: { value: unknown; keys: (string | number)[] }[] = [{ value, keys: [] }];
  while (stack.length) {
    const { value: current, keys } = stack.pop()!;
    if (keys.length > MAX_REQUEST_DEPTH)
      return {
        path: pathOf(base, keys.slice(0, MAX_REQUEST_DEPTH)),
        message: `must not nest deeper than ${MAX_REQUEST_DEPTH} levels`,
      };
    if (typeof current === 'string') {
      const reason = unstorable(current);
      if (reason) return { path: pathOf(base, keys), message: reason };
    } else if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push({ value: current[i], keys: [...keys, i] });
    } else if (current && typeof current === 'object' && !Buffer.isBuffer(current)) {
      for (const [key, inner] of Object.entries(current)) {
        const reason = unstorable(key);
        if (reason) return { path: pathOf(base, keys), message: `a property name ${reason}` };
        stack.push({ value: inner, keys: [...keys, key] });
      }
    }
  }
  return undefined;
}

export function installInputHygiene(app: FastifyInstance): void {
  const seen = new WeakSet<object>();
  app.addHook('onRoute', (route) => {
    const schema = route.schema as FastifySchema | undefined;
    if (!schema) return;
    boundIntegers(schema.params, seen);
    boundIntegers(schema.querystring, seen);
    boundIntegers(schema.body, seen);
  });
  // After authentication and each route's schema (which refuses over-long strings more cheaply
  // than a scan of them), before any handler.
  app.addHook('preHandler', async (request) => {
    const problem =
      findUnacceptable(request.params, 'params') ??
      findUnacceptable(request.query, 'querystring') ??
      findUnacceptable(request.body, '');
    if (problem) throw new DomainError('invalid', `${problem.path}: ${problem.message}`, [problem]);
  });
}
