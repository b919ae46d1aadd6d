// Kysely's view of the email tables (migrations/0028_email.sql, 0030_email_dkim_ed25519.sql, 0042_dkim_pending_key.sql), added to DB by module augmentation.
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Marketing mail carries the footer and List-Unsubscribe; transactional mail neither. */
export type EmailKind = 'marketing' | 'transactional';

export type EmailEventKind = 'open' | 'hard_bounce' | 'soft_bounce' | 'complaint' | 'unsubscribe';

export interface EmailSenderTable {
  workspace_id: string;
  id: Generated<string>;
  from_name: string;
  from_address: string;
  reply_to: string | null;
  postal_address: string;
  contact: string;
  return_domain: string;
  dkim_selector: string;
  dkim_private_sealed: string;
  /** The public key, base64 DER (SPKI), as the DNS TXT record's p= carries it. */
  dkim_public: string;
  /** The optional Ed25519 key (0030): all three set, or none. */
  dkim_ed25519_selector: ColumnType<string | null, string | null | undefined, string | null>;
  dkim_ed25519_private_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  /** The raw 32-byte public key, base64 (RFC 8463 section 4), the k=ed25519 record's p=. */
  dkim_ed25519_public: ColumnType<string | null, string | null | undefined, string | null>;
  /** The RSA key made by a rotation, published but not yet signing (0042): all three set, or none. */
  dkim_pending_selector: ColumnType<string | null, string | null | undefined, string | null>;
  dkim_pending_private_sealed: ColumnType<string | null, string | null | undefined, string | null>;
  dkim_pending_public: ColumnType<string | null, string | null | undefined, string | null>;
  /** The RSA key that signed before the last activation (0042): its record only; no private key. */
  dkim_retired_selector: ColumnType<string | null, string | null | undefined, string | null>;
  dkim_retired_public: ColumnType<string | null, string | null | undefined, string | null>;
  dkim_retired_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  token_key_sealed: string;
  /** What one message costs through the shop's relay (0040); numeric, read as a string. */
  yen_per_message: ColumnType<string, string | number | undefined, string | number>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EmailTemplateTable {
  workspace_id: string;
  id: Generated<number>;
  name: string;
  subject: string;
  mjml: string;
  html: string;
  text: string;
  kind: Generated<EmailKind>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface EmailEventTable {
  workspace_id: string;
  id: Generated<number>;
  send_id: number;
  seq: number;
  customer_id: number;
  kind: EmailEventKind;
  detail: string | null;
  occurred_at: Date;
}

export interface EmailSuppressionTable {
  workspace_id: string;
  address: string;
  suppressed: Generated<boolean>;
  reason: 'hard_bounce' | 'complaint' | 'soft_bounces' | null;
  soft_bounces: Generated<number>;
  detail: string | null;
  updated_at: Date;
}

declare module '../db/schema.ts' {
  interface DB {
    email_sender: EmailSenderTable;
    email_template: EmailTemplateTable;
    email_event: EmailEventTable;
    email_suppression: EmailSuppressionTable;
  }
}
