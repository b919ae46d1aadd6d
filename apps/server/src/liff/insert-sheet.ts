// What an insert QR sheet holds: the orders named in a list (one per line, or a CSV whose first
// column is the order), each with its LIFF claim URL. Errors name the line.
import { type Kysely, sql } from 'kysely';
import { linkKey } from '../clicks/link-token.ts';
import type { DB } from '../db/schema.ts';
import { DomainError, type FieldProblem, invalid } from '../shared/domain-error.ts';
import type { SecretBox } from '../shared/secret-box.ts';
import { insertUrl, signInsertToken } from './insert-token.ts';

/** A sheet is for one batch of parcels; 1,000 orders is 84 A4 pages. */
export const MAX_SHEET_ORDERS = 1000;

export interface OrderRef {
  line: number;
  ref: string;
}

export interface InsertSheetItem {
  line: number;
  orderNumber: string;
  url: string;
}

const HEADERS = new Set(['order', 'order_id', 'orderid', 'order_number', 'id', 'name', '注文番号', '注文id']);

/**
 * The order references of a list: one per line, or the first column of a CSV (a header row such
 * as `order_id` or `注文番号` is skipped, as are blank lines). Quotes around a cell are removed.
 */
export function parseOrderList(text: string): OrderRef[] {
  const refs: OrderRef[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const first = (raw.split(',')[0] ?? '')
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .trim();
    if (!first) continue;
    if (!refs.length && HEADERS.has(first.toLowerCase())) continue;
    refs.push({ line: index + 1, ref: first });
  }
  return refs;
}

/** The LIFF id the sheet's URLs open: the given one, or the workspace's only LIFF app. */
async function sheetLiffId(db: Kysely<DB>, workspaceId: string, wanted: string | undefined) {
  const { rows } = await sql<{
    liff_id: string;
  }>`select liff_id from liff_app where workspace_id = ${workspaceId}
    order by liff_id`.execute(db);
  const ids = rows.map((r) => r.liff_id);
  if (wanted !== undefined) {
    if (!ids.includes(wanted))
      throw invalid([{ path: 'liffId', message: `"${wanted}" is not a LIFF app of this workspace` }]);
    return wanted;
  }
  if (ids.length === 1) return ids[0]!;
  throw new DomainError(
    'conflict',
    ids.length
      ? `the workspace has ${ids.length} LIFF apps (${ids.join(', ')}); name one with --liff-id`
      : 'connect a LIFF app first (PUT /v1/liff/apps/:channelId): the QR codes open it',
  );
}

/**
 * Each referenced order with its claim URL, in the list's order. A reference is an order number
 * (the id the shop's system gave it) or Kizuna's numeric order id. Unknown ones are refused
 * together, each naming its line.
 */
export async function insertSheetItems(
  db: Kysely<DB>,
  secrets: SecretBox,
  workspaceId: string,
  refs: OrderRef[],
  liffId?: string,
): Promise<InsertSheetItem[]> {
  if (!refs.length) throw invalid([{ path: 'orders', message: 'the list names no order' }]);
  if (refs.length > MAX_SHEET_ORDERS)
    throw invalid([
      { path: 'orders', message: `${refs.length} orders; at most ${MAX_SHEET_ORDERS} per sheet` },
    ]);
  const app = await sheetLiffId(db, workspaceId, liffId);
  const values = refs.map((r) => r.ref);
  const { rows } = await sql<{ id: number; external_id: string }>`select id, external_id from customer_order
    where workspace_id = ${workspaceId} and (external_id = any (${values}::text[])
      or id::text = any (${values}::text[]))`.execute(db);
  const byNumber = new Map(rows.map((r) => [r.external_id, r]));
  const byId = new Map(rows.map((r) => [String(r.id), r]));
  const key = await linkKey(db, secrets, workspaceId);
  const problems: FieldProblem[] = [];
  const items: InsertSheetItem[] = [];
  for (const { line, ref } of refs) {
    const order = byNumber.get(ref) ?? byId.get(ref);
    if (!order) {
      problems.push({ path: `line ${line}`, message: `no order "${ref.slice(0, 60)}" in this workspace` });
      continue;
    }
    items.push({
      line,
      orderNumber: order.external_id,
      url: insertUrl(app, signInsertToken(key, Number(order.id))),
    });
  }
  if (problems.length) throw invalid(problems);
  return items;
}
