// The sandbox's counters and runtime settings, read and changed by the control API and by the
// LineSandbox handle alike; kept apart from sandbox.ts, which registers the control routes.
import type { RateLimitOverrides } from './rate-limit.ts';
import type { SandboxState } from './state.ts';

/** Counters for assertions and the control API's `GET /sandbox/state`. */
export interface SandboxStats {
  /** API requests received per endpoint (`POST /v2/bot/message/multicast`), whatever the answer. */
  requests: Record<string, number>;
  /** Recipient-deliveries recorded (a multicast to 500 friends adds 500). */
  deliveries: number;
  /** Distinct users who received anything. */
  recipients: number;
  /** Users who received more than one request: 0 in an exactly-once run. */
  duplicateRecipients: number;
  /** Recipient-deliveries accepted but not delivered (blocked users). */
  undeliveredDeliveries: number;
  quota: { type: 'none' | 'limited'; value?: number; totalUsage: number };
  faults: { errors: number; drops: number; rateLimited: number; delayed: number };
  retryKeys: number;
  webhooks: { attempts: number; failed: number };
}

/** Runtime settings that `PUT /sandbox/config` and `LineSandbox.configure` change. */
export interface SandboxSettings {
  monthlyQuota?: number | null;
  requireTokens?: string[];
  webhookUrl?: string | null;
  webhookRedelivery?: boolean;
  channelSecret?: string;
  rateLimits?: RateLimitOverrides | false;
}

export function collectStats(state: SandboxState): SandboxStats {
  const attempts = state.webhooks.attempts;
  return {
    requests: Object.fromEntries(state.requestCounts),
    deliveries: state.received.deliveries,
    recipients: state.received.recipients,
    duplicateRecipients: state.received.duplicateRecipients,
    undeliveredDeliveries: state.undelivered.deliveries,
    quota: { ...state.quota.quotaBody(), totalUsage: state.quota.totalUsage() },
    faults: { ...state.faults.counts },
    retryKeys: state.retryKeys.size,
    webhooks: { attempts: attempts.length, failed: attempts.filter((a) => !a.ok).length },
  };
}

export function applySettings(state: SandboxState, s: SandboxSettings): void {
  if (s.monthlyQuota !== undefined) state.quota.setLimit(s.monthlyQuota);
  if (s.requireTokens !== undefined) {
    state.requiredTokens.clear();
    for (const t of s.requireTokens) state.requiredTokens.add(t);
  }
  if (s.webhookUrl !== undefined) state.webhooks.url = s.webhookUrl ?? undefined;
  if (s.webhookRedelivery !== undefined) state.webhooks.redelivery = s.webhookRedelivery;
  if (s.channelSecret !== undefined) state.webhooks.channelSecret = s.channelSecret;
  if (s.rateLimits !== undefined) state.rateLimiter.configure(s.rateLimits);
}

export function resetState(state: SandboxState): void {
  for (const store of [
    state.users,
    state.received,
    state.undelivered,
    state.retryKeys,
    state.replyTokens,
    state.linkTokens,
  ]) {
    store.clear();
  }
  for (const store of [state.richMenus, state.audiences, state.narrowcasts, state.webhooks]) store.clear();
  state.login.clear();
  state.quota.reset();
  state.faults.reset();
  state.rateLimiter.reset();
  state.requestCounts.clear();
}
