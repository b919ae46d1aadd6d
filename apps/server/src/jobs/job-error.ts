// What is kept of a job's error: in the log line that reports the failure and in the failed job's
// row (pg-boss's `output`). Only the name, code, message and stack: a database error also carries
// the row that broke a constraint (`detail`: "Key (workspace_id, value)=(…, hanako@example.jp)
// already exists"), the statement and, from PGlite, its parameters (`query`, `params`), which
// would put customers' personal data into logs and job tables. The message is masked as the log's
// error serializer masks it (quoted inputs, email-shaped words), and the stack keeps only its frames.
import { scrubMessage, scrubStack } from '../shared/log-serializers.ts';

/** The parts of an error that are safe to log and to store. */
export interface JobErrorSummary {
  name: string;
  /** A SQLSTATE (`23505`) or a domain error code (`not_found`), when the error has one. */
  code?: string;
  message: string;
  stack?: string;
}

export function summarizeJobError(error: unknown): JobErrorSummary {
  // pg-boss reports its own errors as plain copies of the Error ({ ...error, message, stack }).
  if (typeof error !== 'object' || error === null || typeof (error as Error).message !== 'string')
    return { name: 'Error', message: scrubMessage(String(error)) };
  const { name, code, message, stack } = error as {
    name?: unknown;
    code?: unknown;
    message: string;
    stack?: unknown;
  };
  const safeName = typeof name === 'string' ? name : 'Error';
  const safeMessage = scrubMessage(message);
  const safeStack = typeof stack === 'string' ? scrubStack(stack, `${safeName}: ${safeMessage}`) : undefined;
  return {
    name: safeName,
    ...(typeof code === 'string' ? { code } : {}),
    message: safeMessage,
    ...(safeStack ? { stack: safeStack } : {}),
  };
}
