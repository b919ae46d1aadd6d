// The ledger's reasons in the member's words. The server writes them for staff and the API
// (`till sale`, `order EC-1001 refunded`, `merged into customer 42`); a member reads what happened
// to their points. A staff member's own reason for a manual adjustment is shown as written.
import type { Language } from '../i18n/messages.ts';

const FIXED: Record<string, Record<Language, string>> = {
  'till sale': { ja: '店頭でのお買い物', en: 'In-store purchase' },
  'lot expired': { ja: '有効期限切れ', en: 'Expired' },
  merge: { ja: '会員情報の統合', en: 'Accounts combined' },
};

const ORDER_CHANGE: Record<string, Record<Language, (order: string) => string>> = {
  refunded: { ja: (o) => `ご注文 ${o} の返品`, en: (o) => `Order ${o} refunded` },
  'partly refunded': { ja: (o) => `ご注文 ${o} の一部返品`, en: (o) => `Order ${o} partly refunded` },
  cancelled: { ja: (o) => `ご注文 ${o} のキャンセル`, en: (o) => `Order ${o} cancelled` },
  pending: { ja: (o) => `ご注文 ${o} の保留`, en: (o) => `Order ${o} on hold` },
};

export function pointReason(reason: string, language: Language): string {
  const fixed = FIXED[reason];
  if (fixed) return fixed[language];
  // Another customer's number means nothing to the member (and is not theirs to see).
  if (/^merged (into|from) customer \d+$/.test(reason)) return FIXED.merge?.[language] ?? reason;
  const order = /^order (\S+)(?: (refunded|partly refunded|cancelled|pending))?$/.exec(reason);
  if (order) {
    const [, number = '', change] = order;
    if (change) return ORDER_CHANGE[change]?.[language](number) ?? reason;
    return language === 'ja' ? `ご注文 ${number}` : `Order ${number}`;
  }
  return reason;
}
