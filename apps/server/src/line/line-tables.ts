// Kysely's view of the LINE tables in migrations/0003_line.sql (and 0005, 0011), added to DB by module augmentation.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

export interface LineChannelTable {
  workspace_id: string;
  id: Generated<string>;
  line_channel_id: string;
  name: Generated<string>;
  secret_sealed: string;
  access_token_sealed: string;
  api_base_url: Generated<string>;
  data_api_base_url: Generated<string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface LineWebhookEventTable {
  workspace_id: string;
  webhook_event_id: string;
  channel_id: string;
  type: string;
  line_user_id: string | null;
  occurred_at: Timestamp;
  payload: Json<Record<string, unknown>>;
  redelivered: Generated<boolean>;
  deliveries: Generated<number>;
  received_at: Timestamp;
  processed_at: Date | null;
  outcome: string | null;
  /** Failed handling attempts (migrations/0011_line_event_failures.sql). */
  attempts: Generated<number>;
  last_error: string | null;
  retry_at: Date | null;
  /** Set aside for an operator: not retried until put back. */
  set_aside_at: Date | null;
}

export interface LineFriendTable {
  workspace_id: string;
  channel_id: string;
  line_user_id: string;
  customer_id: number;
  status: 'friend' | 'blocked';
  display_name: string | null;
  picture_url: string | null;
  follow_count: Generated<number>;
  last_event_at: Timestamp;
}

export interface LineAccountLinkTable {
  workspace_id: string;
  nonce: string;
  channel_id: string;
  customer_id: number;
  line_user_id: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
  used_at: Date | null;
  result: string | null;
}

export interface LineRichMenuTable {
  workspace_id: string;
  id: Generated<number>;
  channel_id: string;
  name: string;
  definition: Json<Record<string, unknown>>;
  rich_menu_id: string | null;
  image_uploaded: Generated<boolean>;
  is_default: Generated<boolean>;
  /** The segment whose members get this menu (migrations/0005_line_rich_menu_sync.sql). */
  segment_id: number | null;
  /** Precedence among a customer's segment menus: higher wins, then the later assignment. */
  priority: Generated<number>;
  segment_assigned_at: Date | null;
  created_at: Timestamp;
}

export interface LineRichMenuSyncTable {
  workspace_id: string;
  event_cursor: Generated<number>;
  full_requested: Generated<boolean>;
  last_full_at: Date | null;
  lease_owner: string | null;
  lease_until: Date | null;
  last_sync_at: Date | null;
  last_error: string | null;
  last_error_at: Date | null;
}

export type RichMenuLinkStatus = 'pending' | 'synced' | 'blocked' | 'failed';

export interface LineRichMenuLinkTable {
  workspace_id: string;
  channel_id: string;
  line_user_id: string;
  customer_id: number;
  desired_menu_id: number | null;
  applied_menu_id: number | null;
  status: RichMenuLinkStatus;
  error: string | null;
  updated_at: Timestamp;
  synced_at: Date | null;
}

/**
 * A rich menu a journey linked to a LINE user directly (0039): precedence over segment menus until
 * released (`menu_id` null, deleted once the sync has recomputed the user).
 */
export interface LineRichMenuAssignmentTable {
  workspace_id: string;
  channel_id: string;
  line_user_id: string;
  customer_id: number;
  menu_id: number | null;
  assigned_by: string;
  assignment_key: string;
  assigned_at: Date;
  changed: Generated<boolean>;
}

/** A beacon tied to a store (0019): its `enter` events record visits there. */
export interface LineBeaconTable {
  workspace_id: string;
  channel_id: string;
  hwid: string;
  store_id: number;
  created_at: Generated<Date>;
}

declare module '../db/schema.ts' {
  interface DB {
    line_beacon: LineBeaconTable;
    line_channel: LineChannelTable;
    line_webhook_event: LineWebhookEventTable;
    line_friend: LineFriendTable;
    line_account_link: LineAccountLinkTable;
    line_rich_menu: LineRichMenuTable;
    line_rich_menu_sync: LineRichMenuSyncTable;
    line_rich_menu_link: LineRichMenuLinkTable;
    line_rich_menu_assignment: LineRichMenuAssignmentTable;
  }
}
