// /v1/journeys over HTTP: marketers (the send scope) edit, viewers (read) only read; bad
// definitions are 400s naming the JSON path; lists page with {items, nextCursor}; a journey's runs
// and a customer's runs carry their steps; archive ends active runs. And `kizuna journeys`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase } from '../src/db/open-database.ts';
import { createJourney, transitionJourney } from '../src/journeys/journeys.ts';
import { previewJourney } from '../src/journeys/preview.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';
import { JOURNEY_TEST_TIMEOUT, jst, publishEvents, publishJourney, text, tick } from './journeys-helpers.ts';
import { makeFriends } from './line-setup.ts';

vi.setConfig({ testTimeout: JOURNEY_TEST_TIMEOUT });

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t?.close());

const definition = {
  trigger: { event: 'segment.entered', segmentId: 1 },
  reentry: 'after_exit',
  quietHours: 'skip',
  nodes: [
    { id: 'wait', type: 'wait', duration: 'P1D', next: 'tag' },
    { id: 'tag', type: 'action', action: { type: 'addTag', tag: '常連候補' }, next: 'end' },
    { id: 'end', type: 'exit' },
  ],
};

async function key(scopes: string[]): Promise<{ authorization: string }> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/api-keys',
    headers: t.auth,
    payload: { name: scopes.join('+'), scopes },
  });
  expect(res.statusCode, res.body).toBe(200);
  return { authorization: `Bearer ${res.json().token}` };
}

describe('/v1/journeys', () => {
  it('viewers read, marketers create, edit and publish', async () => {
    const viewer = await key(['read']);
    const marketer = await key(['read', 'send']);
    const denied = await t.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: viewer,
      payload: { name: 'x', definition },
    });
    expect(denied.statusCode).toBe(403);
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: marketer,
      payload: { name: '常連化', definition },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      status: 'draft',
      liveVersion: null,
      latestVersion: 1,
      definition,
    });
    const id = created.json().id as number;
    expect((await t.app.inject({ url: `/v1/journeys/${id}`, headers: viewer })).json().name).toBe('常連化');
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/journeys/${id}/publish`, headers: viewer })).statusCode,
    ).toBe(403);
    const edit = await t.app.inject({
      method: 'PUT',
      url: `/v1/journeys/${id}/definition`,
      headers: marketer,
      payload: { definition },
    });
    expect(edit.json()).toMatchObject({ status: 'draft', liveVersion: null, latestVersion: 2 });
    const live = await t.app.inject({ method: 'POST', url: `/v1/journeys/${id}/publish`, headers: marketer });
    expect(live.json()).toMatchObject({ status: 'live', liveVersion: 2 });
    expect(
      (await t.app.inject({ method: 'POST', url: `/v1/journeys/${id}/publish`, headers: marketer })).json()
        .error,
    ).toMatchObject({
      reason: 'invalid_transition',
    });
  });

  it('refuses a bad definition with 400 naming the JSON path, and another workspace’s journey is 404', async () => {
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/journeys',
      headers: t.auth,
      payload: {
        name: '壊れた',
        definition: { ...definition, nodes: [{ id: 'wait', type: 'wait', duration: 'P1D', next: 'gone' }] },
      },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toBe('nodes[0].next: no node "gone"');
    const id = (await createJourney(t.database.db, t.workspace.workspaceId, { name: '自店', definition })).id;
    const other = await newWorkspace(t.database);
    const res = await t.app.inject({
      url: `/v1/journeys/${id}`,
      headers: { authorization: `Bearer ${other.apiKey}` },
    });
    expect(res.statusCode).toBe(404);
  });

  it('lists newest first in pages, with templates in Japanese and English', async () => {
    const workspace = await newWorkspace(t.database, 'ページの店');
    const headers = { authorization: `Bearer ${workspace.apiKey}` };
    for (const name of ['一', '二', '三'])
      await createJourney(t.database.db, workspace.workspaceId, { name, definition });
    const first = await t.app.inject({ url: '/v1/journeys?limit=2', headers });
    expect(first.json().items.map((j: { name: string }) => j.name)).toEqual(['三', '二']);
    const next = await t.app.inject({
      url: `/v1/journeys?limit=2&cursor=${first.json().nextCursor}`,
      headers,
    });
    expect(next.json()).toMatchObject({ items: [{ name: '一' }], nextCursor: null });
    const templates = await t.app.inject({ url: '/v1/journeys/templates', headers });
    expect(templates.json().items[0].name).toEqual({ ja: '友だち追加ウェルカム', en: 'Friend-add welcome' });
  });

  it('shows a journey’s runs and a customer’s runs with their steps; archive ends the active ones', async () => {
    const workspace = await newWorkspace(t.database, 'ランの店');
    const app = { ...t, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/customers',
      headers: app.auth,
      payload: { customers: [{ email: 'run@example.jp' }] },
    });
    const customerId = created.json().accepted[0].id as number;
    const id = await publishJourney(app, definition);
    await publishEvents(t.database.db, workspace.workspaceId, [
      { type: 'segment.entered', customerId, payload: { segmentId: 1 } },
    ]);
    await tick(t.database.db, workspace.workspaceId, jst('2027-09-01T10:00:00'));
    const runs = await t.app.inject({ url: `/v1/journeys/${id}/runs`, headers: app.auth });
    expect(runs.json()).toMatchObject({
      items: [
        {
          journeyId: id,
          version: 1,
          customerId,
          nodeId: 'tag',
          status: 'active',
          dueAt: jst('2027-09-02T10:00:00').toISOString(),
          steps: [{ stepNo: 0, nodeId: 'wait', nodeType: 'wait', outcome: 'done' }],
        },
      ],
      nextCursor: null,
    });
    const mine = await t.app.inject({
      url: `/v1/customers/${customerId}/journey-runs?status=active`,
      headers: app.auth,
    });
    expect(mine.json().items.map((r: { id: number }) => r.id)).toEqual([runs.json().items[0].id]);
    const archived = await t.app.inject({
      method: 'POST',
      url: `/v1/journeys/${id}/archive`,
      headers: app.auth,
    });
    expect(archived.json().status).toBe('archived');
    const after = await t.app.inject({ url: `/v1/journeys/${id}/runs`, headers: app.auth });
    expect(after.json().items[0]).toMatchObject({ status: 'exited', exitReason: 'archived' });
    const edit = await t.app.inject({
      method: 'PUT',
      url: `/v1/journeys/${id}/definition`,
      headers: app.auth,
      payload: { definition },
    });
    expect(edit.statusCode).toBe(409);
  });
});

describe('preview', () => {
  it('walks one customer’s path over the next days with JST instants and the send policy’s decisions, sending nothing', async () => {
    const workspace = await newWorkspace(t.database, 'プレビューの店');
    const app = { ...t, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
    const ws = workspace.workspaceId;
    const policy = await t.app.inject({
      method: 'PUT',
      url: '/v1/messaging/policy',
      headers: app.auth,
      payload: { frequencyCaps: { line: null, email: null }, quietHours: { start: '21:00', end: '09:00' } },
    });
    expect(policy.statusCode, policy.body).toBe(200);
    const [friend] = await makeFriends(t.database.db, ws, 7700, 1);
    const stranger = (
      await t.app.inject({
        method: 'POST',
        url: '/v1/customers',
        headers: app.auth,
        payload: { customers: [{ email: 'no-line@example.jp' }] },
      })
    ).json().accepted[0].id as number;
    const id = (
      await createJourney(t.database.db, ws, {
        name: 'プレビュー',
        definition: {
          trigger: { event: 'line.friend_added' },
          reentry: 'never',
          quietHours: 'hold',
          nodes: [
            { id: 'hello', type: 'send', messages: [text('こんにちは')], next: 'w' },
            { id: 'w', type: 'wait', until: { dayOffset: 1, at: '21:30' }, next: 'late' },
            { id: 'late', type: 'send', messages: [text('夜分に失礼します')], next: 'bought' },
            {
              id: 'bought',
              type: 'waitForEvent',
              event: 'order.recorded',
              timeout: 'P7D',
              yes: 'end',
              no: 'vip',
            },
            { id: 'vip', type: 'branch', condition: { tag: 'vip' }, yes: 'end', no: 'end' },
            { id: 'end', type: 'exit' },
          ],
        },
      })
    ).id;
    // The route reads the app's clock (the wall clock here): the walk is checked with a fixed instant.
    const walk = await previewJourney(t.database.db, ws, id, {
      customerId: friend!,
      now: jst('2027-11-01T10:00:00'),
      days: 30,
    });
    expect(walk.steps.map((s) => [s.nodeId, s.at, s.decision ?? s.path ?? null])).toEqual([
      ['hello', jst('2027-11-01T10:00:00').toISOString(), { status: 'send' }],
      ['w', jst('2027-11-01T10:00:00').toISOString(), null],
      [
        'late',
        jst('2027-11-02T21:30:00').toISOString(),
        { status: 'held', reason: 'quiet_hours', until: jst('2027-11-03T09:00:00').toISOString() },
      ],
      ['bought', jst('2027-11-02T21:30:00').toISOString(), 'no'],
      ['vip', jst('2027-11-09T21:30:00').toISOString(), 'no'],
      ['end', jst('2027-11-09T21:30:00').toISOString(), null],
    ]);
    const res = await t.app.inject({
      url: `/v1/journeys/${id}/preview?customerId=${stranger}&days=1`,
      headers: app.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ dryRun: true, version: 1 });
    // The first two steps only: the wall clock decides whether "the next day at 21:30" falls within
    // the one day asked (it does from 21:30 JST on, and then the walk goes on to 'late').
    expect(res.json().steps.slice(0, 2)).toMatchObject([
      { nodeId: 'hello', decision: { status: 'skipped', reason: 'no_line_identity' } },
      { nodeId: 'w' },
    ]);
    const runs = await t.database.db
      .selectFrom('journey_run')
      .select('id')
      .where('workspace_id', '=', ws)
      .execute();
    expect(runs).toEqual([]);
  });
});

describe('a customer merge', () => {
  it('moves the merged record’s runs to the survivor, ending one that would be a second active run', async () => {
    const workspace = await newWorkspace(t.database, '統合の店');
    const app = { ...t, workspace, auth: { authorization: `Bearer ${workspace.apiKey}` } };
    const ws = workspace.workspaceId;
    const post = (customers: object[]) =>
      t.app.inject({ method: 'POST', url: '/v1/customers', headers: app.auth, payload: { customers } });
    const [a, b] = (await post([{ email: 'a@example.jp' }, { lineUserId: `U${'b'.repeat(32)}` }]))
      .json()
      .accepted.map((c: { id: number }) => c.id);
    const both = await publishJourney(app, definition);
    const onlyB = await publishJourney(app, {
      ...definition,
      trigger: { event: 'segment.entered', segmentId: 2 },
    });
    await publishEvents(t.database.db, ws, [
      { type: 'segment.entered', customerId: a, payload: { segmentId: 1 } },
      { type: 'segment.entered', customerId: b, payload: { segmentId: 1 } },
      { type: 'segment.entered', customerId: b, payload: { segmentId: 2 } },
    ]);
    await tick(t.database.db, ws, jst('2027-10-01T10:00:00'));
    const merged = await post([{ email: 'a@example.jp', lineUserId: `U${'b'.repeat(32)}` }]);
    expect(merged.json().accepted[0]).toMatchObject({ id: a, mergedIds: [b] });
    const runs = await t.database.db
      .selectFrom('journey_run')
      .select(['journey_id', 'customer_id', 'status', 'exit_reason'])
      .where('workspace_id', '=', ws)
      .orderBy('id')
      .execute();
    expect(runs.map((r) => [Number(r.journey_id), Number(r.customer_id), r.status, r.exit_reason])).toEqual([
      [both, a, 'active', null],
      [both, a, 'exited', 'merged'],
      [onlyB, a, 'active', null],
    ]);
  });
});

describe('kizuna journeys', () => {
  const bin = join(import.meta.dirname, '..', 'bin', 'kizuna.js');
  const dataDir = mkdtempSync(join(tmpdir(), 'kizuna-cli-journeys-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
  const kizuna = (...args: string[]) => {
    const env: NodeJS.ProcessEnv = { ...process.env, KIZUNA_DATA_DIR: dataDir };
    delete env.DATABASE_URL;
    return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8' });
  };

  it('lists, shows, pauses and resumes', async () => {
    const { workspaceId } = JSON.parse(kizuna('init', '--json', '--name', 'CLIの店').stdout);
    const database = await openDatabase({ kind: 'pglite', dataDir });
    let id: number;
    try {
      id = (await createJourney(database.db, workspaceId, { name: 'ようこそ', definition })).id;
      await transitionJourney(database.db, workspaceId, id, 'publish', jst('2027-09-01T10:00:00'));
    } finally {
      await database.close();
    }
    const list = kizuna('journeys', 'list');
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${id}\\s+配信中 live\\s+v1\\s+ようこそ`));
    const pause = kizuna('journeys', 'pause', String(id), '--json');
    expect(JSON.parse(pause.stdout)).toMatchObject({ id, status: 'paused' });
    expect(kizuna('journeys', 'pause', String(id)).stderr).toMatch(/journey \d+ is paused: cannot pause/);
    expect(JSON.parse(kizuna('journeys', 'resume', String(id), '--json').stdout).status).toBe('live');
    const show = kizuna('journeys', 'show', String(id));
    expect(show.stdout).toContain('"segmentId": 1');
    expect(kizuna('journeys', 'show').status).toBe(2);
  });
});
