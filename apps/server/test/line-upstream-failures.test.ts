// Issue #19: when LINE fails during a call Kizuna makes for an API caller (a 5xx, a dropped
// connection), the caller gets a 502 `upstream_unavailable` with Retry-After, never a 500, and
// nothing LINE sent is echoed back; once LINE recovers, the same call goes through.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LINE_UNAVAILABLE_RETRY_SECONDS } from '../src/line/line-errors.ts';
import { createLineTestBed, type LineTestBed } from './line-setup.ts';

let bed: LineTestBed;
beforeAll(async () => {
  bed = await createLineTestBed();
});
afterEach(() => bed.line.faults.reset());
afterAll(async () => {
  await bed?.close();
});

const MENU = {
  size: { width: 2500, height: 843 },
  selected: false,
  name: 'メニュー',
  chatBarText: 'メニュー',
  areas: [],
};

const createMenu = () =>
  bed.app.inject({
    method: 'POST',
    url: `/v1/line/channels/${bed.channelId}/rich-menus`,
    headers: bed.auth,
    payload: MENU,
  });

async function menusStored(): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from line_rich_menu
    where workspace_id = ${bed.workspace.workspaceId}`.execute(bed.database.db);
  return rows[0]!.n;
}

/** The sandbox's 5xx body says this; the caller must not see it. */
const SANDBOX_5XX_MESSAGE = 'An error occurred in the internal server';

function expectUnavailable(response: Awaited<ReturnType<typeof createMenu>>, what: RegExp) {
  expect(response.statusCode, response.body).toBe(502);
  expect(response.headers['retry-after']).toBe(String(LINE_UNAVAILABLE_RETRY_SECONDS));
  const { error } = response.json();
  expect(error).toEqual({ code: 'upstream_unavailable', message: expect.stringMatching(what), problems: [] });
  expect(response.body).not.toContain(SANDBOX_5XX_MESSAGE);
}

describe("LINE's failures become 502 upstream_unavailable for the caller", () => {
  it.each([500, 503])(
    'a %i while creating a rich menu: 502, nothing stored; the retry goes through',
    async (status) => {
      const stored = await menusStored();
      // Every request fails before it takes effect on LINE.
      bed.line.faults.set({ errorRate: 1, errorStatus: status, afterEffectShare: 0 });
      expectUnavailable(await createMenu(), new RegExp(`^LINE answered ${status}; `));
      expect(bed.line.faults.counts.errors).toBe(1);
      expect(await menusStored()).toBe(stored);
      bed.line.faults.reset();
      expect((await createMenu()).statusCode).toBe(201);
      expect(await menusStored()).toBe(stored + 1);
    },
  );

  it('a dropped connection while issuing a link token: 502 naming LINE as unreachable', async () => {
    const friend = bed.line.users.create({});
    const issue = () =>
      bed.app.inject({
        method: 'POST',
        url: `/v1/line/channels/${bed.channelId}/link-tokens`,
        headers: bed.auth,
        payload: { lineUserId: friend.userId },
      });
    bed.line.faults.set({ dropRate: 1, afterEffectShare: 0 });
    expectUnavailable(await issue(), /^LINE could not be reached; /);
    expect(bed.line.faults.counts.drops).toBe(1);
    bed.line.faults.reset();
    expect((await issue()).statusCode).toBe(200);
  });

  it('a 5xx while setting the default menu leaves the stored default unchanged', async () => {
    const menu = (await createMenu()).json() as { id: number; isDefault: boolean };
    bed.line.faults.set({ errorRate: 1, errorStatus: 502, afterEffectShare: 0 });
    const response = await bed.app.inject({
      method: 'POST',
      url: `/v1/line/rich-menus/${menu.id}/default`,
      headers: bed.auth,
    });
    expectUnavailable(response, /^LINE answered 502; /);
    const { rows } = await sql<{ is_default: boolean }>`select is_default from line_rich_menu
      where workspace_id = ${bed.workspace.workspaceId} and id = ${menu.id}`.execute(bed.database.db);
    expect(rows).toEqual([{ is_default: false }]);
  });
});
