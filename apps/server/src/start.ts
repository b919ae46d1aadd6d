import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Config, loadConfig } from './config.ts';
import { DataDirLockedError } from './db/data-dir-lock.ts';
import { DataDirOwnerError } from './db/data-dir-security.ts';
import { migrate } from './db/migrate.ts';
import { type Database, openConfiguredDatabase } from './db/open-database.ts';
import { playDemoLineDay, startDemoSandbox } from './demo/demo-line.ts';
import { loadDemo } from './demo/load-demo.ts';
import { buildApp } from './http/app.ts';
import { startJobs } from './jobs/jobs.ts';
import { JOBS } from './jobs/registry.ts';
import { createSimulatedTime } from './jobs/simulated-time.ts';
import { systemClock } from './shared/clock.ts';
import { createLogger } from './shared/logger.ts';
import { prettyDestination } from './shared/pretty-log.ts';
import { createSecretBox, loadOrCreateKeyFile } from './shared/secret-box.ts';
import { showSecrets } from './shared/show-secrets.ts';
import { ensureFirstWorkspace, type LoginHint } from './workspaces/first-run.ts';

/**
 * Prints where Kizuna runs and how to log in, framed so it stands apart from the log lines. With
 * JSON logs on standard output (a service manager, `docker logs`, `> kizuna.log`) the banner goes
 * to standard error, so standard output stays one JSON entry a line; with readable logs on a
 * terminal it goes to standard output between them. A password or API key made at this start is
 * shown once, to the terminal only (see showSecrets), never in either stream's log.
 */
function printBanner(
  config: Config,
  database: Database,
  api: string | undefined,
  login: LoginHint,
  print: (text: string) => void,
): void {
  const where = database.kind === 'pglite' ? `embedded database (${config.dataDir})` : 'PostgreSQL database';
  const rule = `  ${'─'.repeat(72)}`;
  print(
    [
      '',
      rule,
      `  Kizuna is running on the ${where}.`,
      api
        ? `  Console: ${api}/   (管理画面: log in with the login below)\n  API:   ${api}   (OpenAPI: ${api}/docs, health: ${api}/health)`
        : '  API:   off (KIZUNA_API=false); worker only',
    ].join('\n'),
  );
  const secrets = [
    login.password ? `  Login: ${login.email}  password: ${login.password}` : '',
    login.apiKey ? `  API key (shown once): ${login.apiKey}` : '',
  ].filter((line) => line !== '');
  if (!secrets.length) {
    print(`  Login: ${login.email}  (${login.note})\n${rule}\n`);
    return;
  }
  const shown = showSecrets(`${secrets.join('\n')}\n\n`, {
    fallbackFile: join(config.dataDir, 'first-login.txt'),
  });
  if (shown.kind === 'stdout') print(`${rule}\n`);
  if (shown.kind === 'tty')
    print(
      `  Login: ${login.email}  (password and API key shown on the terminal, not in this output)\n${rule}\n`,
    );
  if (shown.kind === 'file')
    print(
      `  Login: ${login.email}  (password and API key in ${shown.path}, readable by this user only; ` +
        `delete it once you have logged in)\n${rule}\n`,
    );
}

/**
 * `kizuna start [--demo]`: the API and the job worker in one process. SIGTERM or SIGINT stops
 * taking new requests, lets in-flight requests and running jobs finish, then closes the database.
 */
export async function runStart(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { demo: { type: 'boolean', default: false } } });
  const config = loadConfig(process.env);
  const pretty =
    config.logFormat === 'pretty' || (config.logFormat === 'auto' && Boolean(process.stdout.isTTY));
  const logger = createLogger(config.logLevel, pretty ? prettyDestination(process.stdout) : undefined);
  const print = pretty ? (text: string) => console.log(text) : (text: string) => console.error(text);
  let database: Database;
  try {
    database = await openConfiguredDatabase(config);
  } catch (error) {
    if (error instanceof DataDirLockedError || error instanceof DataDirOwnerError) {
      console.error(`kizuna: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const { version } = await migrate(database);
  logger.info({ database: database.kind, migrationVersion: version }, 'database ready');
  // One key seals and opens stored secrets (LINE channel secrets and tokens) in the API and the worker.
  const key = config.secretKey ?? (config.databaseUrl ? undefined : loadOrCreateKeyFile(config.dataDir));
  if (!key) {
    console.error('kizuna: KIZUNA_SECRET_KEY is required with DATABASE_URL (e.g. `openssl rand -hex 32`)');
    await database.close();
    return 1;
  }
  const secrets = createSecretBox(key);
  const login = values.demo
    ? await loadDemo(database, { log: (m) => logger.info(m), secrets, publicUrl: config.publicUrl })
    : await ensureFirstWorkspace(database);
  // The demo's LINE official account talks to a LINE sandbox in this process.
  const demoLine = values.demo ? await startDemoSandbox(database, secrets, config) : undefined;
  const lineHosts = demoLine?.hosts ?? config.lineHosts;
  // Simulated time (KIZUNA_CLOCK=simulated) flows at wall speed and jumps on POST /v1/dev/clock.
  const simulatedTime =
    config.clock.kind === 'simulated' ? createSimulatedTime(config.clock.start ?? new Date()) : undefined;
  const clock = simulatedTime?.clock ?? systemClock;
  const email = { smtp: config.smtp, publicUrl: config.publicUrl };
  const jobs = await startJobs(database, JOBS, {
    logger,
    work: config.runWorker,
    secrets,
    lineHosts,
    ...(simulatedTime ? { simulatedTime } : {}),
    email,
  });
  const stopFlow = simulatedTime?.flow();
  if (simulatedTime)
    logger.warn({ now: clock.now().toISOString() }, 'simulated clock: POST /v1/dev/clock moves it');
  await jobs.send('database-analyze', {}, { singletonKey: 'startup' });
  if (login.apiKey && values.demo) {
    // A freshly loaded demo brand gets its CLV fit, segment membership and analytics views now
    // rather than at the next scheduled run, so every screen has data from the first minute.
    await jobs.send('clv-refit', {}, { singletonKey: 'demo' });
    // The status coupons (birthday, win-back, first visit) the demo's rules grant: thousands of
    // grants, so in the background, as the daily job makes them.
    await jobs.send('loyalty-daily', {}, { singletonKey: 'demo' });
    await jobs.send(
      'analytics-refresh',
      {},
      { singletonKey: 'demo', startAfter: new Date(clock.now().getTime() + 5_000) },
    );
  }
  const app = config.runApi
    ? await buildApp({
        database,
        logger,
        secureCookies: config.publicUrl.startsWith('https:'),
        publicUrl: config.publicUrl,
        trustProxy: config.trustProxy,
        secrets,
        jobs,
        lineHosts,
        clock,
        ...(simulatedTime ? { clockControl: simulatedTime } : {}),
        email,
      })
    : undefined;
  if (app) await app.listen({ host: config.host, port: config.port });
  // Bounces and complaints for VERP return paths: only when the operator points MX here.
  const inbound =
    config.inboundSmtpPort === undefined
      ? undefined
      : await (await import('./email/inbound-smtp.ts')).startInboundSmtp({
          port: config.inboundSmtpPort,
          host: config.host,
          db: database.db,
          secrets,
          clock: systemClock,
          logger,
        });
  if (inbound) logger.info({ port: inbound.port }, 'email feedback listener (bounces, complaints) ready');

  const address = app?.server.address();
  const url =
    address && typeof address === 'object' && config.port === 0
      ? `http://${config.host}:${address.port}`
      : config.publicUrl;
  printBanner(config, database, app ? url : undefined, login, print);
  if (demoLine && app && address && typeof address === 'object') {
    const wildcard = ['0.0.0.0', '::', ''].includes(config.host);
    const local = wildcard ? '127.0.0.1' : config.host.includes(':') ? `[${config.host}]` : config.host;
    demoLine.connect(`http://${local}:${address.port}`);
    if (login.apiKey) {
      const authorization = `Bearer ${login.apiKey}`;
      await playDemoLineDay(
        demoLine,
        (request) => app.inject({ ...request, headers: { authorization } }),
        database,
        demoLine.workspaceId,
      ).then(
        (sendId) =>
          logger.info(
            { sendId },
            "demo: a LINE campaign and a few friends' messages went through the sandbox",
          ),
        (error: unknown) => logger.warn({ err: error }, 'demo: the LINE sandbox day did not run'),
      );
    }
  }

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping: draining requests and jobs');
      try {
        await app?.close();
        stopFlow?.();
        await inbound?.close();
        await jobs.stop();
        // The SMTP pool's idle connections would keep the process alive until their socket
        // timeout (30 s): close them once no job can send any more.
        if (config.smtp) (await import('./email/smtp-transport.ts')).closeSmtpTransports();
        await demoLine?.close();
        await database.close();
        logger.info('stopped');
        resolve(0);
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
        resolve(1);
      }
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
  });
}
