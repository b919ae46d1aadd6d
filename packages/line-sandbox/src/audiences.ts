import { LineApiError } from './line-error.ts';
import {
  optionalBoolean,
  optionalString,
  Problems,
  requireArray,
  requireObject,
  requireString,
} from './validate.ts';
import { throwIfProblems } from './validate-message.ts';

/** An uploaded audience (a list of user ids to narrowcast to). */
export interface Audience {
  audienceGroupId: number;
  description: string;
  created: number;
  isIfaAudience: boolean;
  members: Set<string>;
  jobs: { audienceGroupJobId: number; description: string; audienceCount: number; created: number }[];
}

const AUDIENCE_LIFETIME_S = 180 * 24 * 60 * 60;
const MAX_AUDIENCES = 1000;
const MAX_PER_UPLOAD = 10_000;

function readIds(p: Problems, audiences: unknown): string[] {
  if (audiences === undefined) return [];
  if (!requireArray(p, audiences, 'audiences', 0, MAX_PER_UPLOAD)) return [];
  return audiences.map((a, i) => {
    const id = requireObject(p, a, `audiences[${i}]`) ? a.id : undefined;
    requireString(p, id, `audiences[${i}].id`, 1, 100);
    return String(id);
  });
}

/** Audiences uploaded through `POST|PUT /v2/bot/audienceGroup/upload`. */
export class AudienceStore {
  readonly #audiences = new Map<number, Audience>();
  readonly #clock: () => number;
  #nextId = 4_389_303_728_991;
  #nextJob = 1;

  constructor(clock: () => number) {
    this.#clock = clock;
  }

  get(id: number): Audience | undefined {
    return this.#audiences.get(id);
  }

  list(): Audience[] {
    return [...this.#audiences.values()];
  }

  /** `POST /v2/bot/audienceGroup/upload` (answered 202). */
  create(body: unknown): Record<string, unknown> {
    const p = new Problems();
    if (!requireObject(p, body, 'body')) throwIfProblems(p);
    const b = body as Record<string, unknown>;
    requireString(p, b.description, 'description', 1, 120);
    optionalString(p, b.uploadDescription, 'uploadDescription', 300);
    optionalBoolean(p, b.isIfaAudience, 'isIfaAudience');
    const ids = readIds(p, b.audiences);
    throwIfProblems(p);
    if (this.#audiences.size >= MAX_AUDIENCES) {
      throw new LineApiError('bad-request', 'The maximum number of audiences (1,000) has been reached');
    }
    const created = Math.floor(this.#clock() / 1000);
    const audience: Audience = {
      audienceGroupId: this.#nextId++,
      description: b.description as string,
      created,
      isIfaAudience: b.isIfaAudience === true,
      members: new Set(ids),
      jobs: [],
    };
    this.#audiences.set(audience.audienceGroupId, audience);
    this.#addJob(audience, String(b.uploadDescription ?? ''), ids.length);
    return { ...this.#summary(audience), createRoute: 'MESSAGING_API', permission: 'READ_WRITE' };
  }

  /** `PUT /v2/bot/audienceGroup/upload`: adds ids to an existing audience (answered 202). */
  add(body: unknown): Record<string, never> {
    const p = new Problems();
    if (!requireObject(p, body, 'body')) throwIfProblems(p);
    const b = body as Record<string, unknown>;
    const audience = this.#audiences.get(Number(b.audienceGroupId));
    if (audience === undefined) p.add('audienceGroupId', 'audience group not found');
    const ids = readIds(p, b.audiences);
    if (ids.length === 0) p.add('audiences', 'Size must be between 1 and 10000');
    throwIfProblems(p);
    for (const id of ids) audience?.members.add(id);
    if (audience) this.#addJob(audience, String(b.uploadDescription ?? ''), ids.length);
    return {};
  }

  /** `GET /v2/bot/audienceGroup/{id}` */
  describe(id: number): Record<string, unknown> {
    const audience = this.#audiences.get(id);
    if (audience === undefined) throw new LineApiError('not-found', 'Not found');
    return { audienceGroup: this.#summary(audience), jobs: audience.jobs };
  }

  delete(id: number): Record<string, never> {
    if (!this.#audiences.delete(id)) throw new LineApiError('not-found', 'Not found');
    return {};
  }

  clear(): void {
    this.#audiences.clear();
  }

  #summary(a: Audience): Record<string, unknown> {
    return {
      audienceGroupId: a.audienceGroupId,
      type: 'UPLOAD',
      description: a.description,
      status: 'READY',
      audienceCount: a.members.size,
      created: a.created,
      expireTimestamp: a.created + AUDIENCE_LIFETIME_S,
      isIfaAudience: a.isIfaAudience,
    };
  }

  #addJob(a: Audience, description: string, count: number): void {
    a.jobs.push({
      audienceGroupJobId: this.#nextJob++,
      description,
      audienceCount: count,
      created: a.created,
    });
  }
}
