// The capability descriptors against what the database, the app, the worker and the CLI hold.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type HTTPMethods } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCustomerDataCoverage } from '../src/capabilities/coverage.ts';
import { CAPABILITIES } from '../src/capabilities/index.ts';
import { installCustomerData } from '../src/customers/customer-data.ts';
import type { App, RouteDeps } from '../src/http/route-deps.ts';
import { JOBS, loadJobs } from '../src/jobs/registry.ts';
import { systemClock } from '../src/shared/clock.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ jobs: JOBS, work: false });
});
afterAll(() => t.close());

/** Names that occur more than once, each with the capabilities that declare it. */
function duplicates(owned: { owner: string; name: string }[]): string[] {
  const owners = new Map<string, string[]>();
  for (const { owner, name } of owned) owners.set(name, [...(owners.get(name) ?? []), owner]);
  return [...owners]
    .filter(([, list]) => list.length > 1)
    .map(([name, list]) => `${name}: ${list.join(', ')}`);
}

class Rollback extends Error {}

describe('customer data', () => {
  it('every table with a customer_id column is declared by a capability, and every declared table exists', async () => {
    expect(await checkCustomerDataCoverage(t.database.db, CAPABILITIES)).toEqual({
      undeclared: [],
      unknown: [],
    });
  });

  it('reports a new table with customer_id that no descriptor declares, and a declared table that is not there', async () => {
    const typo = { name: 'typo', customerData: [{ table: 'loyalty_membr', onMerge: 'move' as const }] };
    const found = await t.database.db
      .transaction()
      .execute(async (tx) => {
        await sql`create table gift_card (workspace_id uuid not null, customer_id bigint not null)`.execute(
          tx,
        );
        await sql`create view gift_card_view as select customer_id from gift_card`.execute(tx);
        const coverage = await checkCustomerDataCoverage(tx, [...CAPABILITIES, typo]);
        throw new Rollback(JSON.stringify(coverage));
      })
      .catch((error: unknown) => {
        if (error instanceof Rollback) return JSON.parse(error.message);
        throw error;
      });
    // The view is not reported: its rows are its tables'.
    expect(found).toEqual({ undeclared: ['gift_card'], unknown: ['loyalty_membr'] });
    expect(await checkCustomerDataCoverage(t.database.db, CAPABILITIES)).toEqual({
      undeclared: [],
      unknown: [],
    });
  });

  it('refuses a table declared by two capabilities, and a custom table without a merge step, naming them', () => {
    const move = (table: string) => ({ table, onMerge: 'move' as const });
    expect(() =>
      installCustomerData([
        { name: 'orders', customerData: [move('customer_order')] },
        { name: 'returns', customerData: [move('customer_order')] },
      ]),
    ).toThrow('table customer_order is declared by both orders and returns');
    expect(() =>
      installCustomerData([{ name: 'gifts', customerData: [{ table: 'gift_card', onMerge: 'custom' }] }]),
    ).toThrow('gifts declares gift_card as custom but has no mergeCustomers');
  });
});

describe('routes, jobs and commands', () => {
  it('every route comes from exactly one capability, and the app serves them all', async () => {
    const deps: RouteDeps = {
      database: t.database,
      secureCookies: false,
      publicUrl: 'http://localhost:3000',
      secrets: t.secrets,
      jobs: t.jobs,
      lineHosts: t.lineHosts,
      clock: systemClock,
      clockControl: undefined,
    };
    const routes: { owner: string; name: string; method: HTTPMethods; url: string }[] = [];
    for (const capability of CAPABILITIES) {
      if (!capability.routes) continue;
      // Each capability's routes on an app of their own, to see which routes it adds.
      const probe: App = Fastify().withTypeProvider<TypeBoxTypeProvider>();
      probe.addHook('onRoute', (route) => {
        for (const method of [route.method].flat())
          routes.push({ owner: capability.name, name: `${method} ${route.url}`, method, url: route.url });
      });
      (await capability.routes())(probe, deps);
      await probe.ready();
      expect(routes.filter((r) => r.owner === capability.name).length, capability.name).toBeGreaterThan(0);
      await probe.close();
    }
    expect(duplicates(routes)).toEqual([]);
    const missing = routes
      .filter((r) => !t.app.hasRoute({ method: r.method, url: r.url }))
      .map((r) => r.name);
    expect(missing).toEqual([]);
    expect(routes.map((r) => r.name)).toContain('POST /v1/loyalty/till/scan');
  });

  it('every job comes from exactly one capability, and the worker creates a queue for each', async () => {
    const owned = await Promise.all(
      CAPABILITIES.map(async (c) =>
        (c.jobs ? await c.jobs() : []).map((j) => ({ owner: c.name, name: j.name })),
      ),
    );
    expect(duplicates(owned.flat())).toEqual([]);
    expect(JOBS.map((j) => j.name)).toEqual(owned.flat().map((j) => j.name));
    expect((await loadJobs()).map((j) => j.name)).toEqual(JOBS.map((j) => j.name));
    for (const job of JOBS) expect(await t.jobs!.boss.getQueue(job.name), job.name).not.toBeNull();
  });

  it('every command comes from exactly one capability, and kizuna help lists each', () => {
    const commands = CAPABILITIES.flatMap((c) =>
      (c.cli ?? []).map((cmd) => ({ owner: c.name, name: cmd.command })),
    );
    expect(
      duplicates([...commands, { owner: 'kizuna', name: 'start' }, { owner: 'kizuna', name: 'help' }]),
    ).toEqual([]);
    const help = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'kizuna.js'), 'help'], {
      encoding: 'utf8',
    });
    expect(help.status).toBe(0);
    const listed = help.stdout
      .split('\n')
      .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
      .filter((name) => name !== undefined);
    expect(listed).toEqual(['start', ...commands.map((c) => c.name)]);
  });
});
