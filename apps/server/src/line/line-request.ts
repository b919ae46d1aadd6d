import { HTTPFetchError, type messagingApi } from '@line/bot-sdk';
import { type Pacer, sleep } from './pacer.ts';

/** One request of a send, as persisted (with its retry key) before it is first sent. */
export interface PlannedRequest {
  seqFrom: number;
  kind: 'multicast' | 'push';
  retryKey: string;
  recipients: string[];
  messages: unknown[];
  aggregationUnit: string | null;
}

export type RequestOutcome =
  | { kind: 'accepted'; lineRequestId: string | null; attempts: number }
  | { kind: 'failed'; error: string; attempts: number }
  | { kind: 'quota'; attempts: number }
  | { kind: 'retry_later'; error: string; attempts: number };

const QUOTA_MESSAGE = /monthly limit/i;
const ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

function lineReason(error: HTTPFetchError): string {
  try {
    const body = JSON.parse(error.body) as {
      message?: string;
      details?: { property?: string; message?: string }[];
    };
    const details = (body.details ?? []).map((d) => `${d.property ?? ''}: ${d.message ?? ''}`).join('; ');
    return `${error.status} ${body.message ?? ''}${details ? ` (${details})` : ''}`;
  } catch {
    return `${error.status} ${error.body.slice(0, 300)}`;
  }
}

/**
 * Sends one planned request with its retry key. 5xx, timeouts and dropped connections are retried
 * with the same key; a 409 means LINE accepted the key before (a retry of a request that took
 * effect), so it counts as accepted; a rate-limit 429 holds the endpoint's pacer and tries again;
 * the monthly-quota 429 is returned as `quota`; any other 4xx fails with LINE's reason.
 */
export async function sendPlannedRequest(
  client: messagingApi.MessagingApiClient,
  pacer: Pacer,
  request: PlannedRequest,
): Promise<RequestOutcome> {
  const units = request.aggregationUnit ? { customAggregationUnits: [request.aggregationUnit] } : {};
  let lastError = '';
  let rateLimited = 0;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    await pacer.take();
    try {
      const call =
        request.kind === 'multicast'
          ? client.multicastWithHttpInfo(
              { to: request.recipients, messages: request.messages as messagingApi.Message[], ...units },
              request.retryKey,
            )
          : client.pushMessageWithHttpInfo(
              { to: request.recipients[0]!, messages: request.messages as messagingApi.Message[], ...units },
              request.retryKey,
            );
      const response = await withTimeout(call, TIMEOUT_MS);
      pacer.settle();
      return {
        kind: 'accepted',
        lineRequestId: response.httpResponse.headers.get('x-line-request-id'),
        attempts: attempt,
      };
    } catch (error) {
      if (!(error instanceof HTTPFetchError)) {
        lastError = error instanceof Error ? error.message : String(error); // timeout or connection
      } else if (error.status === 409) {
        return {
          kind: 'accepted',
          lineRequestId: error.headers.get('x-line-accepted-request-id'),
          attempts: attempt,
        };
      } else if (error.status === 429) {
        if (QUOTA_MESSAGE.test(error.body)) return { kind: 'quota', attempts: attempt };
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from LINE within ${ms} ms`)), ms);
  });
  // A request abandoned here may still reach LINE; its retry carries the same key, so LINE keeps one.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
