// The console's first moments, before React and Ant Design have loaded (bench/console, issue #16).
// Started by main.tsx, which is all the entry chunk holds: it asks for the session and the opened
// page's data and starts the shell's and the page's chunks at once, so the network and the server
// work while the browser is still running React and Ant Design. The API client (api/client.ts) then takes each answer for the request it was made for,
// once, instead of sending that request again. Nothing here may import React, Ant Design or the
// client: this module runs before they have loaded.

/** A page that can open the console: its data starts loading before any component renders. */
export interface FirstLoadRoute {
  /** `location.pathname` exactly: '/' for the dashboard, '/customers'. */
  pathname: string;
  /** The page's chunk: the same `import()` as its lazy component in the capability's pages.ts. */
  load(): Promise<unknown>;
  /**
   * The GET requests the page sends when it opens, path and query as its queries write them
   * (`/v1/customers?limit=50`). A request listed here that the page does not send is only wasted;
   * one it sends that is not listed simply goes out when the page renders.
   */
  requests(search: URLSearchParams): string[];
}

export interface SessionWorkspace {
  workspaceId: string;
}

/** The workspace a session works in: the one remembered on this browser if still a member, else the first. */
export function chooseWorkspace<W extends SessionWorkspace>(
  workspaces: readonly W[],
  remembered: string | null | undefined,
): W | undefined {
  return workspaces.find((w) => w.workspaceId === remembered) ?? workspaces[0];
}

export const WORKSPACE_KEY = 'kizuna.workspace';
export const SESSION_PATH = '/v1/auth/session';
// Only for the first render: an answer not taken by then is dropped rather than shown late.
const FRESH_MS = 15_000;

interface Prefetched {
  response: Promise<Response>;
  at: number;
}
const prefetched = new Map<string, Prefetched>();

/** The key of a request: its workspace header and its path with the query sorted. */
function keyOf(workspaceId: string | null, url: URL): string {
  const query = new URLSearchParams(url.search);
  query.sort();
  const search = query.toString();
  return `${workspaceId ?? ''} ${url.pathname}${search ? `?${search}` : ''}`;
}

function prefetch(pathAndQuery: string, workspaceId: string | null): Promise<Response> {
  const url = new URL(pathAndQuery, location.origin);
  const headers: Record<string, string> = workspaceId ? { 'x-kizuna-workspace': workspaceId } : {};
  const response = fetch(url, { credentials: 'same-origin', headers });
  // A failed prefetch is not an error of its own: the client gets the same rejection when it
  // takes the answer (and its query retries as usual). Marked handled so it is not reported twice.
  response.catch(() => {});
  const key = keyOf(workspaceId, url);
  prefetched.set(key, { response, at: performance.now() });
  // An answer nobody took is read and dropped: the browser counts a body never read as a request
  // still running (a page that never goes network-idle).
  setTimeout(() => drop(key), FRESH_MS);
  return response;
}

/** Forgets an answer that will not be taken, reading its body to the end. */
function drop(key: string): void {
  const entry = prefetched.get(key);
  if (!entry) return;
  prefetched.delete(key);
  void entry.response.then((r) => r.arrayBuffer()).catch(() => {});
}

/**
 * The answer prefetched for this request, handed over once; undefined when there is none (the
 * client then sends the request itself). Only GETs are prefetched.
 */
export function takePrefetched(request: Request): Promise<Response> | undefined {
  if (request.method !== 'GET' || prefetched.size === 0) return undefined;
  const key = keyOf(request.headers.get('x-kizuna-workspace'), new URL(request.url));
  const entry = prefetched.get(key);
  if (!entry) return undefined;
  if (performance.now() - entry.at >= FRESH_MS) {
    drop(key);
    return undefined;
  }
  prefetched.delete(key);
  return entry.response;
}

/** Moves a prefetched answer from one workspace key to another (or drops it, with `to` undefined). */
function rekey(pathAndQuery: string, from: string | null, to: string | undefined): void {
  const url = new URL(pathAndQuery, location.origin);
  const entry = prefetched.get(keyOf(from, url));
  if (!entry) return;
  if (to === undefined) {
    drop(keyOf(from, url));
    return;
  }
  prefetched.delete(keyOf(from, url));
  prefetched.set(keyOf(to, url), entry);
  setTimeout(() => drop(keyOf(to, url)), FRESH_MS);
}

/**
 * Asks for the session and the opened page's data at once, and starts the shell's and the page's
 * chunks. The data goes out in the workspace remembered on this browser, or with no workspace
 * header when none is: the server then answers for the user's only workspace (and refuses a user
 * of several, whose answers are dropped). When the session answers, the answers are kept for the
 * workspace the session provider will choose, or asked again in it when that is another one.
 * A visitor who is not logged in gets 401s for the data (dropped) and downloads the shell's and
 * the page's chunks (about 100 KB gzipped) while the login page loads.
 */
export function startFirstLoad(
  routes: readonly FirstLoadRoute[],
  loadShell: () => Promise<unknown>,
  where: { pathname: string; search: string },
): void {
  const route = routes.find((r) => r.pathname === where.pathname);
  const requests = route ? route.requests(new URLSearchParams(where.search)) : [];
  const remembered = localStorage.getItem(WORKSPACE_KEY);
  const session = prefetch(SESSION_PATH, null);
  for (const request of requests) prefetch(request, remembered);
  void session
    .then(async (response) => {
      if (response.status !== 200) {
        for (const request of requests) rekey(request, remembered, undefined);
        return;
      }
      // A clone: the session provider reads the body of the answer itself.
      const { workspaces = [] } = (await response.clone().json()) as { workspaces?: SessionWorkspace[] };
      const chosen = chooseWorkspace(workspaces, remembered)?.workspaceId;
      if (chosen === remembered) return;
      const sole = remembered === null && workspaces.length === 1;
      for (const request of requests) {
        rekey(request, remembered, sole ? chosen : undefined);
        if (!sole && chosen) prefetch(request, chosen);
      }
    })
    // Then the page's queries send their own requests: the session provider shows what failed.
    .catch(() => {});
  // Started only: the lazy components import the same chunks and show a failure to load them.
  void loadShell().catch(() => {});
  if (route) void route.load().catch(() => {});
}
