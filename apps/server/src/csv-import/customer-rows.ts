// Kizuna's customers CSV: one row per customer, matched to stored customers by its identities.
// An empty cell leaves the stored value as it is (a CSV cannot tell "clear" from "not given").
import { type CustomerInput, CustomerInput as CustomerInputSchema } from '../customers/customer-schema.ts';
import { type Identity, normaliseIdentities } from '../customers/identities.ts';
import { compileValidator } from '../shared/validate.ts';
import { type CsvHeader, cellOf, checkHeader, checkWidth } from './csv-header.ts';
import {
  normalisePostalCode,
  type Parsed,
  parseBoolean,
  parseDate,
  parseList,
  parseTimestamp,
} from './csv-values.ts';
import type { CsvRecord } from './read-csv.ts';
import { type RowProblem, toRowProblems } from './row-problem.ts';

export const CUSTOMER_COLUMNS = [
  'line_user_id',
  'email',
  'phone',
  'member_no',
  'family_name',
  'given_name',
  'family_name_kana',
  'given_name_kana',
  'birthday',
  'gender',
  'prefecture',
  'postal_code',
  'favorite_store_code',
  'interests',
  'tags',
  'registered_at',
  'acquisition_source',
  'email_marketing_consent',
  'line_marketing_consent',
] as const;

/** Besides the fixed columns: `external.NAMESPACE` (another system's id) and `attributes.NAME`. */
const DYNAMIC = /^(external|attributes)\.([A-Za-z0-9_]{1,40})$/;

const IDENTITY_COLUMNS = ['line_user_id', 'email', 'phone', 'member_no'] as const;

const FIELD_COLUMNS: Readonly<Record<string, string>> = {
  lineUserId: 'line_user_id',
  email: 'email',
  phone: 'phone',
  familyName: 'family_name',
  givenName: 'given_name',
  familyNameKana: 'family_name_kana',
  givenNameKana: 'given_name_kana',
  birthday: 'birthday',
  gender: 'gender',
  prefecture: 'prefecture',
  postalCode: 'postal_code',
  favoriteStoreCode: 'favorite_store_code',
  interests: 'interests',
  tags: 'tags',
  registeredAt: 'registered_at',
  acquisitionSource: 'acquisition_source',
};

const GENDERS: Readonly<Record<string, CustomerInput['gender']>> = {
  female: 'female',
  f: 'female',
  女性: 'female',
  女: 'female',
  male: 'male',
  m: 'male',
  男性: 'male',
  男: 'male',
  other: 'other',
  その他: 'other',
  unanswered: 'unanswered',
  無回答: 'unanswered',
  回答しない: 'unanswered',
};

const validator = compileValidator<CustomerInput>(CustomerInputSchema);

export function checkCustomerHeader(header: CsvHeader): RowProblem[] {
  const fixed = new Set<string>(CUSTOMER_COLUMNS);
  return checkHeader(
    header,
    (name) => fixed.has(name) || DYNAMIC.test(name),
    [[...IDENTITY_COLUMNS, ...header.names.filter((n) => n.startsWith('external.'))]],
    [...CUSTOMER_COLUMNS, 'external.NAMESPACE', 'attributes.NAME'],
  );
}

export interface CustomerRow {
  line: number;
  input: CustomerInput | undefined;
  /** The input's identities, normalised (what the import matches stored customers by). */
  identities: Identity[];
  problems: RowProblem[];
}

/**
 * Maps one record to the API's CustomerInput and checks it as the API would: the schema,
 * identity normalisation and the favourite store (against `storeCodes`, loaded once).
 */
export function customerFromRecord(
  header: CsvHeader,
  record: CsvRecord,
  storeCodes: ReadonlySet<string>,
): CustomerRow {
  const problems: RowProblem[] = [];
  const wide = checkWidth(header, record);
  if (wide) problems.push(wide);
  const cell = (column: string) => cellOf(header, record, column);
  const take = <T>(column: string, parse: (raw: string) => Parsed<T>): T | undefined => {
    const raw = cell(column);
    if (!raw) return undefined;
    const parsed = parse(raw);
    if (parsed.ok) return parsed.value;
    problems.push({ line: record.line, column, message: parsed.message });
    return undefined;
  };
  const input: CustomerInput = {};
  const columns: Record<string, string> = { ...FIELD_COLUMNS };
  const set = (field: keyof CustomerInput, value: unknown) => {
    if (value !== undefined && value !== '') (input as Record<string, unknown>)[field] = value;
  };
  set('lineUserId', cell('line_user_id'));
  set('email', cell('email'));
  set('phone', cell('phone'));
  const external: { namespace: string; value: string }[] = [];
  const attributes: Record<string, string> = {};
  for (const name of header.names) {
    const match = name === 'member_no' ? [name, 'external', 'member_no'] : DYNAMIC.exec(name);
    const value = match ? cell(name) : '';
    if (!match || !value) continue;
    if (match[1] === 'external') {
      columns[`external[${external.length}]`] = name;
      external.push({ namespace: match[2]!, value });
    } else {
      columns[`attributes.${match[2]}`] = name;
      attributes[match[2]!] = value;
    }
  }
  if (external.length) input.external = external;
  if (Object.keys(attributes).length) input.attributes = attributes;
  for (const field of ['familyName', 'givenName', 'familyNameKana', 'givenNameKana', 'prefecture'] as const)
    set(field, cell(FIELD_COLUMNS[field]!));
  set('acquisitionSource', cell('acquisition_source'));
  set('favoriteStoreCode', cell('favorite_store_code'));
  set('birthday', take('birthday', parseDate));
  set(
    'postalCode',
    take('postal_code', (raw) => {
      const code = normalisePostalCode(raw);
      return code
        ? { ok: true, value: code }
        : { ok: false, message: `not a Japanese postal code (7 digits): "${raw}"` };
    }),
  );
  set('registeredAt', take('registered_at', parseTimestamp));
  set(
    'gender',
    take('gender', (raw) => {
      const gender = GENDERS[raw.normalize('NFKC').toLowerCase()];
      return gender
        ? { ok: true, value: gender }
        : {
            ok: false,
            message: `must be female, male, other or unanswered (or 女性, 男性, その他, 無回答): "${raw}"`,
          };
    }),
  );
  const interests = cell('interests');
  if (interests) input.interests = parseList(interests);
  const tags = cell('tags');
  if (tags) input.tags = parseList(tags);
  const consents: NonNullable<CustomerInput['consents']> = [];
  for (const channel of ['email', 'line'] as const) {
    const column = `${channel}_marketing_consent`;
    const granted = take(column, parseBoolean);
    if (granted === undefined) continue;
    columns[`consents[${consents.length}]`] = column;
    consents.push({
      channel,
      purpose: 'marketing',
      status: granted ? 'granted' : 'revoked',
      source: 'csv_import',
    });
  }
  if (consents.length) input.consents = consents;

  addDistinct(problems, toRowProblems(validator.problems(input, ''), record.line, columns));
  const { identities, problems: identityProblems } = normaliseIdentities(input, '');
  addDistinct(problems, toRowProblems(identityProblems, record.line, columns));
  if (!identities.length && !identityProblems.length)
    problems.push({
      line: record.line,
      column: IDENTITY_COLUMNS.join('|'),
      message: 'needs at least one identity: line_user_id, email, phone or member_no',
    });
  if (input.favoriteStoreCode && !storeCodes.has(input.favoriteStoreCode))
    problems.push({
      line: record.line,
      column: 'favorite_store_code',
      message: `no store with code "${input.favoriteStoreCode}"`,
    });
  return { line: record.line, input: problems.length ? undefined : input, identities, problems };
}

/** A cell that failed to parse is not reported again by the schema: one message per column. */
function addDistinct(into: RowProblem[], more: RowProblem[]): void {
  for (const p of more) if (!into.some((q) => q.column === p.column)) into.push(p);
}
