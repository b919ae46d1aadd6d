import type { FastifyInstance } from 'fastify';
import { chatPage, indexPage } from './chat-page.ts';
import type { FaultOptions } from './faults.ts';
import { applySettings, collectStats, resetState, type SandboxSettings } from './settings.ts';
import type { SandboxState } from './state.ts';
import type { UserInput } from './users.ts';
import { isObject } from './validate.ts';
import { userActions } from './webhook-events.ts';
import type { SendWebhookOptions, WebhookAttempt, WebhookEvent } from './webhooks.ts';

/** A control-API mistake: answered 400 with `{message}` naming the field. */
function badInput(message: string): Error {
  return Object.assign(new Error(message), { statusCode: 400 });
}

function bodyOf(body: unknown): Record<string, unknown> {
  if (body === undefined) return {};
  if (!isObject(body)) throw badInput('body: expected a JSON object');
  return body;
}

/** The webhook attempts as the control API reports them (bodies included, they are small). */
function summarise(attempts: WebhookAttempt[]): Record<string, unknown>[] {
  return attempts.map(({ url, status, ok, error, isRedelivery, eventIds, body }) => ({
    url,
    status,
    ok,
    error,
    isRedelivery,
    eventIds,
    body: JSON.parse(body),
  }));
}

function knownUser(state: SandboxState, userId: string | undefined) {
  const user = state.users.get(userId ?? '');
  if (user === undefined)
    throw Object.assign(new Error(`user ${userId} is not registered`), { statusCode: 404 });
  return user;
}

/**
 * The sandbox's own API under `/sandbox` (no token, no faults, no rate limits): test users,
 * user actions that send webhooks, what each user received, faults and settings, plus the
 * account-link dialog at LINE's path `/dialog/bot/accountLink`.
 */
export function controlRoutes(app: FastifyInstance, state: SandboxState): void {
  app.get('/sandbox', async (_req, reply) => reply.type('text/html; charset=utf-8').send(indexPage(state)));
  app.get('/sandbox/state', async () => collectStats(state));
  app.post('/sandbox/reset', async () => {
    resetState(state);
    return {};
  });
  app.put('/sandbox/config', async (req) => {
    applySettings(state, bodyOf(req.body) as SandboxSettings);
    return {};
  });

  app.put('/sandbox/login', async (req) => {
    const { autoConsentUserId } = bodyOf(req.body);
    if (autoConsentUserId !== null && typeof autoConsentUserId !== 'string')
      throw badInput('autoConsentUserId: expected a user id or null');
    state.login.autoConsentUserId =
      autoConsentUserId === null ? undefined : knownUser(state, autoConsentUserId).userId;
    return { autoConsentUserId: state.login.autoConsentUserId ?? null, channelId: state.login.channelId };
  });
  app.post('/sandbox/login/id-tokens', async (req) => {
    const { userId, nonce, alg } = bodyOf(req.body);
    if (nonce !== undefined && typeof nonce !== 'string') throw badInput('nonce: expected a string');
    if (alg !== undefined && alg !== 'ES256' && alg !== 'HS256')
      throw badInput('alg: expected ES256 or HS256');
    const user = knownUser(state, typeof userId === 'string' ? userId : undefined);
    return {
      idToken: state.login.mintIdToken(user, {
        ...(nonce === undefined ? {} : { nonce }),
        ...(alg === undefined ? {} : { alg }),
      }),
    };
  });

  app.get('/sandbox/users', async () => ({ users: state.users.list() }));
  app.post('/sandbox/users', async (req, reply) => {
    try {
      return reply.code(201).send(state.users.create(bodyOf(req.body) as UserInput));
    } catch (e) {
      throw badInput(e instanceof Error ? e.message : String(e));
    }
  });
  app.get<{ Params: { userId: string } }>('/sandbox/users/:userId', async (req) =>
    knownUser(state, req.params.userId),
  );
  app.get<{ Params: { userId: string } }>('/sandbox/users/:userId/received', async (req) => {
    const userId = req.params.userId;
    const count = state.received.count(userId);
    const messages = state.received.mode === 'full' ? state.received.list(userId) : undefined;
    return { userId, count, messages, undelivered: state.undelivered.count(userId) };
  });
  app.get<{ Params: { userId: string } }>('/sandbox/users/:userId/chat', async (req, reply) => {
    return reply.type('text/html; charset=utf-8').send(chatPage(state, knownUser(state, req.params.userId)));
  });

  type UserParams = { Params: { userId: string } };
  app.post<UserParams>('/sandbox/users/:userId/follow', async (req) =>
    summarise(await userActions.follow(state, req.params.userId)),
  );
  app.post<UserParams>('/sandbox/users/:userId/unfollow', async (req) =>
    summarise(await userActions.unfollow(state, req.params.userId)),
  );
  app.post<UserParams>('/sandbox/users/:userId/messages', async (req, reply) => {
    const b = isObject(req.body) ? req.body : Object.fromEntries(new URLSearchParams(String(req.body ?? '')));
    if (typeof b.text !== 'string' || b.text.length === 0)
      throw badInput('text: expected a non-empty string');
    const attempts = summarise(await userActions.sendText(state, req.params.userId, b.text));
    // The chat page posts a form; send the browser back to the chat.
    if (!isObject(req.body)) return reply.redirect(`/sandbox/users/${req.params.userId}/chat`, 303);
    return attempts;
  });
  app.post<UserParams>('/sandbox/users/:userId/postbacks', async (req) => {
    const b = bodyOf(req.body);
    if (typeof b.data !== 'string') throw badInput('data: expected a string');
    const params = isObject(b.params) ? (b.params as Record<string, string>) : undefined;
    return summarise(await userActions.postback(state, req.params.userId, b.data, params));
  });

  app.get('/sandbox/webhooks', async () => ({ attempts: summarise([...state.webhooks.attempts]) }));
  app.post('/sandbox/webhooks', async (req) => {
    const b = bodyOf(req.body);
    if (!Array.isArray(b.events)) throw badInput('events: expected an array of webhook events');
    const options = (isObject(b.options) ? b.options : {}) as SendWebhookOptions;
    return summarise(await state.webhooks.send(state.botUserId, b.events as WebhookEvent[], options));
  });
  app.post('/sandbox/webhooks/redeliver', async (req) => {
    const b = bodyOf(req.body);
    if (!Array.isArray(b.webhookEventIds)) throw badInput('webhookEventIds: expected an array of ids');
    try {
      return summarise(await state.webhooks.redeliver(state.botUserId, b.webhookEventIds.map(String)));
    } catch (e) {
      throw badInput(e instanceof Error ? e.message : String(e));
    }
  });

  app.get('/sandbox/faults', async () => ({ ...state.faults.get(), counts: state.faults.counts }));
  app.put('/sandbox/faults', async (req) => {
    try {
      state.faults.set(bodyOf(req.body) as FaultOptions);
    } catch (e) {
      throw badInput(e instanceof Error ? e.message : String(e));
    }
    return state.faults.get();
  });
  app.delete('/sandbox/faults', async () => {
    state.faults.reset();
    return {};
  });
  app.post('/sandbox/faults/burst', async (req) => {
    const { count, path } = bodyOf(req.body);
    if (!Number.isInteger(count) || (count as number) < 1)
      throw badInput('count: expected a positive integer');
    if (path !== undefined && (typeof path !== 'string' || !path.startsWith('/')))
      throw badInput('path: expected a path starting with /');
    state.faults.burst(count as number, path as string | undefined);
    return {};
  });

  app.get<{ Querystring: { linkToken?: string; nonce?: string } }>(
    '/dialog/bot/accountLink',
    async (req, reply) => {
      const { linkToken = '', nonce = '' } = req.query;
      const sent = userActions.completeAccountLink(state, linkToken, nonce);
      const ok = sent !== undefined && (await sent).every((a) => a.ok);
      const text =
        sent === undefined
          ? 'This link has expired or was already used.'
          : ok
            ? 'Your accounts are linked.'
            : 'Linked, but the webhook was not accepted.';
      return reply
        .code(sent === undefined ? 400 : 200)
        .type('text/html; charset=utf-8')
        .send(`<!doctype html><meta charset="utf-8"><title>Account link</title><p>${text}</p>`);
    },
  );
}
