// One JSON convention for every operation of the OpenAPI document, so the typed client generated
// from it (packages/contracts) knows what each route returns:
// - every operation declares a JSON 2xx response schema (a 204, or a 2xx documented with a
//   non-JSON content type, needs none);
// - property and parameter names are camelCase (no snake_case, so no database column leaks);
// - money is integer yen (the rule is MONEY_WORDS below);
// - an instant is a string with format date-time (the rule is isInstantName below).
// Fastify serializes responses through these schemas, so what the schema says is what is sent.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOpenApiDocument, type OpenApiDocument } from '../src/http/openapi-document.ts';
import { createTestApp, type TestApp } from './helpers.ts';

type Schema = Record<string, unknown>;

/**
 * Operations not held to the convention yet, each with its reason. Only folders another change is
 * rewriting at the same time may be listed; remove an entry when its route conforms (the test
 * fails on an entry that no longer needs to be here).
 */
const ALLOWLIST: Record<string, string> = {};

/**
 * A property is money when one of its camelCase words is one of MONEY_WORDS. Money must be an
 * integer (yen), so averages of yen are rounded to the yen. Not money, whatever the other words:
 * a name whose last word is a count, a ratio, a rate, a share, a percentile, a score or a
 * duration (`orderCount`, `clvPercentile`, `discountRate`), and a name with the word `per`
 * (`pointsPerYen` is a rate): ratios stay numbers under a name that says so.
 */
const MONEY_WORDS = new Set([
  'amount',
  'total',
  'subtotal',
  'price',
  'revenue',
  'spend',
  'spent',
  'aov',
  'ltv',
  'clv',
  'yen',
  'tax',
  'paid',
  'discount',
]);
const NOT_MONEY_LAST_WORDS = new Set([
  'count',
  'ratio',
  'rate',
  'share',
  'percentile',
  'percent',
  'pct',
  'score',
  'days',
  'years',
  'months',
  'ms',
  'at',
]);

/** `clvPercentile` → ['clv', 'percentile']; `expectedPurchases90d` → ['expected', 'purchases90d']. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean);
}

function isMoneyName(name: string): boolean {
  const w = words(name);
  if (NOT_MONEY_LAST_WORDS.has(w[w.length - 1] ?? '') || w.includes('per')) return false;
  return w.some((word) => MONEY_WORDS.has(word));
}

/**
 * An instant is named `…At` (`createdAt`, `expiresAt`): it must be a date-time string. A bare
 * `at` is not one (a stamp card's reward `at` is a stamp count).
 */
function isInstantName(name: string): boolean {
  return /[a-z0-9]At$/.test(name);
}

const CAMEL_CASE = /^[a-z][a-zA-Z0-9]*$/;

/** The non-null alternatives of a schema (`T | null` is written anyOf [T, null]). */
function alternatives(schema: Schema): Schema[] {
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (!union) return [schema];
  return union.flatMap(alternatives).filter((s) => s.type !== 'null');
}

interface Finding {
  where: string;
  problem: string;
}

/** Walks a schema and reports names and types that break the convention. */
function checkSchema(schema: Schema, where: string, findings: Finding[]): void {
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const parts = schema[key] as Schema[] | undefined;
    for (const [i, part] of (parts ?? []).entries()) checkSchema(part, `${where}.${key}[${i}]`, findings);
  }
  if (schema.items && typeof schema.items === 'object')
    checkSchema(schema.items as Schema, `${where}[]`, findings);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    checkSchema(schema.additionalProperties as Schema, `${where}.*`, findings);
  }
  const patterns = schema.patternProperties as Record<string, Schema> | undefined;
  for (const value of Object.values(patterns ?? {})) checkSchema(value, `${where}.*`, findings);
  const properties = schema.properties as Record<string, Schema> | undefined;
  for (const [name, property] of Object.entries(properties ?? {})) {
    const at = `${where}.${name}`;
    checkName(name, at, findings);
    const types = alternatives(property);
    if (isMoneyName(name) && !types.every((s) => s.type === 'integer' || s.type === 'object')) {
      findings.push({ where: at, problem: `money (${name}) must be an integer of yen` });
    }
    if (isInstantName(name) && !types.every((s) => s.type === 'string' && s.format === 'date-time')) {
      findings.push({ where: at, problem: 'an instant must be a string with format date-time' });
    }
    checkSchema(property, at, findings);
  }
}

function checkName(name: string, where: string, findings: Finding[]): void {
  if (!CAMEL_CASE.test(name)) findings.push({ where, problem: `${name} is not camelCase` });
}

interface Operation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses?: Record<string, { content?: Record<string, { schema?: Schema }> }>;
}

/** Every operation of the document with what breaks the convention in it. */
function auditDocument(document: OpenApiDocument): Map<string, Finding[]> {
  const audit = new Map<string, Finding[]>();
  for (const [path, methods] of Object.entries(document.paths ?? {})) {
    for (const [method, op] of Object.entries(methods as Record<string, Operation>)) {
      const id = `${method.toUpperCase()} ${path}`;
      const findings: Finding[] = [];
      for (const p of op.parameters ?? []) {
        if (p.in === 'header' || p.in === 'cookie') continue;
        checkName(p.name, `${id} ${p.in} ${p.name}`, findings);
        if (p.schema) checkSchema(p.schema, `${id} ${p.in} ${p.name}`, findings);
      }
      for (const [type, body] of Object.entries(op.requestBody?.content ?? {})) {
        if (body.schema) checkSchema(body.schema, `${id} request ${type}`, findings);
      }
      const success = Object.entries(op.responses ?? {}).filter(([status]) => status.startsWith('2'));
      const described = success.filter(
        ([status, response]) => status === '204' || Object.keys(response.content ?? {}).length > 0,
      );
      if (described.length === 0) findings.push({ where: id, problem: 'no 2xx response schema' });
      for (const [status, response] of success) {
        for (const [type, body] of Object.entries(response.content ?? {})) {
          if (type === 'application/json' && body.schema) {
            checkSchema(body.schema, `${id} ${status}`, findings);
          }
        }
      }
      audit.set(id, findings);
    }
  }
  return audit;
}

let t: TestApp;
let document: OpenApiDocument;
beforeAll(async () => {
  t = await createTestApp();
  document = await buildOpenApiDocument({ database: t.database });
});
afterAll(async () => t?.close());

describe('one JSON convention across the API', () => {
  it('every operation outside the allowlist declares its 2xx response, camelCase, yen integers and date-times', () => {
    const audit = auditDocument(document);
    const broken = [...audit.entries()]
      .filter(([id, findings]) => findings.length > 0 && !(id in ALLOWLIST))
      .flatMap(([, findings]) => findings.map((f) => `${f.where}: ${f.problem}`));
    expect(broken).toEqual([]);
    // An allowlisted operation that conforms (or is gone) must leave the list.
    const stale = Object.keys(ALLOWLIST).filter((id) => (audit.get(id) ?? []).length === 0);
    expect(stale).toEqual([]);
    expect(audit.size).toBeGreaterThan(50);
  });

  it('the audit catches each kind of break it looks for', () => {
    const bad: OpenApiDocument = {
      paths: {
        '/x': {
          get: {
            parameters: [{ name: 'page_size', in: 'query', schema: { type: 'integer' } }],
            responses: { '200': { description: 'no schema' } },
          },
          post: {
            responses: {
              '200': {
                content: {
                  'application/json': {
                    schema: {
                      type: 'object',
                      properties: {
                        workspace_id: { type: 'string' },
                        aov: { type: 'number' },
                        items: {
                          type: 'array',
                          items: {
                            type: 'object',
                            properties: {
                              createdAt: { anyOf: [{ type: 'string' }, { type: 'null' }] },
                              discountRate: { type: 'number' },
                              totalAmount: { type: 'integer' },
                            },
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
          delete: { responses: { '204': { description: 'gone' } } },
        },
      },
    };
    const audit = auditDocument(bad);
    expect(audit.get('GET /x')?.map((f) => f.problem)).toEqual([
      'page_size is not camelCase',
      'no 2xx response schema',
    ]);
    expect(audit.get('POST /x')?.map((f) => f.where)).toEqual([
      'POST /x 200.workspace_id',
      'POST /x 200.aov',
      'POST /x 200.items[].createdAt',
    ]);
    expect(audit.get('DELETE /x')).toEqual([]);
  });

  it('names money and instants by the documented rule', () => {
    expect(
      ['aov', 'historicalLtv', 'predictedClv', 'totalAmount', 'revenue', 'unitPrice'].map(isMoneyName),
    ).toEqual([true, true, true, true, true, true]);
    expect(
      ['clvPercentile', 'orderCount', 'discountRate', 'pointsPerYen', 'customers', 'lifespanYears'].map(
        isMoneyName,
      ),
    ).toEqual([false, false, false, false, false, false]);
    expect(['createdAt', 'expiresAt', 'at', 'format', 'chat'].map(isInstantName)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });
});
