// A member's answers to the first-open survey: read from and written to the customer (gender,
// favourite store, interests, and attributes for the age band and the shop's own questions), and
// LINE marketing consent. `liff_survey_response` records when the survey was answered, which is
// what tells the app to show it on first open.
import { type Kysely, sql } from 'kysely';
import { recordConsent } from '../customers/consent.ts';
import type { DB } from '../db/schema.ts';
import { transact } from '../db/transact.ts';
import type { Publish } from '../jobs/domain-topics.ts';
import { type FieldProblem, invalid, notFound } from '../shared/domain-error.ts';
import { resolvedSurvey, type SurveyQuestion } from './survey.ts';
import './liff-tables.ts';

export type Answer = string | string[] | null;

export interface MemberProfile {
  questions: SurveyQuestion[];
  answers: Record<string, Answer>;
  answeredAt: string | null;
  /** LINE marketing consent: granted, revoked, blocked, or null when never given. */
  marketingConsent: string | null;
}

export interface ProfileInput {
  answers: Record<string, Answer>;
  /** Whether the member wants the shop's news on LINE (お知らせを受け取る). */
  marketingConsent?: boolean | undefined;
}

const MAX_TEXT = 500;

export async function surveyAnsweredAt(db: Kysely<DB>, workspaceId: string, customerId: number) {
  const row = await db
    .selectFrom('liff_survey_response')
    .select('answered_at')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
  return row?.answered_at ?? null;
}

const multi = (q: SurveyQuestion) => q.kind === 'interests' || q.kind === 'multi_choice';

/** Each answer checked against its question; unknown keys and missing required answers named. */
function checkAnswers(questions: SurveyQuestion[], answers: Record<string, Answer>): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  for (const key of Object.keys(answers))
    if (!byKey.has(key)) problems.push({ path: `answers.${key}`, message: 'not a question of this survey' });
  for (const q of questions) {
    const path = `answers.${q.key}`;
    const answer = answers[q.key];
    const empty =
      answer === undefined ||
      answer === null ||
      answer === '' ||
      (Array.isArray(answer) && answer.length === 0);
    if (empty) {
      if (q.required) problems.push({ path, message: 'is required' });
      continue;
    }
    const allowed = new Set((q.options ?? []).map((o) => o.value));
    if (q.kind === 'text') {
      if (typeof answer !== 'string' || answer.length > MAX_TEXT)
        problems.push({ path, message: `expected text of at most ${MAX_TEXT} characters` });
    } else if (multi(q)) {
      if (!Array.isArray(answer)) problems.push({ path, message: 'expected a list of choices' });
      else
        answer.forEach((v, i) => {
          if (!allowed.has(v))
            problems.push({ path: `${path}[${i}]`, message: `${v} is not one of the choices` });
        });
    } else if (typeof answer !== 'string' || !allowed.has(answer)) {
      problems.push({ path, message: `${String(answer)} is not one of the choices` });
    }
  }
  return problems;
}

/** The customer's current answers, read back from where they were saved. */
async function currentAnswers(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
  questions: SurveyQuestion[],
) {
  const row = await db
    .selectFrom('customer')
    .leftJoin('store', (j) =>
      j
        .onRef('store.workspace_id', '=', 'customer.workspace_id')
        .onRef('store.id', '=', 'customer.favorite_store_id'),
    )
    .select(['customer.gender', 'customer.interests', 'customer.attributes', 'store.code as store_code'])
    .where('customer.workspace_id', '=', workspaceId)
    .where('customer.id', '=', customerId)
    .executeTakeFirst();
  if (!row) throw notFound('customer');
  const attributes = (row.attributes ?? {}) as Record<string, unknown>;
  const answers: Record<string, Answer> = {};
  for (const q of questions) {
    const stored =
      q.kind === 'gender'
        ? row.gender
        : q.kind === 'favorite_store'
          ? row.store_code
          : q.kind === 'interests'
            ? row.interests
            : attributes[q.key];
    answers[q.key] = stored === undefined ? null : (stored as Answer);
  }
  return answers;
}

export async function readProfile(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: number,
): Promise<MemberProfile> {
  const questions = await resolvedSurvey(db, workspaceId);
  const consent = await db
    .selectFrom('customer_consent')
    .select('status')
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', '=', customerId)
    .where('channel', '=', 'line')
    .where('purpose', '=', 'marketing')
    .executeTakeFirst();
  const answeredAt = await surveyAnsweredAt(db, workspaceId, customerId);
  return {
    questions,
    answers: await currentAnswers(db, workspaceId, customerId, questions),
    answeredAt: answeredAt?.toISOString() ?? null,
    marketingConsent: consent?.status ?? null,
  };
}

/**
 * Saves the member's answers (the keys given; null clears an optional one) to the customer and
 * records consent, in one transaction, then announces the change to segments and journeys.
 */
export async function saveProfile(
  db: Kysely<DB>,
  member: { workspaceId: string; customerId: number; lineUserId: string },
  input: ProfileInput,
  now: Date,
  publish: Publish | undefined,
): Promise<MemberProfile> {
  const { workspaceId, customerId } = member;
  const questions = await resolvedSurvey(db, workspaceId);
  const problems = checkAnswers(questions, input.answers);
  if (problems.length) throw invalid(problems);
  const stores = new Map<string, number>();
  const storeQuestion = questions.find((q) => q.kind === 'favorite_store');
  const storeCode = storeQuestion ? input.answers[storeQuestion.key] : undefined;
  if (typeof storeCode === 'string') {
    const store = await db
      .selectFrom('store')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('code', '=', storeCode)
      .executeTakeFirst();
    if (store) stores.set(storeCode, store.id);
  }
  await transact(db, async (tx) => {
    const patch: Record<string, unknown> = {};
    const setAttributes: Record<string, Answer> = {};
    const clearAttributes: string[] = [];
    for (const q of questions) {
      if (!(q.key in input.answers)) continue;
      // The body's validator coerces a JSON null to '' where a string is allowed (the first
      // branch of AnswerValue), so '' and [] mean "no answer" like null: gender '' would break
      // the customer's gender check and fail the whole save.
      const given = input.answers[q.key] ?? null;
      const answer = given === '' || (Array.isArray(given) && given.length === 0) ? null : given;
      if (q.kind === 'gender') patch.gender = answer;
      else if (q.kind === 'favorite_store')
        patch.favorite_store_id = typeof answer === 'string' ? stores.get(answer) : null;
      else if (q.kind === 'interests') patch.interests = Array.isArray(answer) ? answer : [];
      else if (answer === null) clearAttributes.push(q.key);
      else setAttributes[q.key] = answer;
    }
    await tx
      .updateTable('customer')
      .set({
        ...patch,
        attributes: sql`(attributes || ${JSON.stringify(setAttributes)}::jsonb) - ${clearAttributes}::text[]`,
        updated_at: now,
      })
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', customerId)
      .execute();
    if (input.marketingConsent !== undefined)
      await recordConsent(tx, workspaceId, customerId, {
        channel: 'line',
        purpose: 'marketing',
        status: input.marketingConsent ? 'granted' : 'revoked',
        source: 'liff_survey',
        actor: `liff:${member.lineUserId}`,
        occurredAt: now,
      });
    await tx
      .insertInto('liff_survey_response')
      .values({ workspace_id: workspaceId, customer_id: customerId, answered_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'customer_id']).doUpdateSet({ answered_at: now }))
      .execute();
    await publish?.(tx, 'customers.changed', { workspaceId, customerIds: [customerId] });
  });
  return readProfile(db, workspaceId, customerId);
}
