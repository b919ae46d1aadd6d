import type { ApiRoute } from './http.ts';
import { LineApiError } from './line-error.ts';
import { narrowcastMessage, narrowcastProgress } from './narrowcast.ts';
import type { SendVia } from './received.ts';
import {
  broadcastMessage,
  multicastMessage,
  pushMessage,
  replyMessage,
  type SendContext,
  validateMessageRequest,
} from './send-messages.ts';
import type { SandboxState } from './state.ts';

const ctx = (r: { requestId: string; retryKey: string | null }): SendContext => ({
  requestId: r.requestId,
  retryKey: r.retryKey,
});
const DELIVERY_TYPES: readonly SendVia[] = ['reply', 'push', 'multicast', 'broadcast', 'narrowcast'];

/** Sending, validation, narrowcast progress, quota and delivery statistics. */
export function messageRoutes(state: SandboxState): ApiRoute[] {
  return [
    { method: 'POST', url: '/v2/bot/message/reply', handle: (r) => replyMessage(state, r.body, ctx(r)) },
    {
      method: 'POST',
      url: '/v2/bot/message/push',
      retryKey: true,
      handle: (r) => pushMessage(state, r.body, ctx(r)),
    },
    {
      method: 'POST',
      url: '/v2/bot/message/multicast',
      group: 'multicast',
      retryKey: true,
      handle: (r) => multicastMessage(state, r.body, ctx(r)),
    },
    {
      method: 'POST',
      url: '/v2/bot/message/narrowcast',
      group: 'narrowcast',
      retryKey: true,
      status: 202,
      handle: (r) => narrowcastMessage(state, r.body, ctx(r)),
    },
    {
      method: 'POST',
      url: '/v2/bot/message/broadcast',
      group: 'broadcast',
      retryKey: true,
      handle: (r) => broadcastMessage(state, r.body, ctx(r)),
    },
    ...['reply', 'push', 'multicast', 'narrowcast', 'broadcast'].map(
      (type): ApiRoute => ({
        method: 'POST',
        url: `/v2/bot/message/validate/${type}`,
        handle: (r) => validateMessageRequest(r.body),
      }),
    ),
    {
      method: 'GET',
      url: '/v2/bot/message/progress/narrowcast',
      handle: (r) => narrowcastProgress(state, r.query.requestId),
    },
    { method: 'GET', url: '/v2/bot/message/quota', handle: () => state.quota.quotaBody() },
    {
      method: 'GET',
      url: '/v2/bot/message/quota/consumption',
      handle: () => ({ totalUsage: state.quota.totalUsage() }),
    },
    {
      method: 'GET',
      url: '/v2/bot/message/delivery/:type',
      handle: (r) => {
        const type = DELIVERY_TYPES.find((t) => t === r.params.type);
        const date = r.query.date ?? '';
        if (type === undefined) throw new LineApiError('not-found', 'Not found');
        if (!/^\d{8}$/.test(date))
          throw new LineApiError('bad-request', "The value for the 'date' parameter is invalid");
        return { status: 'ready', success: state.quota.delivered(type, date) };
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/message/aggregation/info',
      handle: () => ({ numOfCustomAggregationUnits: state.quota.units().length }),
    },
    {
      method: 'GET',
      url: '/v2/bot/message/aggregation/list',
      handle: () => ({ customAggregationUnits: state.quota.units() }),
    },
  ];
}
