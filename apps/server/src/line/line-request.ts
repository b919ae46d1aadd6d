import { HTTPFetchError, type messagingApi } from '@line/bot-sdk';
import type { PlannedRequest } from '../messaging/channel-adapter.ts';
import type { RequestOutcome } from '../messaging/decisions.ts';
import { lineFault, lineReason, QUOTA_MESSAGE } from './line-errors.ts';
import { type Pacer, sleep } from './pacer.ts';

/** LINE's two message requests: multicast (shared content, up to 500 users) and push (one user). */
export type LineRequestKind = 'multicast' | 'push';

const ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

/** What one call to LINE came to, after the retries {@link callLine} makes. */
export type CallOutcome<T> =
  | { kind: 'ok'; value: T; attempts: number }
  /** 409: LINE accepted this retry key before (only calls that carry one). */
  | { kind: 'conflict'; acceptedRequestId: string | null; attempts: number }
  | { kind: 'failed'; error: string; attempts: number }
  | { kind: 'quota'; attempts: number }
  | { kind: 'retry_later'; error: string; attempts: number };

/**
 * Makes one call to LINE within the endpoint's pacer, retrying what may be retried: 5xx,
 * timeouts and dropped connections (with a growing pause, up to 8 attempts; a call with a retry
 * key must resend the same key), and a rate-limit 429, which holds the pacer for every caller
 * and does not use up an attempt (up to a bound). The monthly-quota 429 comes back as `quota`,
 * a 409 as `conflict`, any other 4xx as `failed` with LINE's reason; nothing else is retried.
 */
export async function callLine<T>(pacer: Pacer, call: () => Promise<T>): Promise<CallOutcome<T>> {
  let lastError = '';
  let rateLimited = 0;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await pacer.take();
    try {
      const value = await withTimeout(call(), TIMEOUT_MS);
      pacer.settle();
      return { kind: 'ok', value, attempts: attempt };
    } catch (error) {
      if (!(error instanceof HTTPFetchError)) {
        lastError = error instanceof Error ? error.message : String(error); // timeout or connection
      } else if (error.status === 409) {
        return {
          kind: 'conflict',
          acceptedRequestId: error.headers.get('x-line-accepted-request-id'),
          attempts: attempt,
        };
      } else if (error.status === 429) {
        if (QUOTA_MESSAGE.test(lineFault(error).message)) return { kind: 'quota', attempts: attempt };
        pacer.backOff();
        lastError = lineReason(error);
        // A rate-limit 429 was not accepted: it does not use up retries (up to a bound).
        if (++rateLimited < 100) attempt--;
        continue;
      } else if (error.status >= 500) {
        lastError = lineReason(error);
      } else {
        return { kind: 'failed', error: lineReason(error), attempts: attempt };
      }
      await sleep(Math.min(2000, 50 * 2 ** attempt));
    }
  }
  return { kind: 'retry_later', error: lastError, attempts: ATTEMPTS };
}

/**
 * Sends one planned request with its retry key as X-Line-Retry-Key (through {@link callLine}). A
 * 409 means LINE accepted the key before (a retry of a request that took effect), so it counts
 * as accepted.
 */
export async function sendPlannedRequest(
  client: messagingApi.MessagingApiClient,
  pacer: Pacer,
  request: PlannedRequest<LineRequestKind>,
  aggregationUnit: string | null,
): Promise<RequestOutcome> {
  const units = aggregationUnit ? { customAggregationUnits: [aggregationUnit] } : {};
  const outcome = await callLine(pacer, () =>
    request.kind === 'multicast'
      ? client.multicastWithHttpInfo(
          { to: request.recipients, messages: request.messages as messagingApi.Message[], ...units },
          request.retryKey,
        )
      : client.pushMessageWithHttpInfo(
          { to: request.recipients[0]!, messages: request.messages as messagingApi.Message[], ...units },
          request.retryKey,
        ),
  );
  switch (outcome.kind) {
    case 'ok':
      return {
        kind: 'accepted',
        providerRequestId: outcome.value.httpResponse.headers.get('x-line-request-id'),
        attempts: outcome.attempts,
      };
    case 'conflict':
      return { kind: 'accepted', providerRequestId: outcome.acceptedRequestId, attempts: outcome.attempts };
    default:
      return outcome;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from LINE within ${ms} ms`)), ms);
  });
  // A request abandoned here may still reach LINE; its retry carries the same key, so LINE keeps one.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
