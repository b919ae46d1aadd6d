// Simulated business time (KIZUNA_CLOCK=simulated): the app, the worker and pg-boss share one
// clock that POST /v1/dev/clock moves. A marketing send held for quiet hours waits for the
// simulated night to end, to the exact instant, and goes out when the clock is moved past it.
import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { createSimulatedTime, type SimulatedTime } from '../src/jobs/simulated-time.ts';
import { LINE_JOBS } from '../src/line/line-jobs.ts';
import { parseIsoDuration } from '../src/shared/iso-duration.ts';
import { createTestApp, lineUserId } from './helpers.ts';
import { createLineTestBed, type LineTestBed, makeFriends } from './line-setup.ts';

describe('KIZUNA_CLOCK', () => {
  it('is refused in production, needs one process, and names a bad start', () => {
    const error = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig(env);
      } catch (e) {
        return e instanceof ConfigError ? e.message : String(e);
      }
      return 'accepted';
    };
    expect(error({ KIZUNA_CLOCK: 'simulated', NODE_ENV: 'production' })).toMatch(
      /^KIZUNA_CLOCK: .*production/,
    );
    expect(error({ KIZUNA_CLOCK: 'simulated', KIZUNA_WORKER: 'false' })).toMatch(
      /^KIZUNA_CLOCK: .*one process/,
    );
    expect(error({ KIZUNA_CLOCK: 'simulated', KIZUNA_CLOCK_START: '2027-01-01 10:00' })).toMatch(
      /^KIZUNA_CLOCK_START: /,
    );
    expect(error({ KIZUNA_CLOCK: 'sundial' })).toMatch(/^KIZUNA_CLOCK: must be system or simulated/);
    expect(
      loadConfig({ KIZUNA_CLOCK: 'simulated', KIZUNA_CLOCK_START: '2027-01-01T10:00:00+09:00' }).clock,
    ).toEqual({
      kind: 'simulated',
      start: new Date('2027-01-01T01:00:00Z'),
    });
    expect(loadConfig({}).clock).toEqual({ kind: 'system' });
  });

  it('parses the durations the clock and journeys take, and refuses months', () => {
    expect(parseIsoDuration('P3D')).toEqual({ ok: true, ms: 3 * 86_400_000 });
    expect(parseIsoDuration('P1DT12H30M')).toEqual({ ok: true, ms: 86_400_000 + 12.5 * 3_600_000 });
    expect(parseIsoDuration('P2W')).toEqual({ ok: true, ms: 14 * 86_400_000 });
    expect(parseIsoDuration('PT0.5S')).toEqual({ ok: true, ms: 500 });
    for (const bad of ['P', 'PT', 'P1M', '3D', 'P1Y', 'P-1D']) expect(parseIsoDuration(bad).ok).toBe(false);
  });
});

describe('/v1/dev/clock on the wall clock', () => {
  it('tells the time and refuses to move it', async () => {
    const t = await createTestApp();
    try {
      const now = await t.app.inject({ url: '/v1/dev/clock', headers: t.auth });
      expect(now.json()).toMatchObject({ simulated: false });
      const move = await t.app.inject({
        method: 'POST',
        url: '/v1/dev/clock',
        headers: t.auth,
        payload: { advanceBy: 'P1D' },
      });
      expect(move.statusCode).toBe(404);
      expect(move.json().error.message).toMatch(/KIZUNA_CLOCK=simulated/);
    } finally {
      await t.close();
    }
  });
});

describe('simulated time through the API, the worker and pg-boss', () => {
  // 22:00 JST on New Year's Day: inside the quiet hours 21:00–09:00.
  const START = new Date('2027-01-01T22:00:00+09:00');
  let time: SimulatedTime;
  let bed: LineTestBed;
  let stopFlow: () => void;
  beforeAll(async () => {
    time = createSimulatedTime(START);
    bed = await createLineTestBed({}, LINE_JOBS, { simulatedTime: time });
    // Time flows at wall speed between jumps, so the worker polls as it would in a demo.
    stopFlow = time.flow(100);
  });
  afterAll(async () => {
    stopFlow?.();
    await bed?.close();
  });

  const clockCall = (payload: object) =>
    bed.app.inject({ method: 'POST', url: '/v1/dev/clock', headers: bed.auth, payload });
  const status = async (id: number) =>
    (await bed.app.inject({ url: `/v1/line/sends/${id}`, headers: bed.auth })).json() as {
      status: string;
      pausedReason: string | null;
      resumeAt: string | null;
      counts: { sent: number };
    };

  it('holds a send until 09:00 JST of simulated time, and sends it when the clock passes it', async () => {
    const ws = bed.workspace.workspaceId;
    const ids = await makeFriends(bed.database.db, ws, 9101, 3);
    const policy = await bed.app.inject({
      method: 'PUT',
      url: '/v1/messaging/policy',
      headers: bed.auth,
      payload: { frequencyCaps: { line: null, email: null }, quietHours: { start: '21:00', end: '09:00' } },
    });
    expect(policy.statusCode).toBe(200);
    const created = await bed.app.inject({
      method: 'POST',
      url: '/v1/line/sends',
      headers: bed.auth,
      payload: {
        channelId: bed.channelId,
        messages: [{ type: 'text', text: '新春セールのお知らせ' }],
        customerIds: ids,
        idempotencyKey: 'new-year',
      },
    });
    expect(created.statusCode).toBe(202);
    const { id } = created.json() as { id: number };
    await until(async () => (await status(id)).pausedReason === 'quiet_hours', 'send held', {
      timeoutMs: 30_000,
    });
    // The window's end in simulated time, exactly: 09:00 JST the next morning.
    expect((await status(id)).resumeAt).toBe('2027-01-02T00:00:00.000Z');

    // 08:59 JST: still night.
    const early = await clockCall({ setTo: '2027-01-02T08:59:00+09:00' });
    expect(early.statusCode).toBe(200);
    expect(early.json()).toEqual({ now: '2027-01-01T23:59:00.000Z', simulated: true });
    // Give the worker several polls at 08:59 to (wrongly) send it.
    const polls = Date.now() + 1_500;
    await until(async () => Date.now() > polls, 'a few polls', { timeoutMs: 5_000 });
    expect((await status(id)).counts.sent).toBe(0);
    expect(bed.line.received(lineUserId(9101))).toHaveLength(0);

    const morning = await clockCall({ advanceBy: 'PT1M' });
    expect(morning.statusCode).toBe(200);
    await until(async () => (await status(id)).status === 'done', 'send done after 09:00', {
      timeoutMs: 30_000,
    });
    expect((await status(id)).counts.sent).toBe(3);
    for (const n of [9101, 9102, 9103]) expect(bed.line.received(lineUserId(n))).toHaveLength(1);
    const now = (await bed.app.inject({ url: '/v1/dev/clock', headers: bed.auth })).json() as { now: string };
    expect(new Date(now.now).getTime()).toBeGreaterThanOrEqual(Date.parse('2027-01-02T00:00:00Z'));
  });

  it('moves only forward, and names the field of a bad move', async () => {
    const back = await clockCall({ setTo: '2026-01-01T00:00:00+09:00' });
    expect(back.statusCode).toBe(400);
    expect(back.json().error.message).toMatch(/^setTo: .*only moves forward/);
    const both = await clockCall({ setTo: '2030-01-01T00:00:00+09:00', advanceBy: 'P1D' });
    expect(both.statusCode).toBe(400);
    const month = await clockCall({ advanceBy: 'P1M' });
    expect(month.statusCode).toBe(400);
    expect(month.json().error.message).toMatch(/^advanceBy: /);
    const naive = await clockCall({ setTo: '2030-01-01T00:00:00' });
    expect(naive.json().error.message).toMatch(/^setTo: .*offset/);
  });
});
