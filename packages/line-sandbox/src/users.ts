import { newUserId, type Random } from './random.ts';

/** A test user as the sandbox knows them: the LINE profile plus friendship and demographics. */
export interface SandboxUser {
  userId: string;
  displayName: string;
  pictureUrl: string | undefined;
  statusMessage: string | undefined;
  language: string;
  /** True while the user is a friend (has followed and not blocked). */
  friend: boolean;
  /** Whether the user has ever followed, so a later follow is an unblock (`follow.isUnblocked`). */
  everFollowed: boolean;
  /** Demographics used by narrowcast filters; unknown attributes never match a filter. */
  gender: 'male' | 'female' | undefined;
  age: number | undefined;
  appType: 'ios' | 'android' | undefined;
  area: string | undefined;
}

/** What a test passes to create a user; only `displayName` is needed. */
export interface UserInput {
  userId?: string;
  displayName?: string;
  pictureUrl?: string;
  statusMessage?: string;
  language?: string;
  friend?: boolean;
  gender?: 'male' | 'female';
  age?: number;
  appType?: 'ios' | 'android';
  area?: string;
}

export const USER_ID_PATTERN = /^U[0-9a-f]{32}$/;
/** Push accepts users, groups (`C…`) and rooms (`R…`). */
export const PUSH_TARGET_PATTERN = /^[UCR][0-9a-f]{32}$/;

/** The registry of test users. Profile lookups answer 404 for anyone unknown or not a friend. */
export class UserRegistry {
  readonly #users = new Map<string, SandboxUser>();
  readonly #random: Random;

  constructor(random: Random) {
    this.#random = random;
  }

  /**
   * Adds a user, or updates the one with the same id.
   * @example sandbox.users.create({ displayName: 'Sato Hanako', language: 'ja' })
   */
  create(input: UserInput = {}): SandboxUser {
    const userId = input.userId ?? newUserId(this.#random);
    if (!USER_ID_PATTERN.test(userId)) {
      throw new Error(`userId: must be U followed by 32 lowercase hex digits, got "${userId}"`);
    }
    const previous = this.#users.get(userId);
    const user: SandboxUser = {
      userId,
      displayName: input.displayName ?? previous?.displayName ?? `User ${userId.slice(1, 7)}`,
      pictureUrl: input.pictureUrl ?? previous?.pictureUrl,
      statusMessage: input.statusMessage ?? previous?.statusMessage,
      language: input.language ?? previous?.language ?? 'ja',
      friend: input.friend ?? previous?.friend ?? true,
      everFollowed: previous?.everFollowed ?? input.friend ?? true,
      gender: input.gender ?? previous?.gender,
      age: input.age ?? previous?.age,
      appType: input.appType ?? previous?.appType,
      area: input.area ?? previous?.area,
    };
    this.#users.set(userId, user);
    return user;
  }

  get(userId: string): SandboxUser | undefined {
    return this.#users.get(userId);
  }

  list(): SandboxUser[] {
    return [...this.#users.values()];
  }

  /** Friends only, in creation order (broadcast and narrowcast targets). */
  friends(): SandboxUser[] {
    return this.list().filter((u) => u.friend);
  }

  get size(): number {
    return this.#users.size;
  }

  /** Marks the user a friend (follow / unblock), creating them if needed. Returns whether they were blocked. */
  setFriend(userId: string, friend: boolean): { user: SandboxUser; wasKnown: boolean } {
    const existing = this.#users.get(userId);
    if (existing) {
      existing.friend = friend;
      return { user: existing, wasKnown: true };
    }
    return { user: this.create({ userId, friend }), wasKnown: false };
  }

  clear(): void {
    this.#users.clear();
  }
}

/** The profile body LINE returns from `GET /v2/bot/profile/{userId}`. */
export function profileBody(user: SandboxUser): Record<string, string> {
  const body: Record<string, string> = { userId: user.userId, displayName: user.displayName };
  if (user.pictureUrl !== undefined) body.pictureUrl = user.pictureUrl;
  if (user.statusMessage !== undefined) body.statusMessage = user.statusMessage;
  body.language = user.language;
  return body;
}
