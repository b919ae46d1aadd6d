// The editor's wording of the server's template problems, fed with what the real server answers
// (so a changed server message shows up here, not as English text under a Japanese field): each
// problem lands under the field it names, in Japanese, with the MJML line where it has one.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../server/test/helpers.ts';
import { editorMessages } from '../src/email/editor-messages.ts';
import { emptyFields, NEW_DRAFT, previewBody } from '../src/email/template-draft.ts';
import { fieldProblems, type ProblemKey } from '../src/email/template-problems.ts';
import { fill } from '../src/i18n/messages.ts';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const ja = (key: ProblemKey, vars?: Readonly<Record<string, string | number>>) =>
  fill(editorMessages.ja[key], vars);

const mjml = (body: string) =>
  `<mjml>\n<mj-body>\n<mj-section>\n<mj-column>\n<mj-text>\n${body}\n</mj-text>\n</mj-column>\n</mj-section>\n</mj-body>\n</mjml>`;

async function problemsOf(payload: Record<string, unknown>, method: 'POST' | 'PUT' = 'POST', id?: number) {
  const res = await t.app.inject({
    method,
    url: id ? `/v1/email/templates/${id}` : '/v1/email/templates',
    headers: t.auth,
    payload,
  });
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400);
  return fieldProblems(res.json().error.problems, ja);
}

it("puts each of the server's problems under its field, in Japanese", async () => {
  expect(
    await problemsOf({
      name: '冬',
      subject: '{{ customer.given_name }様',
      mjml: mjml('<p>{{ customer.givn_name }}様</p>').replace('<mj-column>', '<mj-colum>'),
    }),
  ).toEqual({
    other: [],
    subject: [expect.stringMatching(/^\d+文字目：差し込みの書き方が正しくありません（.+）。詳細：.+$/)],
    mjml: [expect.stringMatching(/^4行目：MJML の書き方が正しくありません（Element mj-colum .+）$/)],
  });
  expect(
    await problemsOf({ name: '冬', subject: 'こんにちは', mjml: mjml('<p>{{ customer.givn_name }}様</p>') }),
  ).toEqual({
    other: [],
    mjml: [
      '6行目 7文字目：「customer.givn_name」という差し込み項目はありません。下の「差し込める項目」の名前を使ってください',
    ],
  });
  // The name and subject are checked first; their problems come alone.
  expect(await problemsOf({ name: '冬', subject: '件名\n2行目', mjml: mjml('x') })).toEqual({
    other: [],
    subject: ['改行を入れずに1行で入力してください'],
  });
  for (const notMjml of ['<mjml></mjml>', 'こんにちは', '<mjml><mj-head></mj-head></mjml>'])
    expect(await problemsOf({ name: '冬', subject: '冬', mjml: notMjml }), notMjml).toEqual({
      other: [],
      mjml: ['本文は <mjml> で始まり、<mj-body> を含む MJML にしてください'],
    });
  expect(await problemsOf({ name: '冬', subject: '{{ customer.name | shout }}', mjml: mjml('x') })).toEqual({
    other: [],
    subject: [expect.stringMatching(/^\d+文字目：「shout」という変換（\| の後ろ）はありません$/)],
  });

  const saved = await t.app.inject({
    method: 'POST',
    url: '/v1/email/templates',
    headers: t.auth,
    payload: { name: '冬のメルマガ', subject: '冬', mjml: mjml('x') },
  });
  expect(saved.statusCode, saved.body).toBe(201);
  expect(await problemsOf({ name: '冬のメルマガ', subject: '冬', mjml: mjml('x') })).toEqual({
    other: [],
    name: ['同じ名前のテンプレートがすでにあります。別の名前にしてください'],
  });
});

it('previews a new template as it starts (the starter MJML), greeting the sample customer', async () => {
  const body = previewBody({ ...NEW_DRAFT, subject: '{{ customer.given_name }}様へ' }, undefined);
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/email/templates/preview',
    headers: t.auth,
    payload: body,
  });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.json().subject).toBe('花子様へ');
  expect(res.json().text).toContain('花子様');
});

it('checks empty fields before saving, and previews only with a subject and a body', () => {
  expect(emptyFields(NEW_DRAFT).map((p) => p.path)).toEqual(['name', 'subject']);
  expect(fieldProblems(emptyFields({ ...NEW_DRAFT, mjml: ' ' }), ja)).toEqual({
    other: [],
    name: ['入力してください'],
    subject: ['入力してください'],
    mjml: ['入力してください'],
  });
  expect(previewBody(NEW_DRAFT, undefined)).toBeUndefined();
  // The name is not sent: typing it asks for no new preview.
  expect(previewBody({ ...NEW_DRAFT, name: '冬', subject: '件名' }, 12)).toEqual({
    name: 'preview',
    subject: '件名',
    mjml: NEW_DRAFT.mjml,
    kind: 'marketing',
    customerId: 12,
  });
});
