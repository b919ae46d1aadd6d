// Walks the live OpenAPI document and sends every route hostile values where a careless client or
// an attacker would put them: NUL bytes and lone surrogates in strings (PostgreSQL refuses both),
// ids and numbers beyond the 64-bit range, `%00` in a path parameter, over-long strings, bodies
// that are not objects and bodies nested too deep. Every answer must be a 4xx or a 2xx, never a
// 5xx; the 4xx must use the one error body with a machine-readable code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './helpers.ts';

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { name: string; in: 'path' | 'query' | 'header'; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
}

let t: TestApp;
let document: { paths: Record<string, Record<string, Operation>> };

beforeAll(async () => {
  t = await createTestApp();
  await t.app.ready();
  document = JSON.parse(JSON.stringify(t.app.swagger()));
});
afterAll(async () => t?.close());

/** A plausible value for a schema: enough for validation to pass where it can, so handlers run. */
function sample(schema: Schema | undefined, depth = 0): unknown {
  if (!schema || depth > 6) return null;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const variants = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (variants) return sample(variants.find((v) => v.type !== 'null') ?? variants[0], depth + 1);
  switch (schema.type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries((schema.properties ?? {}) as Record<string, Schema>))
        out[key] = sample(value, depth + 1);
      return out;
    }
    case 'array':
      return [sample(schema.items as Schema, depth + 1)];
    case 'integer':
    case 'number':
      return typeof schema.minimum === 'number' ? schema.minimum : 1;
    case 'boolean':
      return true;
    case 'string':
      if (schema.format === 'email') return 'fuzz@example.jp';
      if (schema.format === 'date-time') return '2026-12-06T09:00:00+09:00';
      if (schema.format === 'date') return '2026-12-06';
      if (schema.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
      return 'x';
    default:
      return 'x';
  }
}

/** Copies of `value` with one leaf replaced by each hostile value of its kind, named by path. */
function mutations(value: unknown, path = ''): { path: string; value: unknown; kind?: string }[] {
  if (typeof value === 'string' || value === null)
    return [
      { path, value: 'a\u0000b', kind: 'NUL' },
      { path, value: 'a\ud800b', kind: 'lone surrogate' },
      { path, value: 'x'.repeat(100_000), kind: '100k characters' },
    ];
  if (typeof value === 'number')
    return [
      { path, value: 1e20, kind: '1e20' },
      { path, value: -1e20, kind: '-1e20' },
    ];
  if (Array.isArray(value))
    return value.length ? mutations(value[0], `${path}/0`).map((m) => ({ ...m, value: [m.value] })) : [];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, inner]) =>
      mutations(inner, `${path}/${key}`).map((m) => ({ ...m, value: { ...value, [key]: m.value } })),
    );
  return [];
}

const HOSTILE_PARAMS = [
  '99999999999999999999',
  '-99999999999999999999',
  '%00',
  'a%00b',
  '%ED%A0%80',
  'x'.repeat(5_000),
];
const HOSTILE_QUERY = ['%00', 'a%00b', '%ED%A0%80', '%F0', '99999999999999999999', 'x'.repeat(5_000)];

function deepNest(levels: number): string {
  return `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
}

describe('every route of the OpenAPI document, sent hostile values', () => {
  it('answers each with a 2xx or a 4xx in the one error shape, never a 5xx', async () => {
    const failures: string[] = [];
    let requests = 0;
    const send = async (method: string, url: string, body: string | undefined, what: string) => {
      requests++;
      const response = await t.app.inject({
        method: method.toUpperCase() as 'GET',
        url,
        headers: { ...t.auth, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { payload: body } : {}),
      });
      if (response.statusCode >= 500)
        failures.push(
          `${method.toUpperCase()} ${url.slice(0, 120)} ${what}: ${response.statusCode} ${response.body.slice(0, 200)}`,
        );
      else if (response.statusCode >= 400 && response.headers['content-type']?.toString().includes('json')) {
        const error = response.json().error;
        if (!error || typeof error.code !== 'string')
          failures.push(
            `${method.toUpperCase()} ${url.slice(0, 120)} ${what}: ${response.statusCode} without the error shape: ${response.body.slice(0, 200)}`,
          );
      }
    };
    for (const [template, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
        const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path');
        const queryParams = (operation.parameters ?? []).filter((p) => p.in === 'query');
        const fill = (name?: string, hostile?: string) =>
          template.replace(/\{(\w+)\}/g, (_, param: string) =>
            param === name && hostile !== undefined
              ? hostile
              : encodeURIComponent(String(sample(pathParams.find((p) => p.name === param)?.schema) ?? '1')),
          );
        const jsonSchema = operation.requestBody?.content?.['application/json']?.schema;
        const body = jsonSchema
          ? JSON.stringify(sample(jsonSchema))
          : method === 'get' || method === 'delete'
            ? undefined
            : '{}';
        for (const param of pathParams)
          for (const hostile of HOSTILE_PARAMS)
            await send(method, fill(param.name, hostile), body, `path ${param.name}`);
        for (const param of queryParams)
          for (const hostile of HOSTILE_QUERY)
            await send(method, `${fill()}?${param.name}=${hostile}`, body, `query ${param.name}`);
        if (jsonSchema) {
          for (const m of mutations(sample(jsonSchema)).slice(0, 60))
            await send(method, fill(), JSON.stringify(m.value), `body ${m.path || '(root)'} = ${m.kind}`);
          for (const raw of ['null', '[]', '"x"', '[null]', deepNest(5_000), '{"a":"\\u0000"}'])
            await send(method, fill(), raw, `body ${raw.slice(0, 20)}`);
        }
      }
    }
    expect(requests).toBeGreaterThan(500);
    expect(failures, failures.join('\n')).toEqual([]);
  }, 600_000);

  it('names the field of each value that cannot be stored', async () => {
    const post = async (body: unknown, url = '/v1/customers') => {
      const response = await t.app.inject({ method: 'POST', url, headers: t.auth, payload: body as object });
      expect(response.statusCode, response.body).toBe(400);
      return response.json().error as { code: string; problems: { path: string; message: string }[] };
    };
    const nul = await post({ customers: [{ externalId: 'c-1', name: '山田\u0000花子' }] });
    expect(nul.code).toBe('invalid');
    expect(nul.problems).toEqual([
      { path: 'customers[0].name', message: 'must not contain NUL characters (U+0000)' },
    ]);
    const surrogate = await post({ customers: [{ externalId: 'c-1', attributes: { 'k\ud800': 1 } }] });
    expect(surrogate.problems[0]).toEqual({
      path: 'customers[0].attributes',
      message: 'a property name must be valid Unicode text (it holds an unpaired surrogate)',
    });
    const deep = await t.app.inject({
      method: 'PUT',
      url: '/v1/loyalty/rules',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: deepNest(100),
    });
    expect(deep.statusCode).toBe(400);
    expect(deep.json().error.problems[0].message).toBe('must not nest deeper than 64 levels');
    const huge = await t.app.inject({
      method: 'GET',
      url: '/v1/customers/99999999999999999999',
      headers: t.auth,
    });
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.problems[0].path).toBe('params.id');
    const query = await t.app.inject({ method: 'GET', url: '/v1/customers?cursor=a%00b', headers: t.auth });
    expect(query.statusCode).toBe(400);
    expect(query.json().error.problems[0].path).toBe('querystring.cursor');
  });

  it('a body over the limit is a 413 in the error shape, not a dropped connection', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: `{"note":"${'x'.repeat(11 * 1024 * 1024)}"}`,
    });
    expect(response.statusCode).toBe(413);
    expect(response.json().error.code).toBe('too_large');
  });
});
