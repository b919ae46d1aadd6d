// A channel's LIFF app and the LINE Login channel it belongs to. The login channel secret is
// sealed at rest and never returned by the API (not even masked: nothing on the client needs it).
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';
import { checkLineBaseUrl, type LineHostAllowance } from '../line/line-hosts.ts';
import { DomainError, invalid, notFound, pgErrorCode, UNIQUE_VIOLATION } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import './liff-tables.ts';

export interface LiffAppInput {
  liffId: string;
  loginChannelId: string;
  loginChannelSecret: string;
}

export interface LiffAppView {
  channelId: string;
  liffId: string;
  loginChannelId: string;
  /** Always true: the secret is stored, sealed, and never shown. */
  loginChannelSecretSet: boolean;
  /** The URL that opens the app inside LINE (rich menus, QR codes). */
  liffUrl: string;
  updatedAt: string;
}

/** What the session route needs to verify an ID token for a LIFF app. */
export interface LiffAppTarget {
  workspaceId: string;
  channelId: string;
  loginChannelId: string;
  /** The LINE API base URL of the channel, where the JWKS is fetched (LINE's, or a sandbox). */
  apiBaseUrl: string;
  /** The login channel secret, still sealed (the HS256 key of web login's ID tokens). */
  loginChannelSecretSealed: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function view(row: {
  channel_id: string;
  liff_id: string;
  login_channel_id: string;
  updated_at: Date;
}): LiffAppView {
  return {
    channelId: row.channel_id,
    liffId: row.liff_id,
    loginChannelId: row.login_channel_id,
    loginChannelSecretSet: true,
    liffUrl: `https://liff.line.me/${row.liff_id}`,
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Connects (or replaces) the LIFF app of a channel of the workspace. */
export async function saveLiffApp(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  channelId: string,
  input: LiffAppInput,
  at: Date,
): Promise<LiffAppView> {
  const channel = UUID.test(channelId)
    ? await db
        .selectFrom('line_channel')
        .select('id')
        .where('workspace_id', '=', workspaceId)
        .where('id', '=', channelId)
        .executeTakeFirst()
    : undefined;
  if (!channel) throw notFound('LINE channel');
  const values = {
    liff_id: input.liffId,
    login_channel_id: input.loginChannelId,
    login_channel_secret_sealed: secrets.seal(input.loginChannelSecret),
    updated_at: at,
  };
  try {
    const row = await db
      .insertInto('liff_app')
      .values({ workspace_id: workspaceId, channel_id: channelId, ...values })
      .onConflict((oc) => oc.columns(['workspace_id', 'channel_id']).doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(row);
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION)
      throw new DomainError('conflict', `liffId: ${input.liffId} is already connected to another channel`, [
        { path: 'liffId', message: 'already connected to another channel' },
      ]);
    throw error;
  }
}

export async function listLiffApps(db: Kysely<DB>, workspaceId: string): Promise<LiffAppView[]> {
  const rows = await db
    .selectFrom('liff_app')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
  return rows.map(view);
}

export async function deleteLiffApp(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<void> {
  if (!UUID.test(channelId)) throw notFound('LIFF app');
  const { numDeletedRows } = await db
    .deleteFrom('liff_app')
    .where('workspace_id', '=', workspaceId)
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  if (numDeletedRows === 0n) throw notFound('LIFF app');
}

/**
 * The LIFF app with this id, whatever the workspace (the public session route knows nothing
 * else), with its channel's base URL checked again against the operator's allowance.
 */
export async function findLiffApp(
  db: Kysely<DB>,
  liffId: string,
  hosts: LineHostAllowance,
): Promise<LiffAppTarget> {
  const row = await db
    .selectFrom('liff_app')
    .innerJoin('line_channel', (j) =>
      j
        .onRef('line_channel.workspace_id', '=', 'liff_app.workspace_id')
        .onRef('line_channel.id', '=', 'liff_app.channel_id'),
    )
    .select([
      'liff_app.workspace_id',
      'liff_app.channel_id',
      'liff_app.login_channel_id',
      'liff_app.login_channel_secret_sealed',
      'line_channel.api_base_url',
    ])
    .where('liff_app.liff_id', '=', liffId)
    .executeTakeFirst();
  if (!row) throw invalid([{ path: 'liffId', message: `no LIFF app ${liffId} is connected to Kizuna` }]);
  const checked = checkLineBaseUrl(row.api_base_url, hosts);
  if ('problem' in checked)
    throw new DomainError(
      'forbidden',
      `the LINE channel's apiBaseUrl is no longer allowed: ${checked.problem}`,
    );
  return {
    workspaceId: row.workspace_id,
    channelId: row.channel_id,
    loginChannelId: row.login_channel_id,
    apiBaseUrl: checked.url,
    loginChannelSecretSealed: row.login_channel_secret_sealed,
  };
}
