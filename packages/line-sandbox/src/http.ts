import type { IncomingHttpHeaders } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { checkAccessToken } from './auth.ts';
import { LineApiError, lineErrorStatus, NOT_FOUND_MESSAGE, RATE_LIMIT_MESSAGE } from './line-error.ts';
import type { RateLimitGroup } from './rate-limit.ts';
import { isValidRetryKey } from './retry-keys.ts';
import type { SandboxState } from './state.ts';

/** What a Messaging API handler sees. */
export interface ApiRequest {
  body: unknown;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  headers: IncomingHttpHeaders;
  requestId: string;
  retryKey: string | null;
}

/** A binary answer (rich-menu image download). */
export class BinaryBody {
  readonly contentType: string;
  readonly data: Buffer;
  constructor(contentType: string, data: Buffer) {
    this.contentType = contentType;
    this.data = data;
  }
}

/** One Messaging API endpoint. Handlers are thin: parse, call one domain function, return its body. */
export interface ApiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  url: string;
  /** Success status; 200 unless LINE answers 202. */
  status?: number;
  /** Rate-limit group; `default` (2,000/s) unless given. */
  group?: RateLimitGroup;
  /** Whether the endpoint accepts `X-Line-Retry-Key` (push, multicast, narrowcast, broadcast). */
  retryKey?: boolean;
  /** Whether a channel access token is needed (false for token verification). Default true. */
  auth?: boolean;
  handle(request: ApiRequest): unknown;
}

declare module 'fastify' {
  interface FastifyRequest {
    lineRequestId: string;
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function parseRetryKey(headers: IncomingHttpHeaders, allowed: boolean): string | null {
  const value = headers['x-line-retry-key'];
  if (value === undefined) return null;
  if (!allowed) throw new LineApiError('bad-request', 'X-Line-Retry-Key is not supported by this endpoint');
  if (typeof value !== 'string' || !isValidRetryKey(value)) {
    throw new LineApiError('bad-request', "The value for the 'X-Line-Retry-Key' header is invalid");
  }
  return value;
}

/** Destroys the socket without answering, as a dropped connection looks to the client. */
function drop(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

function internalError(state: SandboxState): LineApiError {
  const err = new LineApiError('internal', 'An error occurred in the internal server');
  return Object.assign(err, { injectedStatus: state.faults.errorStatus });
}

/**
 * Registers an endpoint behind LINE's request pipeline: auth → fault decision and latency →
 * rate limit → retry-key header → handler → after-effect fault → answer. Faults that strike
 * "after" let the handler take effect first (messages recorded, retry key accepted), which is the
 * case retry keys exist for.
 */
export function registerApi(app: FastifyInstance, state: SandboxState, route: ApiRoute): void {
  const key = `${route.method} ${route.url}`;
  app.route({
    method: route.method,
    url: route.url,
    handler: async (request, reply) => {
      state.requestCounts.set(key, (state.requestCounts.get(key) ?? 0) + 1);
      if (route.auth !== false) checkAccessToken(request.headers.authorization, state.requiredTokens);
      const fault = state.faults.decide(request.url);
      if (fault.latencyMs > 0) await sleep(fault.latencyMs);
      if (fault.kind === 'drop-before') return drop(request, reply);
      if (fault.kind === 'error-before') throw internalError(state);
      if (fault.kind === 'rate-limit') throw new LineApiError('rate-limited', RATE_LIMIT_MESSAGE);
      state.rateLimiter.take(key, route.group ?? 'default');
      const retryKey = parseRetryKey(request.headers, route.retryKey === true);
      const body = await route.handle({
        body: request.body,
        params: request.params as Record<string, string>,
        query: request.query as Record<string, string | undefined>,
        headers: request.headers,
        requestId: request.lineRequestId,
        retryKey,
      });
      if (fault.kind === 'drop-after') return drop(request, reply);
      if (fault.kind === 'error-after') throw internalError(state);
      reply.code(route.status ?? 200);
      if (body instanceof BinaryBody) return reply.type(body.contentType).send(body.data);
      return reply.type('application/json').send(JSON.stringify(body ?? {}));
    },
  });
}

function parseJson(
  _req: FastifyRequest,
  text: string,
  done: (err: Error | null, body?: unknown) => void,
): void {
  if (text.length === 0) {
    done(null, undefined);
    return;
  }
  try {
    done(null, JSON.parse(text));
  } catch {
    done(new LineApiError('bad-request', 'The request body could not be parsed as JSON'));
  }
}

/** A Fastify instance with LINE's body parsing, request ids, error bodies and 404s. */
export function createHttpServer(state: SandboxState): FastifyInstance {
  const app = Fastify({ bodyLimit: state.config.bodyLimit, forceCloseConnections: true, logger: false });
  app.decorateRequest('lineRequestId', '');
  app.addHook('onRequest', async (request, reply) => {
    request.lineRequestId = state.newRequestId();
    reply.header('x-line-request-id', request.lineRequestId);
  });
  if (state.config.logRequests) {
    app.addHook('onResponse', async (request, reply) => {
      console.error(`${request.method} ${request.url} ${reply.statusCode} ${reply.elapsedTime.toFixed(1)}ms`);
    });
  }
  app.removeAllContentTypeParsers();
  // The SDK posts `Content-Type: application/json` with no body for calls like set-default-rich-menu.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parseJson);
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, text, done) => {
    done(null, Object.fromEntries(new URLSearchParams(text as string)));
  });
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, data, done) => done(null, data));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof LineApiError) {
      const status =
        (error as LineApiError & { injectedStatus?: number }).injectedStatus ?? lineErrorStatus(error.code);
      return reply.code(status).headers(error.headers).send(error.body());
    }
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 413) return reply.code(413).send({ message: 'Request Entity Too Large' });
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({ message: (error as Error).message });
    console.error(`line-sandbox: ${request.method} ${request.url} failed`, error);
    return reply.code(500).send({ message: 'An error occurred in the internal server' });
  });
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ message: NOT_FOUND_MESSAGE }));
  return app;
}
