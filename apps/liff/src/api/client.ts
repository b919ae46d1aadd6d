// The LIFF app's one way to the server: the typed client from @kizuna/contracts with the member
// session's bearer token. A changed route changes the contract's types, so the app stops
// compiling instead of failing members.
import { createKizunaClient, type KizunaClient } from '@kizuna/contracts';

let bearer: string | undefined;

/** Set once the member session is open (sign-in/liff-sign-in.ts). */
export function setMemberToken(token: string): void {
  bearer = token;
}

export const api: KizunaClient = createKizunaClient({ baseUrl: globalThis.location?.origin ?? '' });

api.use({
  onRequest({ request }) {
    if (bearer) request.headers.set('authorization', `Bearer ${bearer}`);
    return request;
  },
});

/** One problem the server named: `answers.age_band`, `memberNo`. */
export interface ApiProblem {
  path: string;
  message: string;
}

/**
 * An API error answer: the status, the server's message (which names the field at fault), its
 * stable `reason` (`link_not_matched`) and the problems by field, for screens that act on them.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly problems: ApiProblem[];
  constructor(status: number, message: string, reason?: string, problems: ApiProblem[] = []) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.problems = problems;
  }
}

/** The data of an openapi-fetch result, or an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const body = (result.error ?? {}) as {
    error?: { message?: string; reason?: string; problems?: ApiProblem[] };
  };
  throw new ApiError(
    result.response.status,
    body.error?.message ?? `HTTP ${result.response.status}`,
    body.error?.reason,
    body.error?.problems ?? [],
  );
}
