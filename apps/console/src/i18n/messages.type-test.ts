// Checked by `./kizuna typecheck` (never imported by the app): each @ts-expect-error below must
// stay an error, so a half-translated table can never compile. If defineMessages ever stopped
// catching these, the unused @ts-expect-error would fail the type check.
import { defineMessages } from './messages.ts';

export const complete = defineMessages({ title: '顧客', save: '保存' }, { title: 'Customers', save: 'Save' });

// @ts-expect-error: the English table lacks `save`.
export const missing = defineMessages({ title: '顧客', save: '保存' }, { title: 'Customers' });

// @ts-expect-error: the English table has a key the Japanese one does not.
export const extra = defineMessages({ title: '顧客' }, { title: 'Customers', save: 'Save' });

// @ts-expect-error: `t` takes only the table's keys.
complete.ja.nothing;
