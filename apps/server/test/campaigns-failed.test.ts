// A campaign that cannot go out ends `failed` with its reason in the API (issue #14), instead of
// staying `sending` (retried every minute for ever) or showing `sent` when LINE refused every
// message: its LINE channel's access token refused (401 from the sandbox, which accepts only the
// test bed's token), its channel deleted before it sent, or a failure that may pass repeating
// MAX_SEND_FAILURES times. A campaign that was delivered stays `sent`.
import { until } from '@kizuna/test-support';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_SEND_FAILURES, recordSendFailure } from '../src/campaigns/campaign-failure.ts';
import { CAMPAIGN_JOBS } from '../src/campaigns/campaign-jobs.ts';
import { CAMPAIGN_SEND_JOB, sendCampaignNow } from '../src/campaigns/campaign-lifecycle.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

const GOOD_TOKEN = 'test-access-token-0001';
// The campaign job without its every-minute schedule: the test decides when it runs.
const jobs = [...LINE_JOBS, ...CAMPAIGN_JOBS.map(({ schedule: _, ...job }) => job)];

let bed: LineTestBed;
let ws: string;
let first = 1;
beforeAll(async () => {
  bed = await createLineTestBed({ requireTokens: [GOOD_TOKEN] }, jobs);
  ws = bed.workspace.workspaceId;
});
afterAll(async () => bed?.close());

const api = (method: 'GET' | 'POST' | 'PUT', url: string, payload?: object) =>
  bed.app.inject({ method, url, headers: bed.auth, ...(payload ? { payload } : {}) });

async function channel(lineChannelId: string, accessToken: string): Promise<string> {
  const res = await api('PUT', `/v1/line/channels/${lineChannelId}`, {
    name: '別アカウント',
    channelSecret: bed.line.channelSecret,
    accessToken,
    apiBaseUrl: bed.line.url,
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id as string;
}

/** A draft campaign on `channelId` to three new friends; returns its id and their LINE ids. */
async function campaign(channelId: string, name: string): Promise<{ id: number; users: string[] }> {
  const ids = await makeFriends(bed.database.db, ws, first, 3);
  const users = ids.map((_, i) => lineUserId(first + i));
  first += 3;
  const res = await api('POST', '/v1/campaigns', {
    name,
    channelId,
    audience: { customerIds: ids },
    variants: [{ key: 'A', messages: [{ type: 'text', text: `${name}のお知らせ` }] }],
  });
  expect(res.statusCode, res.body).toBe(201);
  return { id: res.json().id as number, users };
}

const view = async (id: number) => (await api('GET', `/v1/campaigns/${id}`)).json();

describe('a campaign that cannot go out', () => {
  it('ends failed with LINE’s reason when the channel’s token is refused, and cannot be sent again', async () => {
    const refused = await channel('1650000777', 'revoked-token');
    const { id, users } = await campaign(refused, '秋の感謝祭');
    expect((await api('POST', `/v1/campaigns/${id}/send`)).statusCode).toBe(200);
    // The send job hands it to the core (sent); the LINE job's requests are refused (401); the
    // campaign job's next run finds the finished sends with nothing delivered.
    await until(async () => (await view(id)).status === 'sent', 'handed to the messaging core');
    const sendId = (await view(id)).variants[0].sendId as number;
    await until(
      async () => (await api('GET', `/v1/line/sends/${sendId}`)).json().status === 'done',
      'send done',
      {
        timeoutMs: 30_000,
      },
    );
    await bed.jobs!.send(CAMPAIGN_SEND_JOB, {});
    await until(async () => (await view(id)).status === 'failed', 'campaign failed', { timeoutMs: 30_000 });
    const failed = await view(id);
    expect(failed.failureReason).toMatch(/^LINE refused every message \(3\): .*401/);
    expect(failed.failedAt).not.toBeNull();
    for (const u of users) expect(bed.line.received(u)).toEqual([]);
    const again = await api('POST', `/v1/campaigns/${id}/send`);
    expect(again.statusCode).toBe(409);
    const list = await api('GET', '/v1/campaigns?status=failed');
    expect(list.json().items.map((c: { id: number }) => c.id)).toContain(id);
  });

  it('ends failed at once when its channel was deleted before it sent (retrying changes nothing)', async () => {
    const doomed = await channel('1650000778', GOOD_TOKEN);
    const { id } = await campaign(doomed, '閉店のお知らせ');
    await sql`delete from line_channel where workspace_id = ${ws} and id = ${doomed}`.execute(
      bed.database.db,
    );
    expect((await api('POST', `/v1/campaigns/${id}/send`)).statusCode).toBe(200);
    await until(async () => (await view(id)).status === 'failed', 'campaign failed', { timeoutMs: 30_000 });
    expect((await view(id)).failureReason).toBe('the send could not be made: LINE channel not found');
  });

  it('retries a failure that may pass, and fails on the fifth in a row', async () => {
    const { id } = await campaign(bed.channelId, '再試行');
    await sendCampaignNow(bed.database.db, undefined, ws, id, new Date());
    const boom = new Error('connection terminated unexpectedly');
    for (let i = 1; i < MAX_SEND_FAILURES; i++) {
      expect(await recordSendFailure(bed.database.db, ws, id, boom, new Date())).toBe('retrying');
      expect((await view(id)).status).toBe('sending');
    }
    expect(await recordSendFailure(bed.database.db, ws, id, boom, new Date())).toBe('failed');
    expect(await view(id)).toMatchObject({
      status: 'failed',
      failureReason: `the send could not be made: connection terminated unexpectedly (${MAX_SEND_FAILURES} attempts)`,
    });
  });

  it('stays sent when its messages were delivered', async () => {
    const { id, users } = await campaign(bed.channelId, '冬のセール');
    expect((await api('POST', `/v1/campaigns/${id}/send`)).statusCode).toBe(200);
    await until(() => users.every((u) => bed.line.received(u).length === 1), 'delivered', {
      timeoutMs: 30_000,
    });
    const sendId = (await view(id)).variants[0].sendId as number;
    await until(
      async () => (await api('GET', `/v1/line/sends/${sendId}`)).json().status === 'done',
      'send done',
      {
        timeoutMs: 30_000,
      },
    );
    await bed.jobs!.send(CAMPAIGN_SEND_JOB, {});
    await until(
      async () =>
        (
          await sql<{ checked: Date | null }>`select delivery_checked_at as checked from campaign
            where workspace_id = ${ws} and id = ${id}`.execute(bed.database.db)
        ).rows[0]!.checked !== null,
      'delivery checked',
      { timeoutMs: 30_000 },
    );
    expect(await view(id)).toMatchObject({ status: 'sent', failureReason: null, failedAt: null });
  });
});
