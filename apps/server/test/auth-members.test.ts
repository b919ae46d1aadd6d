// Members and invitations (issue #19 item 1): the shared-account takeover, invitations, guard
// rails on roles, and removal cutting access at once. The tests build on one another in order:
// the users created by the invitation test are the members the later tests manage.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeMemberRole } from '../src/workspaces/members.ts';
import type { InitResult } from '../src/workspaces/workspaces.ts';
import { acceptAsNewUser, type Browser, browserFrom, invite, login, loginBrowser } from './auth-helpers.ts';
import { createTestApp, newWorkspace, type TestApp } from './helpers.ts';

let t: TestApp;
let b: InitResult;
const A = () => t.workspace.workspaceId;
const keyA = () => t.auth;
const keyB = () => ({ authorization: `Bearer ${b.apiKey}` });

beforeAll(async () => {
  t = await createTestApp();
  b = await newWorkspace(t.database, 'B店');
});
afterAll(async () => t?.close());

const userId = async (email: string) =>
  (
    await t.database.db
      .selectFrom('app_user')
      .select(['id', 'password_hash'])
      .where(sql`lower(email)`, '=', email)
      .executeTakeFirst()
  )?.id;
const workspacesOf = async (id: string) =>
  (
    await t.database.db
      .selectFrom('workspace_member')
      .select('workspace_id')
      .where('user_id', '=', id)
      .execute()
  ).map((r) => r.workspace_id);

describe('the takeover through shared accounts', () => {
  it('fails at its first step: an admin cannot set a password for someone, nor attach an existing user', async () => {
    const email = 'new-hire@shop-a.example';
    const planted = await t.app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: keyB(),
      payload: { email, password: 'B knows this password', role: 'admin' },
    });
    expect(planted.statusCode).toBe(400);
    expect(planted.json().error.problems).toEqual([{ path: 'password', message: 'is not a known field' }]);
    expect(await userId(email)).toBeUndefined();

    // B invites A's owner: nothing is granted until the owner accepts.
    await invite(t.app, keyB(), t.workspace.ownerEmail, 'admin');
    expect(await workspacesOf((await userId(t.workspace.ownerEmail))!)).toEqual([A()]);
  });

  it('later steps fail too: an account B planted first gets no way into A', async () => {
    const email = 'new-hire@shop-a.example';
    // Without an email channel B's admin holds B's link and can create the account themselves.
    await acceptAsNewUser(t.app, await invite(t.app, keyB(), email, 'admin'), 'B knows this password');
    const aToken = await invite(t.app, keyA(), email, 'admin');
    const hash = async () =>
      (
        await t.database.db
          .selectFrom('app_user')
          .select('password_hash')
          .where('email', '=', email)
          .executeTakeFirstOrThrow()
      ).password_hash;
    const before = await hash();
    // The real new hire's link from A cannot overwrite the password of the existing account…
    const real = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/accept-new',
      payload: { token: aToken, password: 'the real new hire chose this' },
    });
    expect(real.statusCode).toBe(409);
    expect(real.json().error.message).toContain('log in as that user and accept');
    expect(await hash()).toBe(before);
    // …and B, logged in with the password B knows, reaches B only.
    const asHire = await login(t.app, email, 'B knows this password', '203.0.113.66');
    expect(asHire.json().workspaces.map((w: { workspaceId: string }) => w.workspaceId)).toEqual([
      b.workspaceId,
    ]);
    const hire = browserFrom(asHire);
    expect((await t.app.inject({ url: '/v1/customers', headers: hire.headers(A()) })).statusCode).toBe(403);
    const mint = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: hire.headers(A()),
      payload: { name: 'stolen', scopes: ['read', 'admin'] },
    });
    expect(mint.statusCode).toBe(403);
    expect(await workspacesOf((await userId(email))!)).toEqual([b.workspaceId]);
  });
});

let staff: { browser: Browser; userId: string };
let ownerB: Browser;
let ownerBId: string;

describe('invitations', () => {
  it('a new user sets their own password once, refused when common or blank', async () => {
    const token = await invite(t.app, keyA(), 'Staff1@Shop-A.example', 'staff');
    const inspected = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/inspect',
      payload: { token },
    });
    expect(inspected.json()).toMatchObject({
      workspaceName: 'テスト店',
      email: 'staff1@shop-a.example',
      role: 'staff',
    });
    for (const [password, message] of [
      ['password1234', 'is a commonly used password; choose another'],
      ['\u3000'.repeat(12), 'must not be only spaces'],
      ['staff1-2026!!', 'must not be the email address'],
    ]) {
      const weak = await t.app.inject({
        method: 'POST',
        url: '/v1/invitations/accept-new',
        payload: { token, password },
      });
      expect(weak.statusCode).toBe(400);
      expect(weak.json().error.problems).toEqual([{ path: 'password', message }]);
    }
    staff = await acceptAsNewUser(t.app, token, 'staff one keeps this secret');
    expect((await t.app.inject({ url: '/v1/customers', headers: staff.browser.headers() })).statusCode).toBe(
      200,
    );
    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/invitations/accept-new',
      payload: { token, password: 'someone else tries this' },
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.message).toBe('this invitation has already been used');
  });

  it('an existing user accepts only while logged in as themselves', async () => {
    const token = await invite(t.app, keyA(), b.ownerEmail, 'marketer');
    const accept = (headers: Record<string, string>) =>
      t.app.inject({ method: 'POST', url: '/v1/invitations/accept', headers, payload: { token } });
    expect((await accept({})).statusCode).toBe(401);
    const wrongUser = await accept(staff.browser.headers());
    expect(wrongUser.statusCode).toBe(403);
    expect(wrongUser.json().error.message).toContain(b.ownerEmail);
    ownerB = await loginBrowser(t.app, b.ownerEmail, b.ownerPassword!);
    ownerBId = (await userId(b.ownerEmail))!;
    const accepted = await accept(ownerB.headers());
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json()).toEqual({ workspaceId: A(), role: 'marketer' });
    expect((await workspacesOf(ownerBId)).sort()).toEqual([A(), b.workspaceId].sort());
    const pending = (await t.app.inject({ url: '/v1/invitations', headers: keyA() })).json().items;
    expect(pending.map((i: { email: string }) => i.email)).not.toContain(b.ownerEmail);
  });
});

describe('managing members', () => {
  it('lists members with role and last use; admins and keys cannot make or touch owners', async () => {
    const members = (await t.app.inject({ url: '/v1/members', headers: keyA() })).json().items;
    const byEmail = Object.fromEntries(members.map((m: { email: string }) => [m.email, m]));
    expect(byEmail['staff1@shop-a.example']).toMatchObject({ role: 'staff', userId: staff.userId });
    expect(byEmail['staff1@shop-a.example'].lastSeenAt).not.toBeNull();
    expect(byEmail[b.ownerEmail]).toMatchObject({ role: 'marketer' });
    const ownerId = (await userId(t.workspace.ownerEmail))!;
    const patch = (id: string, role: string) =>
      t.app.inject({ method: 'PATCH', url: `/v1/members/${id}`, headers: keyA(), payload: { role } });
    expect((await patch(ownerId, 'viewer')).json().error.message).toBe('only an owner can act on an owner');
    expect((await patch(staff.userId, 'owner')).json().error.message).toBe(
      'only an owner can make someone an owner',
    );
    expect(
      (await t.app.inject({ method: 'DELETE', url: `/v1/members/${ownerId}`, headers: keyA() })).statusCode,
    ).toBe(403);
    const ownerInvite = await t.app.inject({
      method: 'POST',
      url: '/v1/members',
      headers: keyA(),
      payload: { email: 'co-owner@shop-a.example', role: 'owner' },
    });
    expect(ownerInvite.statusCode).toBe(403);
    expect((await patch(staff.userId, 'viewer')).json()).toEqual({ userId: staff.userId, role: 'viewer' });
  });

  it('keeps at least one owner, even when two owners demote each other at once', async () => {
    const owner = await loginBrowser(t.app, t.workspace.ownerEmail, t.workspace.ownerPassword!);
    const ownerId = (await userId(t.workspace.ownerEmail))!;
    const self = await t.app.inject({
      method: 'PATCH',
      url: `/v1/members/${ownerId}`,
      headers: owner.headers(),
      payload: { role: 'admin' },
    });
    expect(self.statusCode).toBe(409);
    expect(self.json().error.message).toBe(
      'the last owner cannot be demoted; make another member an owner first',
    );
    const leave = await t.app.inject({
      method: 'DELETE',
      url: `/v1/members/${ownerId}`,
      headers: owner.headers(),
    });
    expect(leave.statusCode).toBe(409);
    const promote = await t.app.inject({
      method: 'PATCH',
      url: `/v1/members/${staff.userId}`,
      headers: owner.headers(),
      payload: { role: 'owner' },
    });
    expect(promote.statusCode).toBe(200);
    const manager = { workspaceId: A(), rank: 'owner', actor: 'test' } as const;
    const race = await Promise.allSettled([
      changeMemberRole(t.database.db, manager, ownerId, 'admin'),
      changeMemberRole(t.database.db, manager, staff.userId, 'admin'),
    ]);
    expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const owners = await t.database.db
      .selectFrom('workspace_member')
      .select('user_id')
      .where('workspace_id', '=', A())
      .where('role', '=', 'owner')
      .execute();
    expect(owners).toHaveLength(1);
    await changeMemberRole(t.database.db, manager, ownerId, 'owner');
    await changeMemberRole(t.database.db, manager, staff.userId, 'staff');
  });

  it('a removed member loses access at once, and the API keys they created are revoked; other workspaces stay', async () => {
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/members/${ownerBId}`,
      headers: keyA(),
      payload: { role: 'admin' },
    });
    const minted = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: ownerB.headers(A()),
      payload: { name: 'script of B owner', scopes: ['read'] },
    });
    expect(minted.statusCode).toBe(200);
    const theirKey = { authorization: `Bearer ${minted.json().token}` };
    expect((await t.app.inject({ url: '/v1/customers', headers: theirKey })).statusCode).toBe(200);
    const removed = await t.app.inject({ method: 'DELETE', url: `/v1/members/${ownerBId}`, headers: keyA() });
    expect(removed.json()).toEqual({
      userId: ownerBId,
      apiKeysRevoked: [{ id: minted.json().id, name: 'script of B owner' }],
      loggedOut: false,
    });
    expect((await t.app.inject({ url: '/v1/customers', headers: ownerB.headers(A()) })).statusCode).toBe(403);
    expect((await t.app.inject({ url: '/v1/customers', headers: theirKey })).statusCode).toBe(401);
    expect(
      (await t.app.inject({ url: '/v1/customers', headers: ownerB.headers(b.workspaceId) })).statusCode,
    ).toBe(200);
    expect((await t.app.inject({ url: '/v1/customers', headers: keyA() })).statusCode).toBe(200);
  });

  it("revoking a member's sessions ends them in this workspace; removing a single-workspace member logs them out", async () => {
    expect((await t.app.inject({ url: '/v1/customers', headers: staff.browser.headers() })).statusCode).toBe(
      200,
    );
    const revoke = await t.app.inject({
      method: 'POST',
      url: `/v1/members/${staff.userId}/revoke`,
      headers: keyA(),
      payload: {},
    });
    expect(revoke.json()).toEqual({ sessionsRevoked: true, apiKeysRevoked: [] });
    const cut = await t.app.inject({ url: '/v1/customers', headers: staff.browser.headers() });
    expect(cut.statusCode).toBe(401);
    expect(cut.json().error.message).toBe('your sessions for this workspace were ended; log in again');
    const again = await loginBrowser(t.app, 'staff1@shop-a.example', 'staff one keeps this secret');
    expect((await t.app.inject({ url: '/v1/customers', headers: again.headers() })).statusCode).toBe(200);
    const removed = await t.app.inject({
      method: 'DELETE',
      url: `/v1/members/${staff.userId}`,
      headers: keyA(),
    });
    expect(removed.json()).toMatchObject({ loggedOut: true });
    expect(
      (await t.app.inject({ url: '/v1/auth/session', headers: { cookie: again.cookie } })).statusCode,
    ).toBe(401);
  });
});
