import { describe, expect, it } from 'vitest';
import { until } from '../src/index.ts';

describe('until', () => {
  it('resolves with the first truthy value, after as many tries as it took', async () => {
    let calls = 0;
    const value = await until(() => (++calls >= 3 ? { calls } : undefined), 'the third call', {
      intervalMs: 1,
    });
    expect(value).toEqual({ calls: 3 });
  });

  it('fails after the timeout, naming what it waited for', async () => {
    await expect(
      until(async () => false, 'the moon to turn blue', { timeoutMs: 30, intervalMs: 5 }),
    ).rejects.toThrow(/timed out after 30 ms \(\d+ tries\) waiting for the moon to turn blue/);
  });
});
