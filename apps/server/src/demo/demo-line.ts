// The demo brand's LINE official account. `kizuna demo` stores a channel and its friends (some
// blocked); `kizuna start --demo` runs a LINE sandbox in the same process, points the channel at
// it and, on the first start after loading, sends a real campaign through it and lets a few
// friends write to the shop, so message history is made by the same path as in production.
import { randomBytes } from 'node:crypto';
import type { LineSandbox } from '@kizuna/line-sandbox';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Database } from '../db/open-database.ts';
import { listChannels, openChannel, saveChannel } from '../line/channels.ts';
import { type LineHostAllowance, parseLineHostAllowance } from '../line/line-hosts.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { DEMO_WORKSPACE_NAME } from './demo-brand.ts';

export const DEMO_LINE_CHANNEL_ID = '2000000001';
const DEMO_CHANNEL_NAME = '絆珈琲 公式LINE';
/** Before the first start, the channel names the local sandbox on a port nobody listens on. */
const UNSTARTED_SANDBOX = 'http://127.0.0.1:9';

export interface DemoFriend {
  customerId: number;
  lineUserId: string;
  displayName: string;
  blocked: boolean;
  followedAt: Date;
  blockedAt: Date | null;
}

/** Stores the demo channel (secrets sealed) and its friends; returns the channel's key. */
export async function loadDemoLine(
  database: Database,
  secrets: SecretBox,
  publicUrl: string,
  workspaceId: string,
  friends: readonly DemoFriend[],
): Promise<string> {
  const { db } = database;
  const channel = await saveChannel(
    db,
    secrets,
    publicUrl,
    workspaceId,
    {
      lineChannelId: DEMO_LINE_CHANNEL_ID,
      name: DEMO_CHANNEL_NAME,
      channelSecret: randomBytes(16).toString('hex'),
      accessToken: randomBytes(32).toString('base64url'),
      apiBaseUrl: UNSTARTED_SANDBOX,
    },
    parseLineHostAllowance('127.0.0.1', false),
  );
  for (let i = 0; i < friends.length; i += 1000) {
    const chunk = friends.slice(i, i + 1000);
    await db
      .insertInto('line_friend')
      .values(
        chunk.map((f) => ({
          workspace_id: workspaceId,
          channel_id: channel.id,
          line_user_id: f.lineUserId,
          customer_id: f.customerId,
          status: f.blocked ? ('blocked' as const) : ('friend' as const),
          display_name: f.displayName,
          picture_url: null,
          follow_count: 1,
          last_event_at: f.blockedAt ?? f.followedAt,
        })),
      )
      .execute();
  }
  return channel.id;
}

/** The running demo sandbox, and the host allowance that lets Kizuna call it. */
export interface DemoLine {
  sandbox: LineSandbox;
  workspaceId: string;
  channelId: string;
  hosts: LineHostAllowance;
  /** Points the sandbox's webhooks at Kizuna once its address is known. */
  connect(appUrl: string): void;
  close(): Promise<void>;
}

/**
 * Starts the LINE sandbox for the demo workspace's channel, with its friends as sandbox users,
 * and points the channel at it. Undefined when the workspace has no demo channel.
 */
export async function startDemoLine(
  database: Database,
  secrets: SecretBox,
  publicUrl: string,
  workspaceId: string,
  allowed: LineHostAllowance,
): Promise<DemoLine | undefined> {
  const { db } = database;
  const channel = (await listChannels(db, secrets, publicUrl, workspaceId)).find(
    (c) => c.lineChannelId === DEMO_LINE_CHANNEL_ID,
  );
  if (!channel) return undefined;
  const open = await openChannel(db, secrets, workspaceId, channel.id);
  const { rows } = await sql<{ line_user_id: string; display_name: string | null; status: string }>`
    select line_user_id, display_name, status from line_friend
    where workspace_id = ${workspaceId} and channel_id = ${channel.id} order by line_user_id`.execute(db);
  const { startLineSandbox } = await import('@kizuna/line-sandbox');
  const sandbox = await startLineSandbox({
    host: '127.0.0.1',
    channelSecret: open.secret,
    channelId: DEMO_LINE_CHANNEL_ID,
    requireTokens: [open.accessToken],
    webhookRedelivery: true,
    users: rows.map((r) => ({
      userId: r.line_user_id,
      displayName: r.display_name ?? 'LINEユーザー',
      friend: r.status === 'friend',
      language: 'ja',
    })),
  });
  const hosts: LineHostAllowance = Object.freeze({
    hosts: Object.freeze([
      ...allowed.hosts,
      Object.freeze({ host: '127.0.0.1', port: String(sandbox.port) }),
    ]),
    any: allowed.any,
  });
  await saveChannel(
    db,
    secrets,
    publicUrl,
    workspaceId,
    {
      lineChannelId: DEMO_LINE_CHANNEL_ID,
      name: channel.name,
      channelSecret: open.secret,
      accessToken: open.accessToken,
      apiBaseUrl: sandbox.url,
    },
    hosts,
  );
  return {
    sandbox,
    workspaceId,
    channelId: channel.id,
    hosts,
    connect: (appUrl) => sandbox.configure({ webhookUrl: `${appUrl}/line/webhook/${channel.id}` }),
    close: () => sandbox.close(),
  };
}

/** The demo workspace's sandbox, for `kizuna start --demo`; undefined when it has no LINE channel. */
export async function startDemoSandbox(
  database: Database,
  secrets: SecretBox,
  config: Pick<Config, 'publicUrl' | 'lineHosts'>,
): Promise<DemoLine | undefined> {
  const workspace = await database.db
    .selectFrom('workspace')
    .select('id')
    .where('name', '=', DEMO_WORKSPACE_NAME)
    .executeTakeFirst();
  if (!workspace) return undefined;
  return startDemoLine(database, secrets, config.publicUrl, workspace.id, config.lineHosts);
}

/** What a shop's LINE account sees on a normal day: a few friends write, one new friend adds it. */
const INBOUND = [
  '今日は何時まで営業していますか?',
  'テイクアウトの予約はできますか?',
  'クーポンありがとうございます!週末に行きます☕',
  '駐車場はありますか',
  'ケーキの予約をお願いしたいです',
];

/**
 * The first start after loading: a campaign to the regulars goes out through the messaging core
 * (via the API, as the console will send it), and a few friends write and follow, through signed
 * webhooks. Returns the send's id.
 */
export async function playDemoLineDay(
  line: DemoLine,
  inject: (request: {
    method: 'POST';
    url: string;
    payload: Record<string, unknown>;
  }) => Promise<{ statusCode: number; body: string }>,
  database: Database,
  workspaceId: string,
): Promise<number> {
  const { db } = database;
  const { rows: regulars } = await sql<{ customer_id: string }>`
    select m.customer_id from segment_member m join segment s on s.workspace_id = m.workspace_id and s.id = m.segment_id
    join line_friend f on f.workspace_id = m.workspace_id and f.customer_id = m.customer_id and f.channel_id = ${line.channelId}
    where m.workspace_id = ${workspaceId} and s.template = 'regulars' and f.status = 'friend'
    order by m.customer_id limit 2000`.execute(db);
  const response = await inject({
    method: 'POST',
    url: '/v1/line/sends',
    payload: {
      channelId: line.channelId,
      idempotencyKey: 'demo:autumn-blend',
      origin: 'demo',
      aggregationUnit: 'demo_autumn_blend',
      messages: [
        {
          type: 'text',
          text: 'いつも絆珈琲をご利用いただきありがとうございます。\n秋限定「焙煎したての秋ブレンド」が入荷しました🍂\n今週末までご来店でポイント2倍です。',
        },
      ],
      customerIds: regulars.map((r) => Number(r.customer_id)),
    },
  });
  if (response.statusCode < 200 || response.statusCode > 299)
    throw new Error(`demo: the campaign was refused: ${response.body}`);
  const { rows: talkers } = await sql<{ line_user_id: string }>`
    select line_user_id from line_friend where workspace_id = ${workspaceId} and channel_id = ${line.channelId}
    and status = 'friend' order by line_user_id limit ${INBOUND.length}`.execute(db);
  for (const [i, t] of talkers.entries()) await line.sandbox.sendText(t.line_user_id, INBOUND[i]!);
  const newcomer = line.sandbox.users.create({ displayName: 'みさき', language: 'ja', friend: false });
  await line.sandbox.follow(newcomer.userId);
  return (JSON.parse(response.body) as { id: number }).id;
}
