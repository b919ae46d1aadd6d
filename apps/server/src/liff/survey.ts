// The first-open survey's questions, per workspace. Four kinds map onto the customer's own
// fields (age band, gender, favourite store, interests); the rest are the shop's own questions,
// saved as customer attributes under their key. Labels are Japanese first, English optional.

import type { Kysely } from 'kysely';
import { type Static, Type } from 'typebox';
import type { DB } from '../db/schema.ts';
import { type FieldProblem, invalid } from '../shared/domain-error.ts';
import { listStores } from '../stores/stores.ts';
import './liff-tables.ts';

export const QUESTION_KINDS = [
  'age_band',
  'gender',
  'favorite_store',
  'interests',
  'single_choice',
  'multi_choice',
  'text',
] as const;
export type QuestionKind = (typeof QUESTION_KINDS)[number];

const Label = Type.String({ minLength: 1, maxLength: 200 });
export const SurveyOption = Type.Object(
  {
    value: Type.String({ minLength: 1, maxLength: 100 }),
    labelJa: Label,
    labelEn: Type.Optional(Label),
  },
  { additionalProperties: false },
);
export const SurveyQuestion = Type.Object(
  {
    key: Type.String({ pattern: '^[a-z][a-z0-9_]{0,39}$', maxLength: 40 }),
    kind: Type.Union([
      Type.Literal('age_band'),
      Type.Literal('gender'),
      Type.Literal('favorite_store'),
      Type.Literal('interests'),
      Type.Literal('single_choice'),
      Type.Literal('multi_choice'),
      Type.Literal('text'),
    ]),
    labelJa: Label,
    labelEn: Type.Optional(Label),
    required: Type.Optional(Type.Boolean()),
    /** Choices for interests, single_choice and multi_choice; age_band and gender have defaults. */
    options: Type.Optional(Type.Array(SurveyOption, { maxItems: 50 })),
  },
  { additionalProperties: false },
);
export type SurveyQuestion = Static<typeof SurveyQuestion>;
export type SurveyOption = Static<typeof SurveyOption>;
export const MAX_QUESTIONS = 30;

/** The kinds that fill a customer field; each may appear once in a survey. */
const BUILT_IN: readonly QuestionKind[] = ['age_band', 'gender', 'favorite_store', 'interests'];

export const AGE_BANDS: SurveyOption[] = [
  { value: '10s', labelJa: '10代', labelEn: 'Teens' },
  { value: '20s', labelJa: '20代', labelEn: '20s' },
  { value: '30s', labelJa: '30代', labelEn: '30s' },
  { value: '40s', labelJa: '40代', labelEn: '40s' },
  { value: '50s', labelJa: '50代', labelEn: '50s' },
  { value: '60s', labelJa: '60代', labelEn: '60s' },
  { value: '70s_plus', labelJa: '70代以上', labelEn: '70 or older' },
];
export const GENDERS: SurveyOption[] = [
  { value: 'female', labelJa: '女性', labelEn: 'Female' },
  { value: 'male', labelJa: '男性', labelEn: 'Male' },
  { value: 'other', labelJa: 'その他', labelEn: 'Other' },
  { value: 'unanswered', labelJa: '回答しない', labelEn: 'Prefer not to say' },
];

/** The survey a workspace that configured none asks. */
export const DEFAULT_SURVEY: SurveyQuestion[] = [
  { key: 'age_band', kind: 'age_band', labelJa: '年代', labelEn: 'Age', required: false },
  { key: 'gender', kind: 'gender', labelJa: '性別', labelEn: 'Gender', required: false },
  {
    key: 'favorite_store',
    kind: 'favorite_store',
    labelJa: 'よく利用する店舗',
    labelEn: 'Favourite store',
    required: false,
  },
];

/** Checks what the schema cannot: unique keys, built-in kinds once each, choices where needed. */
export function checkSurvey(questions: SurveyQuestion[]): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const keys = new Set<string>();
  const kinds = new Set<QuestionKind>();
  questions.forEach((q, i) => {
    const path = `questions[${i}]`;
    if (keys.has(q.key)) problems.push({ path: `${path}.key`, message: `${q.key} is used twice` });
    keys.add(q.key);
    if (BUILT_IN.includes(q.kind)) {
      if (kinds.has(q.kind)) problems.push({ path: `${path}.kind`, message: `${q.kind} may appear once` });
      kinds.add(q.kind);
    } else if (q.key === 'age_band') {
      problems.push({ path: `${path}.key`, message: "age_band is the age_band question's attribute" });
    }
    const needsOptions = q.kind === 'interests' || q.kind === 'single_choice' || q.kind === 'multi_choice';
    if (needsOptions && (q.options?.length ?? 0) === 0)
      problems.push({ path: `${path}.options`, message: `a ${q.kind} question needs at least one option` });
    if (!needsOptions && q.options !== undefined && q.kind !== 'age_band')
      problems.push({ path: `${path}.options`, message: `a ${q.kind} question takes no options` });
    const values = new Set<string>();
    q.options?.forEach((o, j) => {
      if (values.has(o.value))
        problems.push({ path: `${path}.options[${j}].value`, message: `${o.value} is used twice` });
      values.add(o.value);
    });
  });
  return problems;
}

export async function loadSurvey(db: Kysely<DB>, workspaceId: string): Promise<SurveyQuestion[]> {
  const row = await db
    .selectFrom('liff_survey')
    .select('questions')
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  return row ? (row.questions as SurveyQuestion[]) : DEFAULT_SURVEY;
}

export async function saveSurvey(
  db: Kysely<DB>,
  workspaceId: string,
  questions: SurveyQuestion[],
  at: Date,
): Promise<SurveyQuestion[]> {
  const problems = checkSurvey(questions);
  if (problems.length) throw invalid(problems);
  const json = JSON.stringify(questions);
  await db
    .insertInto('liff_survey')
    .values({ workspace_id: workspaceId, questions: json, updated_at: at })
    .onConflict((oc) => oc.column('workspace_id').doUpdateSet({ questions: json, updated_at: at }))
    .execute();
  return questions;
}

/** The questions with every choice spelled out (age bands, genders, the workspace's stores). */
export async function resolvedSurvey(db: Kysely<DB>, workspaceId: string): Promise<SurveyQuestion[]> {
  const questions = await loadSurvey(db, workspaceId);
  const needsStores = questions.some((q) => q.kind === 'favorite_store');
  const stores = needsStores ? await listStores(db, workspaceId) : [];
  return questions.map((q) => {
    if (q.kind === 'age_band') return { ...q, options: q.options?.length ? q.options : AGE_BANDS };
    if (q.kind === 'gender') return { ...q, options: GENDERS };
    if (q.kind === 'favorite_store')
      return { ...q, options: stores.map((s) => ({ value: s.code, labelJa: s.name })) };
    return q;
  });
}
