// Kysely's view of the tables in migrations/0001_core.sql, added to DB by module augmentation.
import type { Generated } from 'kysely';
import type { Id, Json, Timestamp } from '../db/column-types.ts';

export type Gender = 'female' | 'male' | 'other' | 'unanswered';

export interface CustomerTable {
  workspace_id: string;
  id: Id;
  family_name: string | null;
  given_name: string | null;
  family_name_kana: string | null;
  given_name_kana: string | null;
  birthday: string | null;
  gender: Gender | null;
  prefecture: string | null;
  favorite_store_id: number | null;
  interests: Generated<string[]>;
  registered_at: Timestamp;
  acquisition_source: string | null;
  attributes: Json;
  tags: Generated<string[]>;
  merged_into_id: number | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export type IdentityKind = 'line' | 'email' | 'phone' | 'external';

export interface CustomerIdentityTable {
  workspace_id: string;
  kind: IdentityKind;
  namespace: Generated<string>;
  value: string;
  customer_id: number;
  created_at: Timestamp;
}

export interface CustomerMergeTable {
  workspace_id: string;
  id: Id;
  survivor_id: number;
  merged_id: number;
  detail: Json;
  created_at: Timestamp;
}

export type ConsentChannel = 'line' | 'email';

export type ConsentPurpose = 'marketing' | 'transactional';

export type ConsentStatus = 'granted' | 'revoked' | 'blocked';

export interface ConsentEventTable {
  workspace_id: string;
  id: Id;
  customer_id: number;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  actor: string | null;
  occurred_at: Timestamp;
  recorded_at: Timestamp;
}

export interface CustomerConsentTable {
  workspace_id: string;
  customer_id: number;
  channel: ConsentChannel;
  purpose: ConsentPurpose;
  status: ConsentStatus;
  source: string;
  occurred_at: Timestamp;
}

declare module '../db/schema.ts' {
  interface DB {
    customer: CustomerTable;
    customer_identity: CustomerIdentityTable;
    customer_merge: CustomerMergeTable;
    consent_event: ConsentEventTable;
    customer_consent: CustomerConsentTable;
  }
}
