// Issue #19 item 2: one 78 KiB email in an ingest batch held the event loop (and /health) for
// 12.6 s, because a quadratic regex ran before any length check. Every input is bounded now,
// and emails are checked in one pass.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../src/csv-import/customer-rows.ts';
import '../src/csv-import/order-rows.ts';
import { importCsv } from '../src/csv-import/import-csv.ts';
import { normaliseEmail } from '../src/customers/identities.ts';
import { MAX_PATH_PARAM_LENGTH } from '../src/http/app.ts';
import { isEmailAddress } from '../src/shared/email.ts';
import { compiledSchemas } from '../src/shared/validate.ts';
import { createTestApp, type TestApp } from './helpers.ts';
import { unboundedIn, unboundedOperations } from './schema-bounds.ts';

let t: TestApp;
const dir = mkdtempSync(join(tmpdir(), 'kizuna-bounds-'));
/** CPU and wall milliseconds from "body received and parsed" to "answer sent", by request id. */
const handling = new Map<string, { cpuMs: number; wallMs: number }>();
beforeAll(async () => {
  t = await createTestApp();
  const started = new Map<string, { cpu: NodeJS.CpuUsage; wall: number }>();
  t.app.addHook('preValidation', async (request) => {
    started.set(request.id, { cpu: process.cpuUsage(), wall: performance.now() });
  });
  t.app.addHook('onResponse', async (request) => {
    const start = started.get(request.id);
    if (!start) return;
    const cpu = process.cpuUsage(start.cpu);
    handling.set(request.id, {
      cpuMs: (cpu.user + cpu.system) / 1000,
      wallMs: performance.now() - start.wall,
    });
  });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The regex the email check replaced: quadratic on a long domain full of dots that fails. */
const OLD_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** 1 MiB that made OLD_EMAIL backtrack: 20,000 characters of it took 0.3 s, 1 MiB about 12 minutes. */
const HUGE_EMAIL = `hanako@${'a.'.repeat(512 * 1024)}@`;

/** Milliseconds of this process's CPU spent in `run`: immune to waiting for a busy machine's cores. */
async function cpuMs<T>(run: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const before = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(before);
  return { ms: (used.user + used.system) / 1000, result };
}

/**
 * Places that accept opaque JSON, each bounded elsewhere: Kizuna only stores or forwards them
 * and runs no pattern over them, and the 10 MiB body limit caps their size.
 */
const OPAQUE = new Map<string, string>([
  [
    'PUT /v1/loyalty/rules body(application/json)',
    'validated by LoyaltyRules (shared/validate.ts, walked below)',
  ],
  [
    'POST /v1/segments/preview body(application/json).definition',
    'segments/rule-tree.ts bounds nodes, depth, values and lists',
  ],
  ['POST /v1/segments body(application/json).definition', 'segments/rule-tree.ts'],
  ['PATCH /v1/segments/{id} body(application/json).definition', 'segments/rule-tree.ts'],
  [
    'POST /v1/journeys body(application/json).definition',
    'journeys/validate-definition.ts bounds nodes (≤100), ids, texts, durations and LINE messages (≤5)',
  ],
  ['PUT /v1/journeys/{id}/definition body(application/json).definition', 'journeys/validate-definition.ts'],
  [
    'POST /v1/line/sends body(application/json).messages[]',
    "LINE message objects, ≤5, checked by LINE's API",
  ],
  ['POST /v1/line/sends body(application/json).personalized[].messages[]', 'LINE message objects, ≤5 each'],
  [
    'POST /v1/campaigns body(application/json).variants[].messages[]',
    'LINE message objects, ≤5 per variant, checked by the LINE adapter and rendered as Liquid at save',
  ],
  [
    'POST /v1/line/channels/{channelId}/rich-menus body(application/json).areas[]',
    "LINE's richmenu areas, ≤20",
  ],
]);

describe('every input has a bound', () => {
  it('the OpenAPI document: every string has maxLength, every list maxItems, every map maxProperties and bounded keys', async () => {
    await t.app.ready();
    const doc = t.app.swagger() as { paths: Parameters<typeof unboundedOperations>[0] };
    const findings = unboundedOperations(doc.paths, MAX_PATH_PARAM_LENGTH);
    const unexplained = findings.filter((f) => !(f.problem === 'opaque value' && OPAQUE.has(f.at)));
    expect(unexplained).toEqual([]);
    // Each allowed opaque place still exists (a stale entry would hide a new one of the same name).
    const opaque = new Set(findings.filter((f) => f.problem === 'opaque value').map((f) => f.at));
    expect([...OPAQUE.keys()].filter((at) => !opaque.has(at))).toEqual([]);
    expect(Object.keys(doc.paths).length).toBeGreaterThan(40);
  });

  it('the schemas checked outside route validation (ingest items, CSV rows, loyalty rules) too', () => {
    const schemas = compiledSchemas();
    // Customers, orders, events and visits ingest items, CSV customer and order rows, loyalty rules.
    expect(schemas.length).toBeGreaterThanOrEqual(7);
    const findings = schemas.flatMap((schema, i) => unboundedIn(schema, `compiled[${i}]`));
    expect(findings).toEqual([]);
  });
});

const occurredAt = '2026-04-01T10:00:00+09:00';
const EMAIL_PLACES: { name: string; request: () => InjectOptions; path: string }[] = [
  {
    name: 'customer ingest',
    path: 'customers[0].email',
    request: () => ingest('/v1/customers', { customers: [{ email: HUGE_EMAIL }] }),
  },
  {
    name: 'order ingest',
    path: 'orders[0].customer.email',
    request: () =>
      ingest('/v1/orders', {
        orders: [{ id: 'o-1', customer: { email: HUGE_EMAIL }, orderedAt: occurredAt, total: 100 }],
      }),
  },
  {
    name: 'event ingest',
    path: 'events[0].customer.email',
    request: () =>
      ingest('/v1/events', { events: [{ type: 'login', occurredAt, customer: { email: HUGE_EMAIL } }] }),
  },
  {
    name: 'visit ingest',
    path: 'visits[0].customer.email',
    request: () =>
      ingest('/v1/visits', {
        visits: [{ id: 'v-1', customer: { email: HUGE_EMAIL }, visitedAt: occurredAt }],
      }),
  },
  {
    name: 'adding a member',
    path: 'email',
    request: () =>
      ingest('/v1/members', { email: HUGE_EMAIL, password: 'a long enough password', role: 'staff' }),
  },
  {
    name: 'login',
    path: 'email',
    request: () => ({ method: 'POST', url: '/v1/auth/login', payload: { email: HUGE_EMAIL, password: 'x' } }),
  },
];

function ingest(url: string, payload: object): InjectOptions {
  return { method: 'POST', url, headers: t.auth, payload };
}

describe('a 1 MiB email', () => {
  for (const place of EMAIL_PLACES) {
    it(`${place.name}: refused with 400 naming ${place.path}, handled in milliseconds of CPU (not the old regex's minutes), and /health answers meanwhile`, async () => {
      const attempts = [];
      for (let i = 0; i < 3; i++) attempts.push(await cpuMs(() => t.app.inject(place.request())));
      for (const { result } of attempts) {
        expect(result.statusCode).toBe(400);
        expect(result.json().error.problems).toContainEqual(
          expect.objectContaining({ path: place.path, message: 'must NOT have more than 254 characters' }),
        );
      }
      // Handling: from the parsed body to the answer. The least of three attempts, as one may
      // include a garbage collection of the previous megabyte.
      const handled = attempts.map((a) => handling.get(String(a.result.headers['x-request-id'])));
      expect(handled.every((h) => h !== undefined)).toBe(true);
      // The process's CPU counts every thread (a collector, PGlite's work), so the bound has room
      // for a loaded CI machine: 2.3–4.6 ms measured alone (bench/input-bounds), minutes before.
      expect(Math.min(...handled.map((h) => h!.cpuMs))).toBeLessThan(50);
      // The whole request, receiving and parsing the megabyte included (minutes before the fix).
      expect(Math.min(...attempts.map((a) => a.ms))).toBeLessThan(500);
      const started = performance.now();
      const [big, health] = await Promise.all([
        t.app.inject(place.request()),
        t.app.inject('/health').then((res) => ({ res, ms: performance.now() - started })),
      ]);
      expect(big.statusCode).toBe(400);
      expect(health.res.statusCode).toBe(200);
      expect(health.ms).toBeLessThan(1000);
    });
  }

  it('in a CSV import: the row is refused naming the column, in well under a second of CPU', async () => {
    const file = join(dir, 'huge-email.csv');
    writeFileSync(file, `email,family_name\n${HUGE_EMAIL},山田\nhanako@example.jp,山田\n`);
    const { ms, result } = await cpuMs(() =>
      importCsv(t.database, { kind: 'customers', file, workspaceId: t.workspace.workspaceId }),
    );
    expect(result.imported).toBe(false);
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]).toMatchObject({ line: 2, column: 'email' });
    expect(ms).toBeLessThan(1000);
  });
});

describe('the email check', () => {
  it('decides the 1 MiB string in under 10 ms of CPU, where the old regex needed minutes', async () => {
    // The old regex on 1/50 of the string, to show the input is the hard case (quadratic: ×2,500 for all of it).
    const slice = `${HUGE_EMAIL.slice(0, 20_000)}@`;
    const old = await cpuMs(async () => OLD_EMAIL.test(slice));
    expect(old.result).toBe(false);
    const now = await cpuMs(async () => [isEmailAddress(HUGE_EMAIL), normaliseEmail(HUGE_EMAIL)]);
    expect(now.result).toEqual([false, undefined]);
    expect(now.ms).toBeLessThan(10);
    expect(old.ms).toBeGreaterThan(now.ms);
  });

  it('agrees with the old regex on 20,000 generated strings up to 254 characters', () => {
    const alphabet = ['a', 'b', 'c', 'd', 'あ', '.', '.', '.', '@', ' ', '\t', '-', '_', '\u00a0'];
    // mulberry32: a small seeded generator, so every run checks the same strings.
    let seed = 19;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
      return ((x ^ (x >>> 14)) >>> 0) / 2 ** 32;
    };
    let accepted = 0;
    const word = () => {
      let w = '';
      for (let i = Math.floor(random() * 7); i > 0; i--)
        w += alphabet[Math.floor(random() * alphabet.length)];
      return w;
    };
    for (let n = 0; n < 20_000; n++) {
      // Mostly one "@" between two words, as addresses have; the words may hold more.
      const s = random() < 0.8 ? `${word()}@${word()}` : word() + word();
      expect(isEmailAddress(s), JSON.stringify(s)).toBe(OLD_EMAIL.test(s));
      if (OLD_EMAIL.test(s)) accepted++;
    }
    // Both answers occur, so the comparison means something.
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(19_000);
    // The length limit: 254 characters pass, 255 do not.
    expect(isEmailAddress(`a@b.${'c'.repeat(250)}`)).toBe(true);
    expect(isEmailAddress(`a@b.${'c'.repeat(251)}`)).toBe(false);
    expect(isEmailAddress('hanako@example.jp')).toBe(true);
  });
});
