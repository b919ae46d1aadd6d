// The card's own number and time formats against Intl's, which they stand in for on the first
// render (i18n/messages.ts says why).
import { describe, expect, it } from 'vitest';
import { formatCount, formatTime } from '../src/i18n/messages.ts';

describe('the card’s formats without Intl', () => {
  it('writes counts as ja-JP and English do', () => {
    for (const n of [0, 7, 999, 1000, 12_345, 999_999, 1_000_000, 123_456_789, -5, -1234, -1_000_000]) {
      expect(formatCount(n)).toBe(n.toLocaleString('ja-JP'));
      expect(formatCount(n)).toBe(n.toLocaleString('en'));
    }
  });

  it('writes Japan’s time as Intl does in Asia/Tokyo, across days and the year’s turn', () => {
    const start = Date.parse('2026-12-31T14:00:00Z');
    for (let minute = 0; minute < 36 * 60; minute += 7) {
      const iso = new Date(start + minute * 60_000 + 59_999).toISOString();
      const options = { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit' } as const;
      // The same text in both languages: ja-JP and en-GB both write HH:mm.
      expect(formatTime(iso)).toBe(new Date(iso).toLocaleTimeString('ja-JP', options));
      expect(formatTime(iso)).toBe(new Date(iso).toLocaleTimeString('en-GB', options));
    }
  });
});
