import { parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { FieldProblem } from '../shared/domain-error.ts';
import { isEmailAddress, MAX_EMAIL_LENGTH } from '../shared/email.ts';
import type { IdentityKind } from './customer-tables.ts';

/** An identity after normalisation: the key it is unique under within a workspace. */
export interface Identity {
  kind: IdentityKind;
  namespace: string;
  value: string;
}

/** How clients name identities in API bodies and CSV columns. */
export interface IdentityInput {
  lineUserId?: string;
  email?: string;
  phone?: string;
  external?: { namespace: string; value: string }[];
}

const LINE_USER_ID = /^U[0-9a-f]{32}$/;
const NAMESPACE = /^[a-z][a-z0-9_]{0,39}$/;

/** Normalises a phone number to E.164, reading numbers without a country code as Japanese. */
export function normalisePhone(raw: string): string | undefined {
  // libphonenumber refuses more than 250 characters; refuse them before normalising.
  if (raw.length > 250) return undefined;
  // Full-width digits and hyphens are common in Japanese forms: ０９０ー１２３４ー５６７８.
  const halfWidth = raw
    .normalize('NFKC')
    .replace(/[ー−‐]/g, '-')
    .trim();
  try {
    const phone = parsePhoneNumberWithError(halfWidth, 'JP');
    return phone.isValid() ? phone.number : undefined;
  } catch {
    return undefined;
  }
}

export function normaliseEmail(raw: string): string | undefined {
  // Normalising costs time in proportion to the input: a value this long is no address (CSV
  // columns reach here without a schema's maxLength).
  if (raw.length > 4 * MAX_EMAIL_LENGTH) return undefined;
  const email = raw.normalize('NFKC').trim().toLowerCase();
  return isEmailAddress(email) ? email : undefined;
}

/**
 * Validates and normalises the identities of one input; problems are named under `base`.
 * Returns the identities in a fixed order (line, email, phone, external).
 */
export function normaliseIdentities(
  input: IdentityInput,
  base: string,
): { identities: Identity[]; problems: FieldProblem[] } {
  const identities: Identity[] = [];
  const problems: FieldProblem[] = [];
  const at = (field: string) => (base ? `${base}.${field}` : field);
  if (input.lineUserId !== undefined) {
    if (LINE_USER_ID.test(input.lineUserId))
      identities.push({ kind: 'line', namespace: '', value: input.lineUserId });
    else
      problems.push({ path: at('lineUserId'), message: 'not a LINE userId (U followed by 32 hex digits)' });
  }
  if (input.email !== undefined) {
    const email = normaliseEmail(input.email);
    if (email) identities.push({ kind: 'email', namespace: '', value: email });
    else problems.push({ path: at('email'), message: 'not an email address' });
  }
  if (input.phone !== undefined) {
    const phone = normalisePhone(input.phone);
    if (phone) identities.push({ kind: 'phone', namespace: '', value: phone });
    else
      problems.push({
        path: at('phone'),
        message: 'not a valid phone number (Japanese numbers may omit +81)',
      });
  }
  for (const [i, ext] of (input.external ?? []).entries()) {
    if (!NAMESPACE.test(ext.namespace)) {
      problems.push({
        path: at(`external[${i}].namespace`),
        message: 'must be lower-case letters, digits and _ (e.g. member_no)',
      });
    } else if (!ext.value.trim()) {
      problems.push({ path: at(`external[${i}].value`), message: 'must not be empty' });
    } else {
      identities.push({ kind: 'external', namespace: ext.namespace, value: ext.value.trim() });
    }
  }
  return { identities, problems };
}

export function identityKey(identity: Identity): string {
  return `${identity.kind}\u0000${identity.namespace}\u0000${identity.value}`;
}

/** The API's view of a stored identity. */
export function describeIdentity(identity: Identity): string {
  return identity.kind === 'external'
    ? `external:${identity.namespace}:${identity.value}`
    : `${identity.kind}:${identity.value}`;
}
