// Login that cannot be turned against users or the server (issue #19 item 7): progressive delays
// per client and per (account, client) that never lock the owner out, counters in the database,
// bounded concurrent hashing, and new-password rules.

import { until } from '@kizuna/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/http/app.ts';
import { DomainError } from '../src/shared/domain-error.ts';
import { PASSWORD_HASHING } from '../src/workspaces/hash-gate.ts';
import {
  ACCOUNT_HOT_AT,
  CLIENT_RULE,
  chargeLoginAttempt,
  clientOf,
  PAIR_RULE,
  RESET_MS,
  throttleKeys,
} from '../src/workspaces/login-throttle.ts';
import { passwordProblem } from '../src/workspaces/passwords.ts';
import { addMember } from '../src/workspaces/workspaces.ts';
import { login } from './auth-helpers.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
const KNOWN = 'known@example.jp';
const PASSWORD = 'the owner of this account knows';

beforeAll(async () => {
  t = await createTestApp();
  for (const email of [KNOWN, 'spread@example.jp'])
    await addMember(t.database.db, {
      workspaceId: t.workspace.workspaceId,
      email,
      password: PASSWORD,
      role: 'viewer',
    });
});
afterAll(async () => t?.close());

/** Seconds the throttle asks to wait at `now`, or 0 when the attempt was charged. */
async function retryAfter(email: string, ip: string, now?: Date): Promise<number> {
  try {
    await chargeLoginAttempt(t.database.db, email, ip, now);
    return 0;
  } catch (error) {
    if (error instanceof DomainError && error.code === 'rate_limited') return error.retryAfterSeconds ?? -1;
    throw error;
  }
}

describe('login throttling', () => {
  it("a stranger's failures slow the stranger on that account, never the owner signing in from elsewhere", async () => {
    const stranger = '203.0.113.9';
    // Four failed guesses as they are left behind (each login is charged before its hash runs;
    // a scrypt hash costs a second on a loaded machine), then the fifth over HTTP.
    for (let i = 0; i < PAIR_RULE.free - 1; i++) await chargeLoginAttempt(t.database.db, KNOWN, stranger);
    expect((await login(t.app, KNOWN, 'the fifth guess', stranger)).statusCode).toBe(401);
    const blocked = await login(t.app, KNOWN, PASSWORD, stranger);
    expect(blocked.statusCode).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(PAIR_RULE.baseMs / 1000);
    expect((await login(t.app, KNOWN, PASSWORD, '198.51.100.20')).statusCode).toBe(200);
    expect((await login(t.app, KNOWN, 'one more guess', stranger)).statusCode).toBe(429);
  });

  it('one client trying many emails is slowed after 10 failures, other clients are not', async () => {
    const client = '203.0.113.50';
    // What nine failed logins for nine emails leave behind (each is charged before its hash runs).
    for (let i = 0; i < CLIENT_RULE.free - 1; i++)
      await chargeLoginAttempt(t.database.db, `nobody${i}@example.jp`, client);
    expect((await login(t.app, 'nobody-else@example.jp', 'wrong password', client)).statusCode).toBe(401);
    const slowed = await login(t.app, 'another-one@example.jp', 'wrong password', client);
    expect(slowed.statusCode).toBe(429);
    expect(slowed.json().error.code).toBe('rate_limited');
    expect((await login(t.app, 'another-one@example.jp', 'wrong password', '203.0.113.51')).statusCode).toBe(
      401,
    );
  });

  it('under a distributed attack each new client gets one try at the account, and the owner still logs in', async () => {
    const email = 'spread@example.jp';
    for (let i = 0; i < ACCOUNT_HOT_AT; i++)
      await chargeLoginAttempt(t.database.db, email, `203.0.113.${100 + i}`);
    const fresh = '198.51.100.77';
    expect((await login(t.app, email, 'a first guess', fresh)).statusCode).toBe(401);
    expect((await login(t.app, email, 'a second guess', fresh)).statusCode).toBe(429);
    expect((await login(t.app, email, PASSWORD, '198.51.100.78')).statusCode).toBe(200);
  });

  it('waits double with each failure from 30 s up to 15 min, and start afresh after an idle hour', async () => {
    const email = 'delays@example.jp';
    const ip = '203.0.113.200';
    let now = new Date('2030-04-01T09:00:00+09:00');
    for (let i = 0; i < PAIR_RULE.free; i++) expect(await retryAfter(email, ip, now)).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const wait = await retryAfter(email, ip, now);
      waits.push(wait);
      now = new Date(now.getTime() + wait * 1000);
      expect(await retryAfter(email, ip, now)).toBe(0);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
    now = new Date(now.getTime() + RESET_MS);
    for (let i = 0; i < PAIR_RULE.free; i++) expect(await retryAfter(email, ip, now)).toBe(0);
    expect(await retryAfter(email, ip, now)).toBe(30);
  });

  it('keeps its counters in the database: another API process sees them, and they hold no email or address', async () => {
    const ip = '203.0.113.210';
    for (let i = 0; i < PAIR_RULE.free - 1; i++) await chargeLoginAttempt(t.database.db, KNOWN, ip);
    expect((await login(t.app, KNOWN, 'the last free guess', ip)).statusCode).toBe(401);
    const other = await buildApp({ database: t.database, logger: false });
    try {
      const refused = await login(other, KNOWN, PASSWORD, ip);
      expect(refused.statusCode).toBe(429);
    } finally {
      await other.close();
    }
    const rows = await t.database.db.selectFrom('login_throttle').selectAll().execute();
    const keys = throttleKeys(KNOWN, ip);
    expect(rows.find((r) => r.key === keys.pair)?.failures).toBe(PAIR_RULE.free);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(KNOWN);
    expect(stored).not.toContain('203.0.113');
  });

  it('counts an IPv6 client by its /64 and an IPv4-mapped address as IPv4', () => {
    expect(clientOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(clientOf('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientOf('::ffff:192.0.2.4')).toBe('192.0.2.4');
    expect(clientOf('192.0.2.4')).toBe('192.0.2.4');
  });
});

describe('password hashing', () => {
  it('runs at most two hashes at once and refuses with Retry-After past a queue of 16, without counting a failure', async () => {
    PASSWORD_HASHING.resetPeaks();
    const burst = await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        login(t.app, `burst${i}@example.jp`, 'a wrong password', `198.51.100.${120 + i}`),
      ),
    );
    expect(burst.map((r) => r.statusCode)).toEqual([401, 401, 401, 401]);
    expect(PASSWORD_HASHING.stats().peakActive).toBe(2);
    expect(PASSWORD_HASHING.stats().peakQueued).toBeGreaterThan(0);

    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holders = Array.from({ length: 18 }, () => PASSWORD_HASHING.run(() => held));
    expect(PASSWORD_HASHING.stats()).toMatchObject({ active: 2, queued: 16 });
    const ip = '198.51.100.140';
    const busy = await login(t.app, KNOWN, PASSWORD, ip);
    expect(busy.statusCode).toBe(429);
    expect(busy.headers['retry-after']).toBe('2');
    const client = await t.database.db
      .selectFrom('login_throttle')
      .select('failures')
      .where('key', '=', throttleKeys(KNOWN, ip).client)
      .executeTakeFirst();
    expect(client?.failures ?? 0).toBe(0);
    release();
    await Promise.all(holders);
    expect((await login(t.app, KNOWN, PASSWORD, ip)).statusCode).toBe(200);
  });
});

describe('hashing priority', () => {
  it('a login from a client that has not been failing goes ahead of every guess waiting, and guesses get one slot', async () => {
    let releaseRunning: () => void = () => undefined;
    const running = new Promise<void>((resolve) => {
      releaseRunning = resolve;
    });
    const busy = [PASSWORD_HASHING.run(() => running), PASSWORD_HASHING.run(() => running)];
    // Sixteen guesses from failing clients, each holding its slot once it gets one.
    let guessesStarted = 0;
    let releaseGuesses: () => void = () => undefined;
    const guessing = new Promise<void>((resolve) => {
      releaseGuesses = resolve;
    });
    const guesses = Array.from({ length: 16 }, () =>
      PASSWORD_HASHING.run(
        async () => {
          guessesStarted++;
          await guessing;
        },
        { priority: 'low' },
      ),
    );
    const real = login(t.app, KNOWN, PASSWORD, '198.51.100.150');
    await until(() => PASSWORD_HASHING.stats().queued === 17, 'the real login to queue', {
      timeoutMs: 20_000,
    });
    // Freeing the two slots: first-come-first-served would give both to guesses, which hold them
    // until released below, and the real login would never finish.
    releaseRunning();
    let answered = 0;
    void real.then((res) => {
      answered = res.statusCode;
    });
    await until(() => answered, 'the real login to be answered while the guesses hold their slots', {
      timeoutMs: 30_000,
    });
    expect(answered).toBe(200);
    // Guesses hold at most one of the two slots: the other stays for clients that are not failing.
    expect(guessesStarted).toBe(1);
    expect(PASSWORD_HASHING.stats()).toMatchObject({ active: 1, queued: 15 });
    releaseGuesses();
    await Promise.all([...busy, ...guesses]);
  });
});

describe('device cookies', () => {
  const deviceCookie = (setCookie: string | string[] | undefined) => {
    const header = Array.isArray(setCookie) ? setCookie.join(';') : (setCookie ?? '');
    return /kz_device=([^;]+)/.exec(header)?.[1];
  };

  it("a returning browser goes ahead of new clients' first attempts; a cookie of another account or a forged one does not", async () => {
    const first = await login(t.app, KNOWN, PASSWORD, '198.51.100.160');
    expect(first.statusCode).toBe(200);
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/kz_device=[^;]+;.*Path=\/v1\/auth\/login/);
    expect(setCookie).not.toContain(KNOWN);
    const mine = deviceCookie(first.headers['set-cookie'])!;
    const other = deviceCookie(
      (await login(t.app, 'spread@example.jp', PASSWORD, '198.51.100.161')).headers['set-cookie'],
    )!;

    // Both slots busy, then fourteen new clients' first attempts (priority high) waiting: with the
    // two logins below that do not present a valid cookie, the high queue is at its limit of 16.
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const busy = [PASSWORD_HASHING.run(() => held), PASSWORD_HASHING.run(() => held)];
    let holdFirstTries: () => void = () => undefined;
    const firstTriesHeld = new Promise<void>((resolve) => {
      holdFirstTries = resolve;
    });
    const firstTries = Array.from({ length: 14 }, () => PASSWORD_HASHING.run(() => firstTriesHeld));
    const withCookie = (cookie: string, ip: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        remoteAddress: ip,
        headers: { cookie: `kz_device=${cookie}` },
        payload: { email: KNOWN, password: PASSWORD },
      });
    const answers: Record<string, number> = {};
    for (const [name, cookie] of [
      ['own', mine],
      ['other account', other],
      ['forged', `${mine.slice(0, -4)}AAAA`],
    ] as const)
      void withCookie(cookie, `198.51.100.${170 + Object.keys(answers).length}`).then((res) => {
        answers[name] = res.statusCode;
      });
    await until(() => PASSWORD_HASHING.stats().queued === 17, 'the three logins to queue', {
      timeoutMs: 20_000,
    });
    // One slot frees; the first tries then hold every slot they get until released below.
    release();
    await until(() => answers.own, 'the returning browser to be answered', { timeoutMs: 30_000 });
    expect(answers.own).toBe(200);
    // The other two waited behind the first tries like any new client.
    expect(answers['other account']).toBeUndefined();
    expect(answers.forged).toBeUndefined();
    holdFirstTries();
    await Promise.all([...busy, ...firstTries]);
    await until(() => answers.forged && answers['other account'], 'the other logins', { timeoutMs: 30_000 });
    expect(answers).toMatchObject({ 'other account': 200, forged: 200 });
  });
});

describe('new passwords', () => {
  it.each([
    ['PASSWORD1234', undefined, 'is a commonly used password; choose another'],
    ['１２３４５６７８９０１２', undefined, 'is a commonly used password; choose another'],
    [' '.repeat(12), undefined, 'must not be only spaces'],
    ['\u3000'.repeat(12), undefined, 'must not be only spaces'],
    ['correct horse\u0000battery', undefined, 'must not contain control characters'],
    ['abcabcabcabc', undefined, 'must not be a short pattern repeated'],
    ['Yamada.Hanako2024', 'yamada.hanako@example.jp', 'must not be the email address'],
    ['short', undefined, 'must be at least 12 characters'],
  ])('refuses %j', (password, email, message) => {
    expect(passwordProblem(password, email ? { email } : {})).toBe(message);
  });

  it('accepts a passphrase in Japanese or English', () => {
    expect(passwordProblem('さくら咲く春の京都で会いましょう')).toBeUndefined();
    expect(passwordProblem('correct horse battery staple', { email: 'hanako@example.jp' })).toBeUndefined();
  });
});
