import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError, type DomainErrorCode, type FieldProblem } from '../shared/domain-error.ts';
import { toProblems } from '../shared/validate.ts';
import { installRouteIndex } from './route-index.ts';
import { pathOf, type SecurityHeaders } from './security-headers.ts';

function assertUnreachable(code: never): never {
  throw new Error(`unmapped domain error code: ${String(code)}`);
}

/** The one place domain outcomes become HTTP statuses. */
export function statusOf(code: DomainErrorCode): number {
  switch (code) {
    case 'invalid':
      return 400;
    case 'unauthenticated':
      return 401;
    case 'forbidden':
      return 403;
    case 'not_found':
      return 404;
    case 'method_not_allowed':
      return 405;
    case 'conflict':
      return 409;
    case 'too_large':
      return 413;
    case 'unsupported_media_type':
      return 415;
    case 'rate_limited':
      return 429;
    case 'upstream_unavailable':
      return 502;
    default:
      return assertUnreachable(code);
  }
}

const CODE_OF_STATUS: Record<number, DomainErrorCode> = {
  401: 'unauthenticated',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * Fastify's own 4xx errors (a body that is not JSON, too large, of an unsupported type) in the
 * shape of every other error. Their messages describe the request, never its contents.
 */
function fromFrameworkError(error: FastifyError, status: number): DomainError {
  const code = CODE_OF_STATUS[status] ?? 'invalid';
  const problems: FieldProblem[] =
    status === 415
      ? [{ path: 'content-type', message: 'must be application/json' }]
      : error.code?.startsWith('FST_ERR_CTP_')
        ? [{ path: '(body)', message: error.message }]
        : [];
  return new DomainError(code, error.message, problems);
}

function send(reply: FastifyReply, error: DomainError): FastifyReply {
  if (error.retryAfterSeconds !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return reply.status(statusOf(error.code)).send({
    error: {
      code: error.code,
      ...(error.reason ? { reason: error.reason } : {}),
      message: error.message,
      problems: error.problems,
    },
  });
}

/**
 * Error body, for domain outcomes and framework errors alike:
 * `{ error: { code, reason?, message, problems: [{ path, message }] } }`. Install it before the routes:
 * it indexes them to tell a wrong method (405) from an unknown path (404).
 */
export function installErrorHandler(app: FastifyInstance): void {
  const routes = installRouteIndex(app);
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const problems = toProblems(
      dataVar === 'body' ? '' : dataVar,
      errors as Parameters<typeof toProblems>[1],
    );
    return new DomainError('invalid', problems.map((p) => `${p.path}: ${p.message}`).join('; '), problems);
  });
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      // The caller learns only that the other service failed; the log keeps its reason.
      if (error.code === 'upstream_unavailable')
        request.log.warn({ upstream: error.cause }, 'a call to another service failed');
      return send(reply, error);
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) return send(reply, fromFrameworkError(error, status));
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({
      error: {
        code: 'internal',
        message: 'Internal error; see the server log for the request id',
        problems: [],
      },
    });
  });
  app.setNotFoundHandler((request, reply) => {
    const path = pathOf(request);
    const allowed = routes.methodsFor(path);
    if (allowed.length) {
      reply.header('allow', allowed.join(', '));
      return send(
        reply,
        new DomainError(
          'method_not_allowed',
          `${request.method} is not allowed here; use ${allowed.join(', ')}`,
        ),
      );
    }
    return send(reply, new DomainError('not_found', `${request.method} ${path} not found`));
  });
}

/**
 * Fastify's `frameworkErrors` option: errors met before routing (a malformed URL) in the same
 * shape, with the same headers (hooks do not run for them).
 */
export function frameworkErrorHandler(
  headers: SecurityHeaders,
): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    reply.headers(headers(pathOf(request), false));
    void send(reply, fromFrameworkError(error, error.statusCode ?? 400));
  };
}
