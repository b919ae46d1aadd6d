// The plumbing every route module shares: the app's type, what routes are handed, and the route
// options they reuse. Route modules import this file, never http/app.ts, so that the app can
// import the capabilities (and through them the routes) without a loop.
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { Database } from '../db/open-database.ts';
import type { EmailRuntime } from '../email/smtp-settings.ts';
import type { Jobs } from '../jobs/job-types.ts';
import type { ClockControl } from '../jobs/simulated-time.ts';
import type { LineHostAllowance } from '../line/line-hosts.ts';
import type { Clock } from '../shared/clock.ts';
import type { SecretBox } from '../shared/secret-box.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteDeps {
  database: Database;
  secureCookies: boolean;
  publicUrl: string;
  secrets: SecretBox;
  jobs: Jobs | undefined;
  lineHosts: LineHostAllowance;
  /** The SMTP relay email test sends use (config.smtp); absent: not configured. */
  email?: EmailRuntime;
  /** Business time (shared/clock.ts): read it instead of Date.now(). */
  clock: Clock;
  /** Present only with simulated time (KIZUNA_CLOCK=simulated): moves `clock` forward. */
  clockControl: ClockControl | undefined;
}

/** Adds one capability's routes to the app. */
export type RegisterRoutes = (app: App, deps: RouteDeps) => void;

/**
 * The longest path parameter the router matches (find-my-way's default, stated here because it
 * is the bound on every path parameter without a schema); a longer one answers 404.
 */
export const MAX_PATH_PARAM_LENGTH = 100;

/** Route option for batch endpoints, which validate each item themselves (see ingestBatch). */
export const selfValidatedBody = {
  validatorCompiler: () => (value: unknown) => ({ value }),
};
