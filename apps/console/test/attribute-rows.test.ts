// The profile editor's custom attributes: rows of text that keep each value's type, removed rows
// sent as null, unchanged keys not sent.
import { describe, expect, it } from 'vitest';
import { attributePatch, attributeRows } from '../src/customers/attribute-rows.ts';

const stored = { rank: 'B', visits: 3, vip: false, memo: '窓際の席', seats: [1, 2] };

describe('custom attribute rows', () => {
  it('round-trips unchanged: no patch', () => {
    expect(attributePatch(stored, attributeRows(stored))).toEqual({ problems: [] });
  });

  it('keeps types, sends only what changed, removes a deleted row with null, adds new rows as text', () => {
    const rows = attributeRows(stored).filter((r) => r.key !== 'memo');
    const edit = (key: string, value: string) => {
      rows.find((r) => r.key === key)!.value = value;
    };
    edit('visits', '12');
    edit('vip', 'true');
    edit('seats', '[3]');
    rows.push({ key: ' 好きな席 ', value: 'カウンター' });
    expect(attributePatch(stored, rows)).toEqual({
      patch: { visits: 12, vip: true, seats: [3], 好きな席: 'カウンター', memo: null },
      problems: [],
    });
  });

  it('names the rows that stop a save: an empty key, a repeated key, broken JSON', () => {
    const rows = [...attributeRows(stored), { key: '', value: 'x' }, { key: 'rank', value: 'C' }];
    rows.find((r) => r.key === 'seats')!.value = '[3';
    expect(attributePatch(stored, rows).problems).toEqual([
      { row: 2, kind: 'json' },
      { row: 5, kind: 'key' },
      { row: 6, kind: 'duplicate' },
    ]);
  });
});
