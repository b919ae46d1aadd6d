// Signing in inside LINE: liff.init, the ID token LINE gives the app, and a member session from
// POST /v1/liff/session. Only the pluggable SDK's modules the app uses are installed, to keep the
// first load small.
import liff from '@line/liff/core';
import GetIDToken from '@line/liff/get-id-token';
import IsInClient from '@line/liff/is-in-client';
import IsLoggedIn from '@line/liff/is-logged-in';
import Login from '@line/liff/login';
import { api, setMemberToken, unwrap } from '../api/client.ts';
import { setFirstCard } from '../card/first-card.ts';
import { launchParams } from '../insert/launch-params.ts';

/**
 * A test or a developer outside LINE sets `globalThis.kizunaLiffMock = { idToken }` before the
 * page loads (Playwright's addInitScript): @line/liff-mock then answers liff.getIDToken() with
 * that token. The token still has to verify against LINE Login's keys on the server (the sandbox
 * mints them for tests), so the mock opens nothing a forged token could not.
 */
interface LiffMock {
  idToken: string;
  /** As if opened in LINE's app (the default) or in another browser. */
  inClient?: boolean;
  /** Logged in with LINE (the default); false with inClient false is the outside-LINE screen. */
  loggedIn?: boolean;
}

declare global {
  var kizunaLiffMock: LiffMock | undefined;
}

/** The LIFF id is the first path segment after /liff/ (the endpoint URL is `/liff/{liffId}`). */
export function liffIdFromPath(pathname: string): string | undefined {
  const id = pathname.split('/')[2];
  return id && /^[0-9]{1,20}-[A-Za-z0-9]{1,20}$/.test(id) ? id : undefined;
}

export interface MemberSession {
  expiresAt: string;
  firstOpen: boolean;
  /**
   * When to renew, in ms from the answer's arrival: five minutes before the session's lifetime
   * runs out (the server's interval, so a phone whose clock is wrong changes nothing).
   */
  renewInMs: number;
}

/** What signing in came to: a session, or a browser outside LINE that must log in with LINE. */
export type SignInResult =
  | { kind: 'session'; session: MemberSession }
  | { kind: 'outside-line'; login: () => Promise<SignInResult | undefined> };

// The mock's set() replaces its data whole; the function form keeps the rest.
type MockControl = { $mock: { set(data: object | ((previous: object) => object)): void } };

/**
 * Initialises LIFF and opens a member session. Outside LINE's app and not logged in, the answer
 * is `outside-line`: the screen says so and its button calls `login` (LINE Login, which comes
 * back to this page; in mock mode the mock is then logged in and the session opens at once).
 */
let started: { liffId: string; result: Promise<SignInResult> } | undefined;

/**
 * Signs in once per page load: main.tsx starts it before React renders, and the app's session
 * hook then gets the same promise (so the ID token is not traded twice). Renewals call openSession.
 */
export function startSignIn(liffId: string): Promise<SignInResult> {
  if (started?.liffId !== liffId) started = { liffId, result: signIn(liffId) };
  return started.result;
}

/**
 * The LIFF URL's `src` (a tracked poster or receipt) is read once liff.init has restored the
 * query, and goes to the server with the first session, which records it as the member's source
 * if none is recorded yet.
 */
export async function signIn(liffId: string): Promise<SignInResult> {
  liff.use(new IsInClient());
  liff.use(new IsLoggedIn());
  liff.use(new Login());
  liff.use(new GetIDToken());
  const mock = globalThis.kizunaLiffMock;
  if (mock) {
    // Loaded only in mock mode, as its own chunk: members never download it.
    const { LiffMockPlugin } = await import('@line/liff-mock');
    // The plugin is typed against the full SDK's `Liff`; on the pluggable core it replaces the
    // same methods at init (it needs only isInClient, installed above), hence the casts.
    liff.use(new LiffMockPlugin() as unknown as Parameters<typeof liff.use>[0]);
    await liff.init({ liffId, mock: true } as Parameters<typeof liff.init>[0]);
    (liff as unknown as MockControl).$mock.set({
      getIDToken: mock.idToken,
      isInClient: mock.inClient ?? true,
      isLoggedIn: mock.loggedIn ?? true,
    });
  } else {
    await liff.init({ liffId });
  }
  if (!liff.isInClient() && !liff.isLoggedIn()) {
    return {
      kind: 'outside-line',
      login: async () => {
        liff.login({ redirectUri: globalThis.location.href });
        if (!mock) return undefined; // LINE Login takes the page away and brings it back here.
        (liff as unknown as MockControl).$mock.set((previous) => ({ ...previous, isLoggedIn: true }));
        return { kind: 'session', session: await openSession(liffId, launchParams().src) };
      },
    };
  }
  return { kind: 'session', session: await openSession(liffId, launchParams().src) };
}

/**
 * Posts LINE's ID token for a member session. Also how the session is renewed in place before
 * it expires: the same call with the token LIFF holds (valid an hour), no reload.
 */
export async function openSession(liffId: string, src?: string): Promise<MemberSession> {
  const idToken = liff.getIDToken();
  if (!idToken) throw new Error('liff.getIDToken() returned no token');
  // The card is the first screen: it comes with the session, one round trip instead of two.
  const body = { liffId, idToken, withCard: true, ...(src ? { src } : {}) };
  const session = unwrap(await api.POST('/v1/liff/session', { body }));
  setMemberToken(session.token);
  const lifetimeMs = session.expiresInSeconds * 1000;
  if (session.card) setFirstCard(session.card);
  return {
    expiresAt: session.expiresAt,
    firstOpen: session.firstOpen,
    renewInMs: Math.max(lifetimeMs / 2, lifetimeMs - 5 * 60 * 1000),
  };
}
