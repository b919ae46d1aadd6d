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

/** An API error answer: the status and the server's message (which names the field at fault). */
export class ApiError extends Error {
  readonly status: number;
  /** The server's stable `error.reason` (e.g. insert_proof_mismatch), when it gives one. */
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.status = status;
    this.reason = reason;
  }
}

/** The data of an openapi-fetch result, or an ApiError. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.data !== undefined && result.response.ok) return result.data;
  const body = (result.error ?? {}) as { error?: { message?: string; reason?: string } };
  throw new ApiError(
    result.response.status,
    body.error?.message ?? `HTTP ${result.response.status}`,
    body.error?.reason,
  );
}
