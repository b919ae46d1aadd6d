import { randomUUID } from 'node:crypto';
import { HTTPFetchError } from '@line/bot-sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { type FaultOptions, type LineSandbox, startLineSandbox } from '../src/index.ts';
import { client, text } from './helpers.ts';

const open: LineSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
async function sandbox(faults: FaultOptions): Promise<LineSandbox> {
  const line = await startLineSandbox({ seed: 3, faults, rateLimits: false });
  open.push(line);
  return line;
}

/** Outcome of one push: the status, or 'dropped' when the connection died without an answer. */
async function outcome(line: LineSandbox, to: string, key?: string): Promise<number | 'dropped'> {
  try {
    await client(line).pushMessage({ to, messages: [text('x')] }, key);
    return 200;
  } catch (e) {
    if (e instanceof HTTPFetchError) return e.status;
    return 'dropped';
  }
}

async function outcomes(line: LineSandbox, n: number): Promise<(number | 'dropped')[]> {
  const user = line.users.create();
  const out: (number | 'dropped')[] = [];
  for (let i = 0; i < n; i++) out.push(await outcome(line, user.userId));
  return out;
}

describe('fault injection', () => {
  it('is repeatable: the same seed gives the same faults on the same requests', async () => {
    const faults = { seed: 42, errorRate: 0.2, dropRate: 0.1 };
    const first = await outcomes(await sandbox(faults), 60);
    const second = await outcomes(await sandbox(faults), 60);
    expect(second).toEqual(first);
    expect(first.filter((o) => o === 500).length).toBeGreaterThan(3);
    expect(first.filter((o) => o === 'dropped').length).toBeGreaterThan(1);
    const other = await outcomes(await sandbox({ ...faults, seed: 43 }), 60);
    expect(other).not.toEqual(first);
  });

  it('a 5xx after effect delivered the message, and the retry with the same key gets 409', async () => {
    const line = await sandbox({ errorRate: 1, afterEffectShare: 1 });
    const user = line.users.create();
    const key = randomUUID();
    expect(await outcome(line, user.userId, key)).toBe(500);
    expect(line.receivedCount(user.userId)).toBe(1);
    line.faults.set({});
    expect(await outcome(line, user.userId, key)).toBe(409);
    expect(line.receivedCount(user.userId)).toBe(1);
  });

  it('a 5xx or drop before effect delivered nothing, and the retry with the same key succeeds', async () => {
    const line = await sandbox({ dropRate: 1, afterEffectShare: 0 });
    const user = line.users.create();
    const key = randomUUID();
    expect(await outcome(line, user.userId, key)).toBe('dropped');
    line.faults.set({ errorRate: 1, errorStatus: 503, afterEffectShare: 0 });
    expect(await outcome(line, user.userId, key)).toBe(503);
    expect(line.receivedCount(user.userId)).toBe(0);
    line.faults.set({});
    expect(await outcome(line, user.userId, key)).toBe(200);
    expect(line.receivedCount(user.userId)).toBe(1);
    expect(line.stats().faults).toMatchObject({ errors: 1, drops: 1 });
  });

  it('a 429 burst set through the control API answers the next N requests with 429', async () => {
    const line = await sandbox({});
    const res = await fetch(`${line.url}/sandbox/faults/burst`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 3 }),
    });
    expect(res.status).toBe(200);
    expect(await outcomes(line, 5)).toEqual([429, 429, 429, 200, 200]);
  });

  it('a burst scoped to a path leaves other endpoints alone and waits for its own', async () => {
    const line = await sandbox({});
    const res = await fetch(`${line.url}/sandbox/faults/burst`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2, path: '/v2/bot/message/push' }),
    });
    expect(res.status).toBe(200);
    // Another endpoint first: not rate limited, and it does not use the burst up.
    await client(line).getBotInfo();
    expect(await outcomes(line, 3)).toEqual([429, 429, 200]);
    const bad = await fetch(`${line.url}/sandbox/faults/burst`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 1, path: 'v2/bot' }),
    });
    expect(bad.status).toBe(400);
  });

  it('random bursts come in runs of burstLength', async () => {
    const line = await sandbox({ seed: 1, burstRate: 0.05, burstLength: 4 });
    const seen = await outcomes(line, 200);
    const runs: number[] = [];
    seen.forEach((o, i) => {
      if (o !== 429) return;
      if (seen[i - 1] === 429) runs[runs.length - 1]! += 1;
      else runs.push(1);
    });
    // A run that reaches the last request may be cut short; every other run is whole bursts.
    if (seen.at(-1) === 429) runs.pop();
    expect(runs.length).toBeGreaterThan(2);
    for (const run of runs) expect(run % 4).toBe(0);
  });

  it('latency delays answers; faults change at runtime through PUT /sandbox/faults', async () => {
    const line = await sandbox({});
    const put = await fetch(`${line.url}/sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 80 }),
    });
    expect(put.status).toBe(200);
    const user = line.users.create();
    const started = performance.now();
    await client(line).pushMessage({ to: user.userId, messages: [text('slow')] });
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    const bad = await fetch(`${line.url}/sandbox/faults`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errorRate: 2 }),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toBe(
      'faults.errorRate: expected a number in [0, 1], got 2',
    );
  });

  it('control endpoints are never faulted', async () => {
    const line = await sandbox({ errorRate: 1, afterEffectShare: 0 });
    expect((await fetch(`${line.url}/sandbox/state`)).status).toBe(200);
  });
});
