// The console's one way to the server: the typed client from @kizuna/contracts, with the
// session's CSRF token and the chosen workspace added to every request. A changed route changes
// the contract's types, so the console stops compiling instead of failing its users.
import { createKizunaClient, type KizunaClient } from '@kizuna/contracts';
import { takePrefetched } from '../app/first-load.ts';

interface RequestContext {
  csrfToken?: string;
  workspaceId?: string;
}

const context: RequestContext = {};

/** Set by the session provider when the user logs in, logs out or switches workspace. */
export function setRequestContext(next: RequestContext): void {
  context.csrfToken = next.csrfToken;
  context.workspaceId = next.workspaceId;
}

export const api: KizunaClient = createKizunaClient({
  baseUrl: globalThis.location?.origin ?? '',
  credentials: 'same-origin',
  // On the first load, the session and the opened page's data were asked for before this client
  // loaded (app/first-load.ts): a request already on its way takes that answer.
  fetch: (request) => takePrefetched(request) ?? globalThis.fetch(request),
});

api.use({
  onRequest({ request }) {
    // The session cookie rides along by itself; state changes also need the CSRF token, and
    // a user of several workspaces names the one this screen is about.
    if (context.csrfToken) request.headers.set('x-csrf-token', context.csrfToken);
    if (context.workspaceId) request.headers.set('x-kizuna-workspace', context.workspaceId);
    return request;
  },
});

/** An API error answer, with the server's code and message (which names the field at fault). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  /** The server's stable finer reason (`coupon_tier_restricted`), when it gives one. */
  readonly reason: string | undefined;
  /** Each offending field with its problem (`{ path: 'qr', message: 'expired' }`). */
  readonly problems: readonly { path: string; message: string }[];
  constructor(
    status: number,
    code: string,
    message: string,
    extra: { reason?: string; problems?: { path: string; message: string }[] } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.reason = extra.reason;
    this.problems = extra.problems ?? [];
  }
}

interface ErrorBody {
  error?: {
    code?: string;
    message?: string;
    reason?: string;
    problems?: { path: string; message: string }[];
  };
}

/** The data of an openapi-fetch result, or an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const body = (result.error ?? {}) as ErrorBody;
  throw new ApiError(
    result.response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `HTTP ${result.response.status}`,
    {
      ...(body.error?.reason ? { reason: body.error.reason } : {}),
      ...(Array.isArray(body.error?.problems) ? { problems: body.error.problems } : {}),
    },
  );
}
