import type { FastifyError, FastifyInstance } from 'fastify';
import { DomainError, type DomainErrorCode } from '../shared/domain-error.ts';
import { toProblems } from '../shared/validate.ts';

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
    case 'conflict':
      return 409;
    case 'too_large':
      return 413;
    case 'rate_limited':
      return 429;
    default:
      return assertUnreachable(code);
  }
}

/** Error body: `{ error: { code, message, problems: [{ path, message }] } }`. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setSchemaErrorFormatter((errors, dataVar) => {
    const problems = toProblems(
      dataVar === 'body' ? '' : dataVar,
      errors as Parameters<typeof toProblems>[1],
    );
    const error = new DomainError(
      'invalid',
      problems.map((p) => `${p.path}: ${p.message}`).join('; '),
      problems,
    );
    return error;
  });
  app.setErrorHandler((error: FastifyError | DomainError, request, reply) => {
    if (error instanceof DomainError) {
      if (error.retryAfterSeconds !== undefined)
        reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
      return reply
        .status(statusOf(error.code))
        .send({ error: { code: error.code, message: error.message, problems: error.problems } });
    }
    const status = (error as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = status === 413 ? 'too_large' : status === 404 ? 'not_found' : 'invalid';
      return reply.status(status).send({ error: { code, message: error.message, problems: [] } });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.status(500).send({
      error: {
        code: 'internal',
        message: 'Internal error; see the server log for the request id',
        problems: [],
      },
    });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({
      error: { code: 'not_found', message: `${request.method} ${request.url} not found`, problems: [] },
    }),
  );
}
