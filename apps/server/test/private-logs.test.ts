// Issue #19 item 9: PGlite's errors carry the statement's parameters and PostgreSQL's the row's
// values, and the error handler logged them: customers' emails, phones and names. The log keeps
// codes, statement names and stacks now, never values.

import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../src/db/open-database.ts';
import { type App, buildApp } from '../src/http/app.ts';
import type { Jobs } from '../src/jobs/job-types.ts';
import { startJobs } from '../src/jobs/jobs.ts';
import { createLogger } from '../src/shared/logger.ts';
import { createSecretBox } from '../src/shared/secret-box.ts';
import type { InitResult } from '../src/workspaces/workspaces.ts';
import { createTestDatabase, newWorkspace } from './helpers.ts';

const EMAIL = 'hanako.yamada@example.jp';
const PHONE = '090-1234-5678';
const NAME = '山田花子';

const lines: string[] = [];
const logger = createLogger('debug', { write: (line: string) => void lines.push(line) });
let database: Database;
let app: App;
let workspace: InitResult;
let failure: Error | undefined;
beforeAll(async () => {
  database = await createTestDatabase();
  workspace = await newWorkspace(database);
  app = await buildApp({ database, logger });
  app.addHook('onError', async (_request, _reply, error) => {
    failure = error;
  });
  // A database that refuses every new identity: the ingest's insert fails with the values in hand.
  await sql`alter table customer_identity add constraint no_identities_today check (false) not valid`.execute(
    database.db,
  );
});
afterAll(async () => {
  await app?.close();
  await database?.close();
});

function expectNothingPersonal(text: string): void {
  for (const value of [EMAIL, PHONE, '+819012345678', NAME, '"params"', '"query"', '"detail"'])
    expect(text, value).not.toContain(value);
}

describe('the JSON log', () => {
  it('a failing insert carrying an email: the log has the code, statement and constraint, not the values', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: { authorization: `Bearer ${workspace.apiKey}` },
      payload: { customers: [{ email: EMAIL, phone: PHONE, familyName: '山田', givenName: '花子' }] },
    });
    expect(res.statusCode).toBe(500);
    // What pino's standard serializer would have written: the values are in the error.
    expect(JSON.stringify(pino.stdSerializers.err(failure!))).toContain(EMAIL.toLowerCase());
    const logged = lines.map((line) => JSON.parse(line)).find((entry) => entry.msg === 'request failed');
    expect(logged).toBeDefined();
    expect(logged.err).toMatchObject({
      code: '23514',
      constraint: 'no_identities_today',
      statement: 'insert into customer_identity',
    });
    expect(logged.err.stack).toMatch(/\n {4}at /);
    expect(logged.reqId).toBe(res.headers['x-request-id']);
    expectNothingPersonal(lines.join('\n'));
  });

  it('a request URL is logged without its query string', async () => {
    await app.inject({ url: `/v1/customers?cursor=${encodeURIComponent(EMAIL)}&limit=5` });
    const urls = lines.map((line) => JSON.parse(line).req?.url).filter(Boolean);
    expect(urls).toContain('/v1/customers');
    expectNothingPersonal(lines.join('\n'));
  });

  it('a job logging a failed query with an email: the same serializer, and contact fields redacted', async () => {
    let jobs: Jobs | undefined;
    try {
      jobs = await startJobs(
        database,
        [
          {
            name: 'log-test',
            run: async (_data, context) => {
              try {
                await sql`select ${EMAIL}::int`.execute(context.database.db);
              } catch (error) {
                context.logger.error(
                  { err: error, email: EMAIL, customer: { phone: PHONE } },
                  'lookup failed',
                );
              }
            },
          },
        ],
        { logger, work: true, secrets: createSecretBox(Buffer.alloc(32)) },
      );
      await jobs.send('log-test', {});
      const entry = await until(
        () => lines.map((line) => JSON.parse(line)).find((e) => e.msg === 'lookup failed'),
        'the job to log',
        { timeoutMs: 30_000 },
      );
      expect(entry.job).toBe('log-test');
      expect(entry.err).toMatchObject({ code: '22P02', statement: 'select' });
      expect(entry.err.message).toBe('invalid input syntax for type integer: "[redacted]"');
      expect(entry.email).toBe('[redacted]');
      expect(entry.customer.phone).toBe('[redacted]');
      expectNothingPersonal(lines.join('\n'));
    } finally {
      await jobs?.stop(5_000);
    }
  });

  it("a job that fails on a customer's value: neither the log nor the failed job's stored output holds it", async () => {
    let jobs: Jobs | undefined;
    try {
      jobs = await startJobs(
        database,
        [
          {
            name: 'fail-test',
            retry: { limit: 0 },
            run: async (_data, context) => {
              await sql`select ${EMAIL}::int`.execute(context.database.db);
            },
          },
        ],
        { logger, work: true, secrets: createSecretBox(Buffer.alloc(32)) },
      );
      const id = await jobs.send('fail-test', {});
      const entry = await until(
        () => lines.map((line) => JSON.parse(line)).find((e) => e.queue === 'fail-test' && e.jobId === id),
        'the failure to be logged',
        { timeoutMs: 30_000 },
      );
      expect(entry.err).toMatchObject({
        code: '22P02',
        message: 'invalid input syntax for type integer: "[redacted]"',
      });
      const job = await until(
        async () => {
          const found = await jobs!.boss.getJobById('fail-test', id!);
          return found?.state === 'failed' ? found : undefined;
        },
        'the job to be marked failed',
        { timeoutMs: 30_000 },
      );
      const stored = JSON.stringify(job.output);
      expect(stored).toContain('[redacted]');
      expectNothingPersonal(stored);
      expectNothingPersonal(lines.join('\n'));
    } finally {
      await jobs?.stop(5_000);
    }
  });
});
