import { isAcceptedToken } from './auth.ts';
import type { ApiRoute } from './http.ts';
import { LineApiError, NOT_FOUND_MESSAGE } from './line-error.ts';
import { verifyLoginAccessToken } from './login-routes.ts';
import type { SandboxState } from './state.ts';
import { profileBody, USER_ID_PATTERN } from './users.ts';
import { isObject } from './validate.ts';

const TOKEN_LIFETIME_S = 30 * 24 * 60 * 60 - 1;

function verifyToken(state: SandboxState, token: unknown): Record<string, unknown> {
  const login = typeof token === 'string' ? verifyLoginAccessToken(state, token) : undefined;
  if (login !== undefined) return login;
  if (typeof token !== 'string' || !isAcceptedToken(token, state.requiredTokens)) {
    throw new LineApiError('bad-request', 'invalid access token', {
      replacementBody: { error: 'invalid_request', error_description: 'The access token expired' },
    });
  }
  return {
    scope: 'profile chat_message.write',
    client_id: state.config.channelId,
    expires_in: TOKEN_LIFETIME_S,
  };
}

/** Profile, bot info, followers, token verification, account-link tokens, webhook endpoint, audiences. */
export function channelRoutes(state: SandboxState): ApiRoute[] {
  return [
    {
      method: 'GET',
      url: '/v2/bot/profile/:userId',
      handle: (r) => {
        const user = state.users.get(r.params.userId ?? '');
        // LINE cannot give the profile of a user who is not a friend (never followed, or blocked).
        if (user === undefined || !user.friend) throw new LineApiError('not-found', NOT_FOUND_MESSAGE);
        return profileBody(user);
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/info',
      handle: () => ({
        userId: state.botUserId,
        basicId: '@sandbox',
        displayName: 'Kizuna LINE sandbox',
        chatMode: 'bot',
        markAsReadMode: 'auto',
      }),
    },
    {
      method: 'GET',
      url: '/v2/bot/followers/ids',
      handle: (r) => {
        const limit = Math.min(1000, Number(r.query.limit ?? 300) || 300);
        const start = Number(r.query.start ?? 0) || 0;
        const friends = state.users.friends();
        const page = friends.slice(start, start + limit).map((u) => u.userId);
        return start + limit < friends.length
          ? { userIds: page, next: String(start + limit) }
          : { userIds: page };
      },
    },
    {
      method: 'POST',
      url: '/v2/oauth/verify',
      auth: false,
      handle: (r) => verifyToken(state, isObject(r.body) ? r.body.access_token : undefined),
    },
    {
      method: 'GET',
      url: '/oauth2/v2.1/verify',
      auth: false,
      handle: (r) => verifyToken(state, r.query.access_token),
    },
    {
      method: 'POST',
      url: '/v2/bot/user/:userId/linkToken',
      handle: (r) => {
        const userId = r.params.userId ?? '';
        const user = state.users.get(userId);
        if (!USER_ID_PATTERN.test(userId) || user === undefined || !user.friend) {
          throw new LineApiError('bad-request', 'The user is not a friend of this account');
        }
        return { linkToken: state.linkTokens.issue(userId) };
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/channel/webhook/endpoint',
      group: 'webhookEndpoint',
      handle: () => ({ endpoint: state.webhooks.url ?? '', active: state.webhooks.url !== undefined }),
    },
    {
      method: 'PUT',
      url: '/v2/bot/channel/webhook/endpoint',
      group: 'webhookEndpoint',
      handle: (r) => {
        const endpoint = isObject(r.body) ? r.body.endpoint : undefined;
        if (typeof endpoint !== 'string' || !/^https?:\/\//.test(endpoint) || endpoint.length > 500) {
          throw new LineApiError('bad-request', 'The request body has 1 error(s)', {
            details: [{ message: 'must be an HTTP(S) URL of at most 500 characters', property: 'endpoint' }],
          });
        }
        state.webhooks.url = endpoint;
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/channel/webhook/test',
      group: 'webhookTest',
      handle: async (r) => {
        const endpoint =
          isObject(r.body) && typeof r.body.endpoint === 'string' ? r.body.endpoint : state.webhooks.url;
        if (endpoint === undefined) throw new LineApiError('bad-request', 'No webhook endpoint is set');
        const [attempt] = await state.webhooks.send(state.botUserId, [], { url: endpoint });
        return {
          success: attempt?.ok ?? false,
          timestamp: new Date(attempt?.at ?? state.config.clock()).toISOString(),
          statusCode: attempt?.status ?? 0,
          reason: attempt?.ok ? 'OK' : (attempt?.error ?? 'unclassified'),
          detail: attempt?.status === null ? 'no response' : String(attempt?.status),
        };
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/audienceGroup/upload',
      group: 'audience',
      status: 202,
      handle: (r) => state.audiences.create(r.body),
    },
    {
      method: 'PUT',
      url: '/v2/bot/audienceGroup/upload',
      group: 'audience',
      status: 202,
      handle: (r) => state.audiences.add(r.body),
    },
    {
      method: 'GET',
      url: '/v2/bot/audienceGroup/:id',
      group: 'audience',
      handle: (r) => state.audiences.describe(Number(r.params.id)),
    },
    {
      method: 'DELETE',
      url: '/v2/bot/audienceGroup/:id',
      group: 'audience',
      status: 202,
      handle: (r) => state.audiences.delete(Number(r.params.id)),
    },
    {
      method: 'GET',
      url: '/v2/bot/audienceGroup/list',
      group: 'audience',
      handle: (r) => {
        const size = Math.min(40, Number(r.query.size ?? 20) || 20);
        const page = Math.max(1, Number(r.query.page ?? 1) || 1);
        const all = state.audiences.list();
        const groups = all
          .slice((page - 1) * size, page * size)
          .map((a) => state.audiences.describe(a.audienceGroupId).audienceGroup);
        return {
          audienceGroups: groups,
          hasNextPage: page * size < all.length,
          totalCount: all.length,
          readWriteAudienceGroupTotalCount: all.length,
          page,
          size,
        };
      },
    },
  ];
}
