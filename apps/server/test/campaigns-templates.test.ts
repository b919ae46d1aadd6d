import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../src/shared/domain-error.ts';
import { renderForAudience } from '../src/templates/render-audience.ts';
import { validateContents } from '../src/templates/validate-content.ts';
import { addCustomer, addOrder, addProduct } from './campaigns-fixture.ts';
import { createTestApp, type TestApp } from './helpers.ts';

let t: TestApp;
let ws: string;
let hanako: number;
let nameless: number;

beforeAll(async () => {
  t = await createTestApp();
  ws = t.workspace.workspaceId;
  const db = t.database.db;
  hanako = await addCustomer(db, ws, {
    family: '山田',
    given: '花子',
    familyKana: 'ヤマダ',
    givenKana: 'ハナコ',
  });
  nameless = await addCustomer(db, ws);
  await sql`insert into loyalty_member (workspace_id, customer_id, member_no, balance, tier_code)
    values (${ws}, ${hanako}, 'M-1', 1250, 'gold')`.execute(db);
  const { rows } = await sql<{ id: number }>`insert into coupon_template (workspace_id, name, kind, value)
    values (${ws}, '500円OFF', 'amount_off', 500) returning id`.execute(db);
  await sql`insert into coupon (workspace_id, template_id, customer_id, code, valid_from, source)
    values (${ws}, ${rows[0]!.id}, ${hanako}, 'HANA-500', now(), 'test')`.execute(db);
  await addProduct(db, ws, 'BEAN', '深煎りブレンド豆', 1200);
  await addProduct(db, ws, 'CUP', 'マグカップ', 1500);
  const other = await addCustomer(db, ws);
  await addOrder(db, ws, other, '2026-05-01T10:00:00+09:00', ['BEAN', 'CUP']);
  await addOrder(db, ws, hanako, '2026-05-02T10:00:00+09:00', ['BEAN']);
});
afterAll(async () => t?.close());

async function problemsOf(content: unknown): Promise<{ path: string; message: string }[]> {
  try {
    await validateContents(
      t.database.db,
      ws,
      [{ base: 'variants[0].messages', content }],
      [hanako, nameless],
    );
  } catch (error) {
    if (error instanceof DomainError && error.code === 'invalid') return error.problems;
    throw error;
  }
  return [];
}

describe('Liquid templates', () => {
  it('renders names, kana, points, tier, coupon code and recommendations for each customer, set-based', async () => {
    const content = [
      {
        type: 'text',
        text: '{{ customer.given_name | default: "お客" }}様（{{ customer.given_name_kana }}）',
      },
      {
        type: 'flex',
        altText: '{{ customer.points }}ポイント',
        contents: {
          type: 'bubble',
          body: {
            type: 'box',
            layout: 'vertical',
            contents: [
              {
                type: 'text',
                text: '{{ customer.tier | upcase }} {% if coupon %}{{ coupon.code }}{% endif %}',
              },
              { type: 'text', text: '{% for p in recommendations limit:3 %}{{ p.name }}{% endfor %}' },
            ],
          },
        },
      },
    ];
    const [compiled] = await validateContents(t.database.db, ws, [{ base: 'messages', content }], [hanako]);
    const out = await renderForAudience(t.database.db, ws, compiled!, [hanako, nameless]);
    expect(out.failed).toEqual([]);
    type Rendered = [
      { text: string },
      { altText: string; contents: { body: { layout: string; contents: { text: string }[] } } },
    ];
    const [h, n] = out.rendered.map((r) => r.content as Rendered);
    expect(h![0].text).toBe('花子様（ハナコ）');
    expect(h![1].altText).toBe('1250ポイント');
    expect(h![1].contents.body.contents[0]!.text).toBe('GOLD HANA-500');
    // Hanako bought the beans; the mug was bought with them by another customer.
    expect(h![1].contents.body.contents[1]!.text).toBe('マグカップ');
    expect(n![0].text).toBe('お客様（）');
    expect(n![1].contents.body.contents[0]!.text).toBe(' ');
    // The flex layout and types are left alone, and the template itself is unchanged.
    expect(h![1].contents.body.layout).toBe('vertical');
    expect(content[0]!.text).toContain('{{');
  });

  it('refuses an unknown variable at save time with the JSON path, line, column and the sample that failed', async () => {
    const problems = await problemsOf([
      { type: 'text', text: 'こんにちは\n{{ customer.givn_name }}様' },
      {
        type: 'flex',
        altText: 'ok',
        contents: {
          type: 'bubble',
          body: {
            type: 'box',
            contents: [{ type: 'text', text: '{% if coupon %}{{ coupon.cod }}{% endif %}' }],
          },
        },
      },
    ]);
    expect(problems).toEqual([
      {
        path: 'variants[0].messages[0].text',
        message: 'Liquid line 2, column 4: undefined variable: customer.givn_name (synthetic customer 1)',
      },
      {
        // Only the synthetic customer with a coupon reaches the inside of the `if`.
        path: 'variants[0].messages[1].contents.body.contents[0].text',
        message: 'Liquid line 1, column 19: undefined variable: coupon.cod (synthetic customer 2)',
      },
    ]);
  });

  it('refuses unknown filters and unclosed tags as syntax errors, all of them at once', async () => {
    const problems = await problemsOf([
      { type: 'text', text: '{{ customer.given_name | shout }}' },
      { type: 'text', text: 'x {% if coupon %}' },
    ]);
    expect(problems.map((p) => p.path)).toEqual([
      'variants[0].messages[0].text',
      'variants[0].messages[1].text',
    ]);
    expect(problems[0]!.message).toMatch(/^Liquid line 1, column \d+: undefined filter: shout \(syntax\)$/);
    expect(problems[1]!.message).toMatch(/^Liquid line 1, column 3: tag \{% if coupon %\} not closed/);
  });

  it('cannot read files through include or render', async () => {
    const problems = await problemsOf([{ type: 'text', text: "{% include '/etc/passwd' %}" }]);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toContain('/etc/passwd');
  });
});
