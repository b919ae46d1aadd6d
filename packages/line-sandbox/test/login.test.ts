import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { type LineSandbox, type LineSandboxOptions, startLineSandbox } from '../src/index.ts';
import { startWebhookReceiver } from './helpers.ts';

const open: LineSandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((l) => l.close()));
});
async function sandbox(options: LineSandboxOptions = {}): Promise<LineSandbox> {
  const line = await startLineSandbox({ seed: 21, ...options });
  open.push(line);
  return line;
}

const CALLBACK = 'https://shop.example/callback';

function authorizeUrl(line: LineSandbox, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: line.login.channelId,
    redirect_uri: CALLBACK,
    state: 'st-123',
    scope: 'openid profile',
    nonce: 'n-456',
    ...extra,
  });
  return `${line.url}/oauth2/v2.1/authorize?${params}`;
}

async function form(url: string, body: Record<string, string>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, unknown> };
}

function decode(jwt: string) {
  const [h, p] = jwt.split('.') as [string, string];
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>,
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>,
  };
}

describe('LINE Login in the sandbox', () => {
  it('authorize (auto-consent, bot_prompt) → code → token exchange → an ES256 ID token the JWKS verifies', async () => {
    const receiver = await startWebhookReceiver();
    const line = await sandbox({ webhookUrl: receiver.url });
    const user = line.users.create({
      displayName: '佐藤 花子',
      pictureUrl: 'https://img.example/p.png',
      friend: false,
    });
    line.login.autoConsent(user.userId);
    const res = await fetch(authorizeUrl(line, { bot_prompt: 'aggressive' }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('st-123');
    expect(location.searchParams.get('friendship_status_changed')).toBe('true');
    // The consent screen's friend-add made the user a friend and LINE sent the follow webhook.
    expect(line.users.get(user.userId)?.friend).toBe(true);
    expect(receiver.requests.map((r) => r.body.events[0]?.type)).toEqual(['follow']);
    const code = location.searchParams.get('code') ?? '';

    const wrongSecret = await form(`${line.url}/oauth2/v2.1/token`, {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: line.login.channelId,
      client_secret: 'nope',
    });
    expect(wrongSecret).toMatchObject({ status: 400, body: { error: 'invalid_client' } });
    const exchange = {
      grant_type: 'authorization_code',
      code,
      redirect_uri: CALLBACK,
      client_id: line.login.channelId,
      client_secret: line.login.channelSecret,
    };
    const token = await form(`${line.url}/oauth2/v2.1/token`, exchange);
    expect(token.status).toBe(200);
    expect(token.body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile', expires_in: 2592000 });
    // A code is single use.
    expect(await form(`${line.url}/oauth2/v2.1/token`, exchange)).toMatchObject({
      status: 400,
      body: { error: 'invalid_grant' },
    });

    const idToken = String(token.body.id_token);
    const { header, claims } = decode(idToken);
    expect(header).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    expect(claims).toMatchObject({
      iss: 'https://access.line.me',
      sub: user.userId,
      aud: line.login.channelId,
      nonce: 'n-456',
      name: '佐藤 花子',
      picture: 'https://img.example/p.png',
    });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
    const certs = (await (await fetch(`${line.url}/oauth2/v2.1/certs`)).json()) as {
      keys: Record<string, string>[];
    };
    const jwk = certs.keys.find((k) => k.kid === header.kid);
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    const [h, p, s] = idToken.split('.') as [string, string, string];
    const key = createPublicKey({ key: jwk as never, format: 'jwk' });
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s, 'base64url'),
      ),
    ).toBe(true);
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}x`),
        { key, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s, 'base64url'),
      ),
    ).toBe(false);

    // The access token: verify, profile, friendship status; then a refresh.
    const accessToken = String(token.body.access_token);
    const bearer = { authorization: `Bearer ${accessToken}` };
    const verified = await (await fetch(`${line.url}/oauth2/v2.1/verify?access_token=${accessToken}`)).json();
    expect(verified).toMatchObject({ scope: 'openid profile', client_id: line.login.channelId });
    expect(await (await fetch(`${line.url}/v2/profile`, { headers: bearer })).json()).toEqual({
      userId: user.userId,
      displayName: '佐藤 花子',
      pictureUrl: 'https://img.example/p.png',
    });
    expect(await (await fetch(`${line.url}/friendship/v1/status`, { headers: bearer })).json()).toEqual({
      friendFlag: true,
    });
    await line.unfollow(user.userId);
    expect(await (await fetch(`${line.url}/friendship/v1/status`, { headers: bearer })).json()).toEqual({
      friendFlag: false,
    });
    expect(
      (await fetch(`${line.url}/v2/profile`, { headers: { authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    const refreshed = await form(`${line.url}/oauth2/v2.1/token`, {
      grant_type: 'refresh_token',
      refresh_token: String(token.body.refresh_token),
      client_id: line.login.channelId,
      client_secret: line.login.channelSecret,
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.access_token).not.toBe(accessToken);
    expect(refreshed.body.id_token).toBeUndefined();
    await receiver.close();
  });

  it('bot_prompt for a friend reports no change; PKCE is checked; without auto-consent a picker is shown', async () => {
    const line = await sandbox();
    const user = line.users.create({ displayName: '田中 一郎' });
    const picker = await fetch(authorizeUrl(line), { redirect: 'manual' });
    expect(picker.status).toBe(200);
    const page = await picker.text();
    expect(page).toContain('田中 一郎');
    const pick = /href="([^"]+sandbox_user=[^"]+)"/.exec(page)?.[1]?.replaceAll('&#38;', '&');
    const verifier = 'v'.repeat(50);
    const { createHash } = await import('node:crypto');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const chosen = await fetch(
      `${authorizeUrl(line, { bot_prompt: 'normal', code_challenge: challenge, code_challenge_method: 'S256' })}&sandbox_user=${user.userId}`,
      { redirect: 'manual' },
    );
    expect(pick).toContain(user.userId);
    const location = new URL(chosen.headers.get('location') ?? '');
    expect(location.searchParams.get('friendship_status_changed')).toBe('false');
    const exchange = (code_verifier: string) =>
      form(`${line.url}/oauth2/v2.1/token`, {
        grant_type: 'authorization_code',
        code: location.searchParams.get('code') ?? '',
        redirect_uri: CALLBACK,
        client_id: line.login.channelId,
        client_secret: line.login.channelSecret,
        code_verifier,
      });
    expect(await exchange('w'.repeat(50))).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const denied = await fetch(`${authorizeUrl(line)}&sandbox_deny=1`, { redirect: 'manual' });
    expect(new URL(denied.headers.get('location') ?? '').searchParams.get('error')).toBe('access_denied');
    const badClient = await fetch(authorizeUrl(line, { client_id: '999' }), { redirect: 'manual' });
    expect(badClient.status).toBe(400);
    expect(await badClient.json()).toEqual({
      error: 'invalid_request',
      error_description: 'invalid client_id',
    });
    const noState = await fetch(authorizeUrl(line, { state: '' }), { redirect: 'manual' });
    expect(new URL(noState.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
  });

  it('POST /oauth2/v2.1/verify accepts a minted ID token and refuses forged, expired, wrong-audience, wrong-issuer and wrong-nonce ones', async () => {
    let now = Date.parse('2027-03-01T10:00:00Z');
    const line = await sandbox({ clock: () => now });
    const user = line.users.create({ displayName: '鈴木 次郎' });
    const check = (id_token: string, extra: Record<string, string> = {}) =>
      form(`${line.url}/oauth2/v2.1/verify`, { id_token, client_id: line.login.channelId, ...extra });
    const good = line.login.mintIdToken(user.userId, { nonce: 'abc' });
    const ok = await check(good, { nonce: 'abc', user_id: user.userId });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      sub: user.userId,
      aud: line.login.channelId,
      nonce: 'abc',
      name: '鈴木 次郎',
    });
    expect(ok.body.iat).toBe(Math.floor(now / 1000));
    // Web login's HS256 token, signed with the channel secret, verifies too.
    const hs256 = line.login.mintIdToken(user.userId, { alg: 'HS256' });
    expect(JSON.parse(Buffer.from(hs256.split('.')[0] ?? '', 'base64url').toString())).toEqual({
      typ: 'JWT',
      alg: 'HS256',
    });
    expect(await check(hs256, { user_id: user.userId })).toMatchObject({
      status: 200,
      body: { sub: user.userId },
    });

    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const cases: [string, string, Record<string, string>?][] = [
      [line.login.mintIdToken(user.userId, { signingKey: privateKey }), 'Invalid IdToken.'],
      [line.login.mintIdToken(user.userId, { iss: 'https://evil.example' }), 'Invalid IdToken Issuer.'],
      [line.login.mintIdToken(user.userId, { aud: '999' }), 'Invalid IdToken Audience.'],
      [
        line.login.mintIdToken(user.userId, { alg: 'HS256', hmacSecret: 'another-secret' }),
        'Invalid IdToken.',
      ],
      [line.login.mintIdToken(user.userId, { alg: 'none' }), 'Invalid IdToken.'],
      [good, 'Invalid IdToken Nonce.', { nonce: 'xyz' }],
      [good, 'Invalid IdToken Subject Identifier.', { user_id: `U${'f'.repeat(32)}` }],
      ['not.a.jwt', 'Invalid IdToken.'],
    ];
    for (const [token, description, extra] of cases) {
      expect(await check(token, extra), description).toEqual({
        status: 400,
        body: { error: 'invalid_request', error_description: description },
      });
    }
    now += 3601_000;
    expect(await check(good)).toEqual({
      status: 400,
      body: { error: 'invalid_request', error_description: 'IdToken expired.' },
    });
  });

  it('control API: auto-consent a chosen user and mint an ID token', async () => {
    const line = await sandbox();
    const user = line.users.create({ displayName: '山本 三郎' });
    const put = await fetch(`${line.url}/sandbox/login`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ autoConsentUserId: user.userId }),
    });
    expect(await put.json()).toEqual({ autoConsentUserId: user.userId, channelId: '2000000001' });
    const res = await fetch(authorizeUrl(line), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const minted = await fetch(`${line.url}/sandbox/login/id-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: user.userId, nonce: 'q' }),
    });
    const { idToken } = (await minted.json()) as { idToken: string };
    expect(decode(idToken).claims).toMatchObject({ sub: user.userId, nonce: 'q', aud: '2000000001' });
    const mint = (body: object) =>
      fetch(`${line.url}/sandbox/login/id-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userId: user.userId, ...body }),
      });
    // alg HS256: web login's kind, signed with the channel secret; any other alg is a 400.
    const hs256 = (await (await mint({ alg: 'HS256' })).json()) as { idToken: string };
    expect(decode(hs256.idToken).header.alg).toBe('HS256');
    const verified = await form(`${line.url}/oauth2/v2.1/verify`, {
      id_token: hs256.idToken,
      client_id: line.login.channelId,
    });
    expect(verified).toMatchObject({ status: 200, body: { sub: user.userId } });
    expect((await mint({ alg: 'none' })).status).toBe(400);
    const unknown = await fetch(`${line.url}/sandbox/login/id-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: `U${'0'.repeat(32)}` }),
    });
    expect(unknown.status).toBe(404);
  });
});
