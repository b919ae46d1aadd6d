import { parseArgs } from 'node:util';
import type { FaultOptions } from './faults.ts';
import type { LineSandboxOptions } from './options.ts';
import { startLineSandbox } from './sandbox.ts';

const HELP = `kizuna line-sandbox: a local LINE Messaging API platform for tests and demos

Usage: kizuna line-sandbox [options]

  --port N                 port to listen on (default 3939; 0 picks a free one)
  --host H                 address to bind (default 127.0.0.1)
  --secret S               channel secret that signs webhooks (default sandbox-channel-secret)
  --webhook-url URL        where to send webhooks (follow, message, ...)
  --redelivery             redeliver webhooks that fail or time out (isRedelivery: true)
  --require-token T        accept only this channel access token (repeat or comma-separate)
  --quota N                monthly message quota (default: none)
  --no-rate-limits         turn LINE's per-endpoint rate limits off
  --users N                create N demo users at start
  --record full|counts     keep message bodies (full, default) or only counts per user
  --unknown-recipients deliver|drop
                           what to do with messages to unregistered user ids (default deliver)
  --seed N                 seed for ids and faults (runs repeat)
  --error-rate P           share of API requests answered 500 (0..1)
  --drop-rate P            share of API requests whose connection is dropped (0..1)
  --after-effect-share P   share of those errors/drops that strike after the request took effect (default 0.5)
  --latency MS|MIN-MAX     added latency per API request
  --burst-rate P           chance per request of starting a burst of 429s
  --burst-length N         requests per 429 burst (default 20)
  --verbose                log every request to stderr
  --help                   show this help
`;

const DEMO_NAMES = [
  '佐藤 花子',
  '鈴木 一郎',
  '高橋 美咲',
  '田中 翔太',
  '伊藤 由美',
  '渡辺 健',
  '山本 さくら',
  '中村 大輔',
];

function rate(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 1)) throw new Error(`${flag}: expected a number between 0 and 1, got "${value}"`);
  return n;
}

function integer(value: string | undefined, flag: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${flag}: expected an integer >= ${min}, got "${value}"`);
  return n;
}

function latency(value: string | undefined): FaultOptions['latencyMs'] {
  if (value === undefined) return undefined;
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (m === null) throw new Error(`--latency: expected MS or MIN-MAX, got "${value}"`);
  return m[2] === undefined ? Number(m[1]) : [Number(m[1]), Number(m[2])];
}

/** Turns argv into sandbox options; throws an Error naming the bad flag. */
export function parseCliOptions(argv: string[]): (LineSandboxOptions & { demoUsers: number }) | 'help' {
  const { values: v } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      secret: { type: 'string' },
      'webhook-url': { type: 'string' },
      redelivery: { type: 'boolean' },
      'require-token': { type: 'string', multiple: true },
      quota: { type: 'string' },
      'no-rate-limits': { type: 'boolean' },
      users: { type: 'string' },
      record: { type: 'string' },
      'unknown-recipients': { type: 'string' },
      seed: { type: 'string' },
      'error-rate': { type: 'string' },
      'drop-rate': { type: 'string' },
      'after-effect-share': { type: 'string' },
      latency: { type: 'string' },
      'burst-rate': { type: 'string' },
      'burst-length': { type: 'string' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (v.help) return 'help';
  if (v.record !== undefined && v.record !== 'full' && v.record !== 'counts')
    throw new Error('--record: expected full or counts');
  const unknown = v['unknown-recipients'];
  if (unknown !== undefined && unknown !== 'deliver' && unknown !== 'drop')
    throw new Error('--unknown-recipients: expected deliver or drop');
  if (v['webhook-url'] !== undefined && !/^https?:\/\//.test(v['webhook-url']))
    throw new Error('--webhook-url: expected an http(s) URL');
  const faults: FaultOptions = {
    errorRate: rate(v['error-rate'], '--error-rate'),
    dropRate: rate(v['drop-rate'], '--drop-rate'),
    afterEffectShare: rate(v['after-effect-share'], '--after-effect-share'),
    burstRate: rate(v['burst-rate'], '--burst-rate'),
    burstLength: integer(v['burst-length'], '--burst-length', 1),
    latencyMs: latency(v.latency),
  };
  return {
    port: integer(v.port, '--port') ?? 3939,
    host: v.host,
    channelSecret: v.secret,
    webhookUrl: v['webhook-url'],
    webhookRedelivery: v.redelivery ?? false,
    requireTokens: (v['require-token'] ?? []).flatMap((t) => t.split(',')).filter((t) => t.length > 0),
    monthlyQuota: integer(v.quota, '--quota') ?? null,
    rateLimits: v['no-rate-limits'] ? false : undefined,
    record: v.record as 'full' | 'counts' | undefined,
    unknownRecipients: unknown as 'deliver' | 'drop' | undefined,
    seed: integer(v.seed, '--seed'),
    faults: Object.fromEntries(Object.entries(faults).filter(([, x]) => x !== undefined)),
    logRequests: v.verbose ?? false,
    demoUsers: integer(v.users, '--users') ?? 0,
  };
}

/** `kizuna line-sandbox …` entry point. Resolves when the server stops; returns the exit code. */
export async function runLineSandboxCli(argv: string[]): Promise<number> {
  let options: ReturnType<typeof parseCliOptions>;
  try {
    options = parseCliOptions(argv);
  } catch (e) {
    console.error(`kizuna line-sandbox: ${e instanceof Error ? e.message : String(e)}\n\n${HELP}`);
    return 2;
  }
  if (options === 'help') {
    console.log(HELP);
    return 0;
  }
  const { demoUsers, ...sandboxOptions } = options;
  const sandbox = await startLineSandbox(sandboxOptions);
  for (let i = 0; i < demoUsers; i++)
    sandbox.users.create({ displayName: DEMO_NAMES[i % DEMO_NAMES.length] });
  console.log(`LINE sandbox listening on ${sandbox.url}`);
  console.log(`  Messaging API base URL: ${sandbox.url}  (bot ${sandbox.botUserId})`);
  console.log(`  Users and chats:        ${sandbox.url}/sandbox`);
  console.log(`  Control API:            ${sandbox.url}/sandbox/state, /sandbox/users, /sandbox/faults, ...`);
  // Kizuna lets a channel name only LINE's hosts unless its operator allows others.
  console.log(`  Kizuna must allow it:   KIZUNA_LINE_ALLOWED_HOSTS=${new URL(sandbox.url).host}`);
  if (sandboxOptions.webhookUrl) console.log(`  Webhooks go to:         ${sandboxOptions.webhookUrl}`);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  console.log(`LINE sandbox stopping (${signal})`);
  await sandbox.close();
  return 0;
}
