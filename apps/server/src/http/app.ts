import { randomBytes, randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { CAPABILITIES } from '../capabilities/index.ts';
import type { Database } from '../db/open-database.ts';
import type { EmailRuntime } from '../email/smtp-settings.ts';
import type { Jobs } from '../jobs/job-types.ts';
import type { ClockControl } from '../jobs/simulated-time.ts';
import { LINE_HOSTS_ONLY, type LineHostAllowance } from '../line/line-hosts.ts';
import { type Clock, systemClock } from '../shared/clock.ts';
import { createSecretBox, type SecretBox } from '../shared/secret-box.ts';
import { installAuth } from './auth.ts';
import { frameworkErrorHandler, installErrorHandler } from './error-handler.ts';
import { installInputHygiene } from './input-hygiene.ts';
import { type App, MAX_PATH_PARAM_LENGTH, type RouteDeps } from './route-deps.ts';
import { installSecurityHeaders, securityHeaders } from './security-headers.ts';

// The entry points and tests take these from here, with buildApp.
export { type App, MAX_PATH_PARAM_LENGTH, type RouteDeps, selfValidatedBody } from './route-deps.ts';

export interface AppOptions {
  database: Database;
  logger?: FastifyBaseLogger | false;
  /** Cookies get the Secure flag when Kizuna is served over https. */
  secureCookies?: boolean;
  /** Where users reach Kizuna (for URLs shown to copy, such as the LINE webhook URL). */
  publicUrl?: string;
  /** Encrypts secrets at rest. */
  secrets?: SecretBox;
  /** The job queue, for routes that hand work to the worker. */
  jobs?: Jobs;
  /** Fastify's trustProxy: which proxies may name the client address (see Config.trustProxy). */
  trustProxy?: boolean | number | string[];
  /** Hosts besides LINE's that LINE channels may be pointed at (config.lineHosts); default none. */
  lineHosts?: LineHostAllowance;
  /** The SMTP relay email test sends use (config.smtp); absent: not configured. */
  email?: EmailRuntime;
  /** Business time; default the wall clock. */
  clock?: Clock;
  /** Simulated time's control (KIZUNA_CLOCK=simulated): adds GET/POST /v1/dev/clock. */
  clockControl?: ClockControl;
}

const DOCS_PREFIX = '/docs';

/** Builds the HTTP API. Route schemas are also the OpenAPI document served at /docs. */
export async function buildApp(options: AppOptions): Promise<App> {
  const headers = securityHeaders({ https: options.secureCookies ?? false, docsPrefix: DOCS_PREFIX });
  const app = Fastify({
    ...(options.logger ? { loggerInstance: options.logger } : { logger: false }),
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
    },
    requestIdHeader: false,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors: frameworkErrorHandler(headers),
    // A hop count trusts that many proxies nearest to Kizuna (what Fastify does with a number,
    // which its types do not accept).
    trustProxy:
      typeof options.trustProxy === 'number'
        ? (
            (hops) => (_address: string, hop: number) =>
              hop < hops
          )(options.trustProxy)
        : (options.trustProxy ?? false),
    bodyLimit: 10 * 1024 * 1024,
    ajv: {
      // allowUnionTypes: free-form JSON (shared/bounded-json.ts) lists every JSON type in one schema.
      customOptions: {
        removeAdditional: false,
        allErrors: true,
        coerceTypes: 'array',
        useDefaults: true,
        allowUnionTypes: true,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  await app.register(cookie);
  // Hooks and handlers first: they reach only the plugins and routes registered after them.
  installSecurityHeaders(app, headers);
  installErrorHandler(app);
  installAuth(app, options.database.db);
  installInputHygiene(app);
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Kizuna API',
        version: '0.1.0',
        description:
          'Kizuna (絆) ingest and CRM API. Authenticate with an API key: `Authorization: Bearer kz_…`. ' +
          'Batch endpoints take up to 1,000 items; a bad item rejects the batch unless `?partial=true`.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'http', scheme: 'bearer' },
          // LIFF member routes: the token from POST /v1/liff/session (liff/member-auth.ts).
          memberSession: { type: 'http', scheme: 'bearer', bearerFormat: 'kzm_…' },
        },
      },
      security: [{ apiKey: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PREFIX });
  const deps: RouteDeps = {
    database: options.database,
    secureCookies: options.secureCookies ?? false,
    publicUrl: options.publicUrl ?? 'http://localhost:3000',
    // Without a configured key (tests), secrets are sealed under a key that lives only in memory.
    secrets: options.secrets ?? createSecretBox(randomBytes(32)),
    jobs: options.jobs,
    lineHosts: options.lineHosts ?? LINE_HOSTS_ONLY,
    clock: options.clockControl?.clock ?? options.clock ?? systemClock,
    clockControl: options.clockControl,
    ...(options.email ? { email: options.email } : {}),
  };
  for (const capability of CAPABILITIES) {
    const register = await capability.routes?.();
    register?.(app, deps);
  }
  return app;
}
