// Editing one customer's profile from the console (or the API): names, kana, birthday, gender,
// prefecture, postal code, interests, custom attributes, the email and phone they are reached at,
// and tags. Guarded by the updatedAt the editor read, so
// two people editing one karte cannot overwrite each other without knowing.
import { sql, type Transaction } from 'kysely';
import { type Static, Type } from 'typebox';
import type { DB } from '../db/schema.ts';
import { BoundedJsonObject } from '../shared/bounded-json.ts';
import { DomainError, type FieldProblem, invalid, notFound } from '../shared/domain-error.ts';
import { MAX_EMAIL_LENGTH } from '../shared/email.ts';
import { prefectureName } from '../shared/prefectures.ts';
import { type Identity, normaliseEmail, normalisePhone } from './identities.ts';
import { assertIdentitiesHeld } from './upsert-customer.ts';

const nullableName = (description: string) =>
  Type.Optional(Type.Union([Type.String({ maxLength: 100, description }), Type.Null()]));

export const CustomerPatch = Type.Object(
  {
    updatedAt: Type.Optional(
      Type.String({
        format: 'date-time',
        maxLength: 40,
        description:
          'The updatedAt the editor read; when the customer changed since, the answer is 409 (reason customer_changed)',
      }),
    ),
    familyName: nullableName('姓'),
    givenName: nullableName('名'),
    familyNameKana: nullableName('セイ (katakana; hiragana is turned into katakana)'),
    givenNameKana: nullableName('メイ (katakana; hiragana is turned into katakana)'),
    birthday: Type.Optional(Type.Union([Type.String({ format: 'date', maxLength: 10 }), Type.Null()])),
    gender: Type.Optional(
      Type.Union([
        Type.Literal('female'),
        Type.Literal('male'),
        Type.Literal('other'),
        Type.Literal('unanswered'),
        Type.Null(),
      ]),
    ),
    email: Type.Optional(
      Type.Union([Type.String({ maxLength: MAX_EMAIL_LENGTH }), Type.Null()], {
        description: "Replaces the customer's email address(es) with this one; null removes them",
      }),
    ),
    phone: Type.Optional(
      Type.Union([Type.String({ maxLength: 50 }), Type.Null()], {
        description: "Replaces the customer's phone number(s) with this one; null removes them",
      }),
    ),
    prefecture: Type.Optional(
      Type.Union([Type.String({ maxLength: 20 }), Type.Null()], {
        description: '都道府県: 東京都, 東京, Tokyo or 13 (stored as 東京都); null clears it',
      }),
    ),
    postalCode: Type.Optional(
      Type.Union([Type.String({ maxLength: 10 }), Type.Null()], {
        description:
          '郵便番号: 150-0002 or 1500002, full-width digits too (stored as 150-0002); null clears it',
      }),
    ),
    interests: Type.Optional(
      Type.Array(Type.String({ maxLength: 100 }), {
        maxItems: 50,
        description: 'The whole interest list (replaces the stored one)',
      }),
    ),
    attributes: Type.Optional(
      BoundedJsonObject(
        'Custom attributes to set: each key given replaces the stored value, a null value removes the key, keys not given are kept',
      ),
    ),
    tags: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        maxItems: 100,
        description: 'The whole tag list (replaces the stored one)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type CustomerPatch = Static<typeof CustomerPatch>;

const KATAKANA = /^[\u30A0-\u30FF\s・]*$/u;

/** Katakana after NFKC (half-width ﾔﾏﾀﾞ too), hiragana turned into katakana; undefined when neither. */
export function toKatakana(raw: string): string | undefined {
  const kana = raw
    .normalize('NFKC')
    .trim()
    .replace(/[\u3041-\u3096]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0x60))
    .replace(/\u3000/g, ' ');
  return KATAKANA.test(kana) ? kana : undefined;
}

type Column =
  | 'family_name'
  | 'given_name'
  | 'family_name_kana'
  | 'given_name_kana'
  | 'birthday'
  | 'gender'
  | 'prefecture'
  | 'postal_code'
  | 'interests';

/** 150-0002 from 150-0002, 1500002, 〒１５０－０００２; undefined when it is not 7 digits. */
function postalCode(raw: string): string | undefined {
  const digits = raw
    .normalize('NFKC')
    .replace(/^〒/, '')
    .replace(/[\s\-‐−ー－]/g, '');
  return /^[0-9]{7}$/.test(digits) ? `${digits.slice(0, 3)}-${digits.slice(3)}` : undefined;
}

function profileColumns(patch: CustomerPatch, problems: FieldProblem[]): Record<string, unknown> {
  const set: Partial<Record<Column | 'tags', unknown>> = {};
  for (const key of Object.keys(patch.attributes ?? {}))
    if (!key.trim() || key.length > 100)
      problems.push({ path: `attributes.${key}`, message: 'a key must be 1 to 100 characters' });
  const name = (value: string | null | undefined) =>
    value === undefined ? undefined : value?.trim() || null;
  const kana = (field: 'familyNameKana' | 'givenNameKana') => {
    const value = patch[field];
    if (value === undefined || value === null || !value.trim()) return value === undefined ? undefined : null;
    const katakana = toKatakana(value);
    if (katakana === undefined) problems.push({ path: field, message: 'must be katakana (or hiragana)' });
    return katakana;
  };
  const prefecture = (() => {
    const value = patch.prefecture;
    if (value === undefined || value === null || !value.trim()) return value === undefined ? undefined : null;
    const name = prefectureName(value);
    if (name === undefined)
      problems.push({ path: 'prefecture', message: 'not a prefecture of Japan (e.g. 東京都)' });
    return name;
  })();
  const postal = (() => {
    const value = patch.postalCode;
    if (value === undefined || value === null || !value.trim()) return value === undefined ? undefined : null;
    const code = postalCode(value);
    if (code === undefined) problems.push({ path: 'postalCode', message: 'must be 7 digits, e.g. 150-0002' });
    return code;
  })();
  const entries: [Column | 'tags', unknown][] = [
    ['family_name', name(patch.familyName)],
    ['given_name', name(patch.givenName)],
    ['family_name_kana', kana('familyNameKana')],
    ['given_name_kana', kana('givenNameKana')],
    ['birthday', patch.birthday],
    ['gender', patch.gender],
    ['prefecture', prefecture],
    ['postal_code', postal],
    [
      'interests',
      patch.interests ? [...new Set(patch.interests.map((t) => t.trim()).filter(Boolean))] : undefined,
    ],
    ['tags', patch.tags ? [...new Set(patch.tags.map((t) => t.trim()).filter(Boolean))] : undefined],
  ];
  for (const [column, value] of entries) if (value !== undefined) set[column] = value;
  return set;
}

/** The email and phone identities the patch asks for (null: remove), with problems named. */
function contactIdentities(patch: CustomerPatch, problems: FieldProblem[]) {
  const wanted = new Map<'email' | 'phone', Identity | null>();
  if (patch.email !== undefined) {
    const email = patch.email?.trim() ? normaliseEmail(patch.email) : null;
    if (email === undefined) problems.push({ path: 'email', message: 'not an email address' });
    else wanted.set('email', email === null ? null : { kind: 'email', namespace: '', value: email });
  }
  if (patch.phone !== undefined) {
    const phone = patch.phone?.trim() ? normalisePhone(patch.phone) : null;
    if (phone === undefined)
      problems.push({ path: 'phone', message: 'not a valid phone number (Japanese numbers may omit +81)' });
    else wanted.set('phone', phone === null ? null : { kind: 'phone', namespace: '', value: phone });
  }
  return wanted;
}

/**
 * Applies a profile patch to a live customer inside the caller's transaction. Refuses with 409
 * when `updatedAt` no longer matches (someone else saved first) or when the new email or phone
 * belongs to another customer (a merge is the way to join them), and with 400 naming each bad
 * field.
 */
export async function updateCustomer(
  tx: Transaction<DB>,
  workspaceId: string,
  id: number,
  patch: CustomerPatch,
  now: Date,
): Promise<void> {
  const problems: FieldProblem[] = [];
  const columns = profileColumns(patch, problems);
  const wanted = contactIdentities(patch, problems);
  if (problems.length) throw invalid(problems);
  const row = await tx
    .selectFrom('customer')
    .select(['id', 'merged_into_id', sql<string>`date_trunc('milliseconds', updated_at)`.as('updated')])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .forNoKeyUpdate()
    .executeTakeFirst();
  if (!row || row.merged_into_id !== null) throw notFound(`customer ${id}`);
  if (patch.updatedAt && new Date(row.updated).getTime() !== new Date(patch.updatedAt).getTime())
    throw new DomainError(
      'conflict',
      'this customer was changed by someone else after you opened it; reload and edit again',
      [{ path: 'updatedAt', message: `is now ${new Date(row.updated).toISOString()}` }],
      { reason: 'customer_changed' },
    );
  await replaceContacts(tx, workspaceId, id, wanted);
  // Strictly later than the stored value even under a stopped test clock, so an editor holding
  // the old updatedAt is always refused.
  await sql`update customer set ${sql.join(
    [
      ...Object.entries(columns).map(([c, v]) => sql`${sql.ref(c)} = ${v}`),
      ...attributeUpdate(patch.attributes),
      sql`updated_at = greatest(${now}::timestamptz, date_trunc('milliseconds', updated_at) + interval '1 millisecond')`,
    ],
    sql`, `,
  )} where workspace_id = ${workspaceId} and id = ${id}`.execute(tx);
}

/** The stored attributes with the patch's keys set, and those given as null removed. */
function attributeUpdate(attributes: Record<string, unknown> | undefined) {
  if (!attributes || !Object.keys(attributes).length) return [];
  const set = Object.fromEntries(Object.entries(attributes).filter(([, v]) => v !== null));
  const removed = Object.keys(attributes).filter((k) => attributes[k] === null);
  return [sql`attributes = (attributes || ${JSON.stringify(set)}::jsonb) - ${removed}::text[]`];
}

async function replaceContacts(
  tx: Transaction<DB>,
  workspaceId: string,
  id: number,
  wanted: Map<'email' | 'phone', Identity | null>,
) {
  for (const [kind, identity] of wanted) {
    if (identity) {
      const holder = await tx
        .selectFrom('customer_identity')
        .select('customer_id')
        .where('workspace_id', '=', workspaceId)
        .where('kind', '=', kind)
        .where('namespace', '=', '')
        .where('value', '=', identity.value)
        .executeTakeFirst();
      if (holder && holder.customer_id !== id)
        throw new DomainError(
          'conflict',
          `${kind}: ${identity.value} belongs to customer ${holder.customer_id}; merge the two customers to join them`,
          [{ path: kind, message: `belongs to customer ${holder.customer_id}` }],
          { reason: 'identity_taken' },
        );
    }
    await tx
      .deleteFrom('customer_identity')
      .where('workspace_id', '=', workspaceId)
      .where('customer_id', '=', id)
      .where('kind', '=', kind)
      .$if(identity !== null, (q) => q.where('value', '!=', identity!.value))
      .execute();
    if (identity)
      await tx
        .insertInto('customer_identity')
        .values({ workspace_id: workspaceId, customer_id: id, ...identity })
        .onConflict((oc) => oc.columns(['workspace_id', 'kind', 'namespace', 'value']).doNothing())
        .execute();
  }
  if (!wanted.size) return;
  // Another transaction may have taken the address between the check and the insert: the retry
  // (RetryableConflict) then finds its holder and answers identity_taken.
  await assertIdentitiesHeld(
    tx,
    workspaceId,
    id,
    [...wanted.values()].filter((i) => i !== null),
  );
  const left = await tx
    .selectFrom('customer_identity')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', id)
    .executeTakeFirstOrThrow();
  if (Number(left.n) === 0)
    throw invalid([
      {
        path: wanted.has('email') ? 'email' : 'phone',
        message: 'a customer needs at least one of email, phone, LINE or an external id',
      },
    ]);
}
