// Signing in inside LINE: liff.init, the ID token LINE gives the app, and a member session from
// POST /v1/liff/session. Only the pluggable SDK's modules the app uses are installed, to keep the
// first load small.
import liff from '@line/liff/core';
import GetIDToken from '@line/liff/get-id-token';
import IsInClient from '@line/liff/is-in-client';
import IsLoggedIn from '@line/liff/is-logged-in';
import Login from '@line/liff/login';
import { api, setMemberToken, unwrap } from '../api/client.ts';

/**
 * A test or a developer outside LINE sets `globalThis.kizunaLiffMock = { idToken }` before the
 * page loads (Playwright's addInitScript): @line/liff-mock then answers liff.getIDToken() with
 * that token. The token still has to verify against LINE Login's keys on the server (the sandbox
 * mints them for tests), so the mock opens nothing a forged token could not.
 */
interface LiffMock {
  idToken: string;
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
}

/**
 * Renews the member session with a fresh ID token; undefined when LINE sends the member to log in.
 * `launch` reads the LIFF URL's query once liff.init has restored it; its `src` (a tracked
 * poster or receipt) goes to the server, which records it as the member's source if none is yet.
 */
export async function signIn(
  liffId: string,
  launch: () => { src: string | undefined } = () => ({ src: undefined }),
): Promise<MemberSession | undefined> {
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
    (liff as unknown as { $mock: { set(data: object): void } }).$mock.set({ getIDToken: mock.idToken });
  } else {
    await liff.init({ liffId });
    if (!liff.isLoggedIn()) {
      // Outside LINE's app the member logs in with LINE Login first, then comes back here.
      liff.login({ redirectUri: globalThis.location.href });
      return undefined;
    }
  }
  const idToken = liff.getIDToken();
  if (!idToken) throw new Error('liff.getIDToken() returned no token');
  const { src } = launch();
  const body = { liffId, idToken, ...(src ? { src } : {}) };
  const session = unwrap(await api.POST('/v1/liff/session', { body }));
  setMemberToken(session.token);
  return { expiresAt: session.expiresAt, firstOpen: session.firstOpen };
}
