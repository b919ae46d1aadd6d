// A user's own account (password, sessions) and one-time password-reset links (issue #19 item 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acceptInvitation, createInvitation } from '../src/workspaces/invitations.ts';
import { issueOperatorPasswordReset } from '../src/workspaces/password-resets.ts';
import { addMember, type InitResult } from '../src/workspaces/workspaces.ts';
import { type Browser, login, loginBrowser, tokenOf } from './auth-helpers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
let b: InitResult;
let soloId: string;
let sharedId: string;
const SOLO = 'solo@shop-a.example';
const SHARED = 'shared@agency.example';
const FIRST = 'first password of solo';

beforeAll(async () => {
  t = await createTestApp();
  b = await newWorkspace(t.database, 'B店');
  const { db } = t.database;
  soloId = (
    await addMember(db, { workspaceId: t.workspace.workspaceId, email: SOLO, password: FIRST, role: 'staff' })
  ).userId;
  // An agency's user who works in A and in B.
  sharedId = (
    await addMember(db, {
      workspaceId: t.workspace.workspaceId,
      email: SHARED,
      password: FIRST,
      role: 'admin',
    })
  ).userId;
  const manager = { workspaceId: b.workspaceId, rank: 'owner', actor: 'test' } as const;
  await acceptInvitation(
    db,
    (await createInvitation(db, manager, { email: SHARED, role: 'staff' })).token,
    sharedId,
  );
});
afterAll(async () => t?.close());

const session = (browser: Browser) =>
  t.app.inject({ url: '/v1/auth/session', headers: { cookie: browser.cookie } });

describe('your own account', () => {
  let here: Browser;
  it('changing your password needs the current one and ends your other sessions, not this one', async () => {
    here = await loginBrowser(t.app, SOLO, FIRST, '192.0.2.10');
    const elsewhere = await loginBrowser(t.app, SOLO, FIRST, '192.0.2.11');
    const change = (currentPassword: string, newPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/me/password',
        headers: here.headers(),
        remoteAddress: '192.0.2.10',
        payload: { currentPassword, newPassword },
      });
    const weak = await change(FIRST, 'qwertyuiop123');
    expect(weak.json().error.problems).toEqual([
      { path: 'newPassword', message: 'is a commonly used password; choose another' },
    ]);
    const wrong = await change('not my password at all', 'second password of solo');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().error.problems).toEqual([
      { path: 'currentPassword', message: 'is not your current password' },
    ]);
    expect((await change(FIRST, 'second password of solo')).statusCode).toBe(200);
    expect((await session(elsewhere)).statusCode).toBe(401);
    expect((await session(here)).statusCode).toBe(200);
  });

  it('lists your sessions and ends one; API keys cannot use these routes', async () => {
    const phone = await loginBrowser(t.app, SOLO, 'second password of solo', '192.0.2.12');
    const listed = await t.app.inject({ url: '/v1/me/sessions', headers: here.headers() });
    const items = listed.json().items as { id: string; current: boolean; clientIp: string }[];
    expect(items.map((s) => [s.clientIp, s.current])).toEqual([
      ['192.0.2.12', false],
      ['192.0.2.10', true],
    ]);
    const phoneId = items[0]!.id;
    const end = (id: string) =>
      t.app.inject({ method: 'DELETE', url: `/v1/me/sessions/${id}`, headers: here.headers() });
    expect((await end(phoneId)).statusCode).toBe(200);
    expect((await session(phone)).statusCode).toBe(401);
    expect((await end(phoneId)).statusCode).toBe(404);
    const byKey = await t.app.inject({ url: '/v1/me/sessions', headers: t.auth });
    expect(byKey.statusCode).toBe(401);
    expect(byKey.json().error.message).toBe(
      'this needs a logged-in user; API keys act for a workspace, not a user',
    );
  });
});

describe('password-reset links', () => {
  const issue = (userId: string) =>
    t.app.inject({ method: 'POST', url: `/v1/members/${userId}/password-reset`, headers: t.auth });
  const complete = (token: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/password-reset', payload: { token, password } });

  it('an admin resets only a member of this workspace alone, never an owner nor a user of other workspaces', async () => {
    const shared = await issue(sharedId);
    expect(shared.statusCode).toBe(403);
    expect(shared.json().error.message).toContain('kizuna users reset-password');
    const ownerId = (
      await t.database.db
        .selectFrom('app_user')
        .select('id')
        .where('email', '=', t.workspace.ownerEmail)
        .executeTakeFirstOrThrow()
    ).id;
    expect((await issue(ownerId)).json().error.message).toBe('only an owner can act on an owner');
    expect((await issue(b.workspaceId)).statusCode).toBe(404);

    const issued = await issue(soloId);
    expect(issued.json().url).toMatch(/^http:\/\/localhost:3000\/reset-password#token=kzr_/);
    const token = tokenOf(issued.json().url);
    const before = await loginBrowser(t.app, SOLO, 'second password of solo', '192.0.2.13');
    expect((await complete(token, '   ')).json().error.problems).toEqual([
      { path: 'password', message: 'must be at least 12 characters' },
    ]);
    expect((await complete(token, 'third password of solo')).json()).toEqual({ email: SOLO });
    expect((await session(before)).statusCode).toBe(401);
    expect((await login(t.app, SOLO, 'third password of solo', '192.0.2.13')).statusCode).toBe(200);
    expect((await complete(token, 'fourth password of solo')).statusCode).toBe(404);
  });

  it("an admin's link stops working once the user also joins another workspace", async () => {
    const token = tokenOf((await issue(soloId)).json().url);
    const manager = { workspaceId: b.workspaceId, rank: 'owner', actor: 'test' } as const;
    const { db } = t.database;
    await acceptInvitation(
      db,
      (await createInvitation(db, manager, { email: SOLO, role: 'viewer' })).token,
      soloId,
    );
    const late = await complete(token, 'fourth password of solo');
    expect(late.statusCode).toBe(403);
    expect(late.json().error.message).toBe(
      'this link is no longer valid for this account; ask the operator for a new one',
    );
  });

  it("the operator's link works for any account and replaces an earlier link", async () => {
    const first = await issueOperatorPasswordReset(t.database.db, SHARED, 'cli:test');
    const second = await issueOperatorPasswordReset(t.database.db, SHARED, 'cli:test');
    expect((await complete(first.token, 'the agency user chose this')).statusCode).toBe(404);
    expect((await complete(second.token, 'the agency user chose this')).json()).toEqual({ email: SHARED });
    await expect(issueOperatorPasswordReset(t.database.db, 'nobody@example.jp', 'cli:test')).rejects.toThrow(
      'user nobody@example.jp not found',
    );
  });
});
