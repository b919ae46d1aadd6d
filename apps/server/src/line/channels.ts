import type { Kysely, Selectable } from 'kysely';
import type { DB } from '../db/schema.ts';
import { mapPgError, notFound } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import {
  allowedLineBaseUrl,
  LINE_API_BASE_URL,
  LINE_DATA_API_BASE_URL,
  type LineHostAllowance,
} from './line-hosts.ts';
import type { LineChannelTable } from './line-tables.ts';

export interface ChannelInput {
  lineChannelId: string;
  name?: string;
  channelSecret: string;
  accessToken: string;
  /**
   * Messaging API base URL (default LINE's); tests and demos point it at the sandbox. Only LINE's
   * hosts unless the operator allows others (line-hosts.ts).
   */
  apiBaseUrl?: string;
  /**
   * Base URL of the binary endpoints (rich-menu images); LINE's api-data host by default, or
   * apiBaseUrl when that names another host (the sandbox serves both).
   */
  dataApiBaseUrl?: string;
}

/** A channel as the API shows it: secrets masked, the webhook URL to copy into the LINE console. */
export interface ChannelView {
  id: string;
  lineChannelId: string;
  name: string;
  channelSecret: string;
  accessToken: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
  webhookUrl: string;
  createdAt: string;
}

/** The opened channel, for the worker and the webhook route only; never returned by the API. */
export interface OpenChannel {
  workspaceId: string;
  id: string;
  secret: string;
  accessToken: string;
  apiBaseUrl: string;
  dataApiBaseUrl: string;
}

/** Shows the last 4 characters only: enough to tell two tokens apart, useless to an attacker. */
export function maskSecret(secret: string): string {
  return secret.length <= 8 ? '••••' : `••••${secret.slice(-4)}`;
}

export function webhookUrl(publicUrl: string, channelId: string): string {
  return `${publicUrl.replace(/\/$/, '')}/line/webhook/${channelId}`;
}

type ChannelRow = Selectable<LineChannelTable>;

function view(row: ChannelRow, secrets: SecretBox, publicUrl: string): ChannelView {
  return {
    id: row.id,
    lineChannelId: row.line_channel_id,
    name: row.name,
    channelSecret: maskSecret(secrets.open(row.secret_sealed)),
    accessToken: maskSecret(secrets.open(row.access_token_sealed)),
    apiBaseUrl: row.api_base_url,
    dataApiBaseUrl: row.data_api_base_url,
    webhookUrl: webhookUrl(publicUrl, row.id),
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Creates the workspace's channel, or updates it when one with the same LINE channel id exists.
 * A base URL naming a host the operator has not allowed is `invalid`, naming the field.
 */
export async function saveChannel(
  db: Kysely<DB>,
  secrets: SecretBox,
  publicUrl: string,
  workspaceId: string,
  input: ChannelInput,
  hosts: LineHostAllowance,
): Promise<ChannelView> {
  const apiBaseUrl = allowedLineBaseUrl(input.apiBaseUrl ?? LINE_API_BASE_URL, hosts, 'apiBaseUrl');
  const dataDefault = apiBaseUrl === LINE_API_BASE_URL ? LINE_DATA_API_BASE_URL : apiBaseUrl;
  const dataApiBaseUrl = allowedLineBaseUrl(input.dataApiBaseUrl ?? dataDefault, hosts, 'dataApiBaseUrl');
  const values = {
    name: input.name ?? '',
    secret_sealed: secrets.seal(input.channelSecret),
    access_token_sealed: secrets.seal(input.accessToken),
    api_base_url: apiBaseUrl,
    data_api_base_url: dataApiBaseUrl,
  };
  try {
    const row = await db
      .insertInto('line_channel')
      .values({ workspace_id: workspaceId, line_channel_id: input.lineChannelId, ...values })
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'line_channel_id']).doUpdateSet({ ...values, updated_at: new Date() }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return view(row, secrets, publicUrl);
  } catch (error) {
    return mapPgError(error, 'LINE channel');
  }
}

export async function listChannels(
  db: Kysely<DB>,
  secrets: SecretBox,
  publicUrl: string,
  workspaceId: string,
): Promise<ChannelView[]> {
  const rows = await db
    .selectFrom('line_channel')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .execute();
  return rows.map((row) => view(row, secrets, publicUrl));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opens a workspace's channel; another workspace's channel is not found. */
export async function openChannel(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  channelId: string,
): Promise<OpenChannel> {
  if (!UUID.test(channelId)) throw notFound('LINE channel');
  const row = await db
    .selectFrom('line_channel')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', channelId)
    .executeTakeFirst();
  if (!row) throw notFound('LINE channel');
  return opened(row, secrets);
}

/** Finds a channel by its webhook key alone (the public webhook route knows nothing else). */
export async function openChannelForWebhook(
  db: Kysely<DB>,
  secrets: SecretBox,
  channelId: string,
): Promise<OpenChannel | undefined> {
  if (!UUID.test(channelId)) return undefined;
  const row = await db.selectFrom('line_channel').selectAll().where('id', '=', channelId).executeTakeFirst();
  return row ? opened(row, secrets) : undefined;
}

function opened(row: ChannelRow, secrets: SecretBox): OpenChannel {
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    secret: secrets.open(row.secret_sealed),
    accessToken: secrets.open(row.access_token_sealed),
    apiBaseUrl: row.api_base_url,
    dataApiBaseUrl: row.data_api_base_url,
  };
}

/** Another workspace's channel (or none) is a 404, as for every other id. */
export async function assertChannel(db: Kysely<DB>, workspaceId: string, channelId: string): Promise<void> {
  const found = await db
    .selectFrom('line_channel')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', channelId)
    .executeTakeFirst();
  if (!found) throw notFound(`LINE channel ${channelId}`);
}
