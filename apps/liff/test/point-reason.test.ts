import { describe, expect, it } from 'vitest';
import { pointReason } from '../src/points/point-reason.ts';

describe('point history reasons in the member’s words', () => {
  it('translates the reasons the server writes and keeps a staff member’s own words', () => {
    const cases: [string, string, string][] = [
      ['till sale', '店頭でのお買い物', 'In-store purchase'],
      ['lot expired', '有効期限切れ', 'Expired'],
      ['merge', '会員情報の統合', 'Accounts combined'],
      ['merged into customer 42', '会員情報の統合', 'Accounts combined'],
      ['merged from customer 7', '会員情報の統合', 'Accounts combined'],
      ['order EC-1001', 'ご注文 EC-1001', 'Order EC-1001'],
      ['order EC-1001 refunded', 'ご注文 EC-1001 の返品', 'Order EC-1001 refunded'],
      ['order EC-1001 partly refunded', 'ご注文 EC-1001 の一部返品', 'Order EC-1001 partly refunded'],
      ['order EC-1001 cancelled', 'ご注文 EC-1001 のキャンセル', 'Order EC-1001 cancelled'],
      ['誕生日のお祝い（店長）', '誕生日のお祝い（店長）', '誕生日のお祝い（店長）'],
      ['order of the day', 'order of the day', 'order of the day'],
    ];
    for (const [reason, ja, en] of cases) {
      expect(pointReason(reason, 'ja')).toBe(ja);
      expect(pointReason(reason, 'en')).toBe(en);
    }
  });
});
