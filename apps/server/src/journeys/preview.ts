// A journey preview: what would happen to one customer entering now, over the next days, without
// sending or changing anything. Waits land on their exact JST instants, branches are evaluated on
// the customer's data as it is, a wait for an event assumes the event does not come (the timeout
// path), and each send says what the send policy would decide at its instant: sent, held or
// skipped for quiet hours, or skipped for consent, a missing address or (email) a suppressed one. The frequency cap
// is decided at send time against the messages sent by then, so the preview names it only.
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.ts';
import type { EmailSource } from '../email/email-source.ts';
import { consentSkipReason } from '../messaging/decisions.ts';
import { getSendPolicy, quietUntil } from '../messaging/send-policy.ts';
import { compileDefinition } from '../segments/compile-definition.ts';
import { invalid, notFound } from '../shared/domain-error.ts';
import { type ChannelReason, chooseChannel } from './channel-choice.ts';
import type { JourneyDefinition, JourneyNode } from './definition.ts';
import { isHeldOut } from './holdout.ts';
import { bucketOf } from './stable-bucket.ts';
import { parseDuration, waitEnd } from './wait-time.ts';

export interface PreviewStep {
  at: string;
  nodeId: string;
  type: JourneyNode['type'];
  /** For branches and waits for an event: the path taken. */
  path?: 'yes' | 'no';
  /** For sends: what the policy would decide at `at`. */
  decision?: { status: 'send' | 'held' | 'skipped'; reason?: string; until?: string };
  messages?: unknown[];
  /** For sends: `line` or `email`, and an email step's source (template id, or subject and MJML). */
  channel?: 'line' | 'email';
  /** A `line_then_email` send: why the customer would get `channel` (channel-choice.ts). */
  channelReason?: ChannelReason;
  email?: EmailSource;
}

export interface JourneyPreview {
  journeyId: number;
  version: number;
  customerId: number;
  from: string;
  until: string;
  steps: PreviewStep[];
  /** Always true: nothing was sent or changed. */
  dryRun: true;
}

type Consent = 'granted' | 'revoked' | 'blocked' | null;

async function customerFacts(db: Kysely<DB>, workspaceId: string, customerId: number) {
  const { rows } = await sql<{
    line: string | null;
    consent: Consent;
    email: string | null;
    email_consent: Consent;
    suppressed: boolean;
    line_channel: boolean;
  }>`
    select l.value as line,
      exists (select 1 from line_channel lc where lc.workspace_id = c.workspace_id) as line_channel,
      (select status from customer_consent k where k.workspace_id = c.workspace_id and k.customer_id = c.id
        and k.channel = 'line' and k.purpose = 'marketing') as consent,
      e.value as email,
      (select status from customer_consent k where k.workspace_id = c.workspace_id and k.customer_id = c.id
        and k.channel = 'email' and k.purpose = 'marketing') as email_consent,
      exists (select 1 from email_suppression s where s.workspace_id = c.workspace_id
        and s.address = lower(e.value) and s.suppressed) as suppressed
    from customer c
    left join lateral (select value from customer_identity i where i.workspace_id = c.workspace_id
      and i.customer_id = c.id and i.kind = 'line' order by value limit 1) l on true
    left join lateral (select value from customer_identity i where i.workspace_id = c.workspace_id
      and i.customer_id = c.id and i.kind = 'email' order by value limit 1) e on true where c.workspace_id = ${workspaceId} and c.id = ${customerId} and c.merged_into_id is null`.execute(
    db,
  );
  if (!rows[0]) throw notFound(`customer ${customerId}`);
  return rows[0];
}

async function loadVersion(db: Kysely<DB>, workspaceId: string, journeyId: number) {
  const { rows } = await sql<{ version: number; definition: JourneyDefinition }>`
    select v.version, v.definition from journey j join journey_version v on v.workspace_id = j.workspace_id
      and v.journey_id = j.id and v.version = coalesce(j.live_version, j.latest_version)
    where j.workspace_id = ${workspaceId} and j.id = ${journeyId}`.execute(db);
  if (!rows[0]) throw notFound(`journey ${journeyId}`);
  return rows[0];
}

interface Walk {
  db: Kysely<DB>;
  workspaceId: string;
  journeyId: number;
  customerId: number;
  definition: JourneyDefinition;
  facts: Awaited<ReturnType<typeof customerFacts>>;
  policy: Awaited<ReturnType<typeof getSendPolicy>>;
  /** When the walk last passed each node (a click branch's window starts at its send). */
  visited: Map<string, Date>;
}

/** What the core would refuse the customer on the channel for: no address, suppression, consent. */
function refusal(w: Walk, channel: 'line' | 'email'): string | null {
  const f = w.facts;
  if (channel === 'line') return f.line === null ? 'no_line_identity' : consentSkipReason(f.consent);
  if (f.email === null) return 'no_email_identity';
  return consentSkipReason(f.email_consent) ?? (f.suppressed ? 'suppressed' : null);
}

function sendDecision(w: Walk, at: Date, channel: 'line' | 'email'): PreviewStep['decision'] {
  // The holdout is decided before the core is reached, as the engine does.
  if (isHeldOut(w.workspaceId, w.journeyId, w.definition, w.customerId))
    return { status: 'skipped', reason: 'holdout' };
  const refused = refusal(w, channel);
  const quiet = w.policy.quietHours ? quietUntil(w.policy.quietHours, at) : null;
  if (refused) return { status: 'skipped', reason: refused };
  if (quiet && w.definition.quietHours === 'skip') return { status: 'skipped', reason: 'quiet_hours' };
  if (quiet) return { status: 'held', reason: 'quiet_hours', until: quiet.toISOString() };
  return { status: 'send' };
}

/** One node of the walk: its step, the node it leads to and the instant that one is due. */
async function previewNode(
  w: Walk,
  node: JourneyNode,
  at: Date,
): Promise<{ step: PreviewStep; next?: string; at: Date }> {
  const step: PreviewStep = { at: at.toISOString(), nodeId: node.id, type: node.type };
  switch (node.type) {
    case 'send': {
      if (node.channel === 'line_then_email') {
        // The engine's choice on the customer's facts now (channel-choice.ts).
        const f = w.facts;
        const choice = chooseChannel(node.channelId !== undefined || f.line_channel, f.line, f.consent);
        const content = choice.channel === 'line' ? { messages: node.messages } : { email: node.email };
        const decision = sendDecision(w, at, choice.channel);
        const chosen = { channel: choice.channel, channelReason: choice.reason, ...content, decision };
        return { step: { ...step, ...chosen }, next: node.next, at };
      }
      const sent =
        node.channel === 'email'
          ? { channel: 'email' as const, email: node.email, decision: sendDecision(w, at, 'email') }
          : { channel: 'line' as const, messages: node.messages, decision: sendDecision(w, at, 'line') };
      return { step: { ...step, ...sent }, next: node.next, at };
    }
    case 'wait':
      return { step, next: node.next, at: waitEnd(node, at) };
    case 'waitForEvent':
      return {
        step: { ...step, path: 'no' },
        next: node.no,
        at: new Date(at.getTime() + (parseDuration(node.timeout) ?? 0)),
      };
    case 'branch': {
      if ('clicked' in node) {
        // As for a wait for an event: the click has not happened yet, so `no` at the window's end.
        const sent = w.visited.get(node.clicked.nodeId);
        const end = sent ? new Date(sent.getTime() + (parseDuration(node.clicked.within) ?? 0)) : at;
        return { step: { ...step, path: 'no' }, next: node.no, at: end > at ? end : at };
      }
      const yes =
        'random' in node
          ? bucketOf(`journey:${w.journeyId}`, w.customerId) < node.random.percent
          : (
              await compileDefinition(node.condition, {
                workspaceId: w.workspaceId,
                now: at,
                customerIds: [w.customerId],
              }).execute(w.db)
            ).rows.length > 0;
      return { step: { ...step, path: yes ? 'yes' : 'no' }, next: yes ? node.yes : node.no, at };
    }
    case 'action':
      return { step, next: node.next, at };
    case 'exit':
      return { step, at };
  }
}

/**
 * The preview of the live version (a draft's latest) for `customerId` entering at `now`, up to
 * `days` days on (at most 200 nodes).
 *
 * @example
 * const { steps } = await previewJourney(db, ws, 3, { customerId: 42, now: clock.now(), days: 30 });
 */
export async function previewJourney(
  db: Kysely<DB>,
  workspaceId: string,
  journeyId: number,
  options: { customerId: number; now: Date; days: number },
): Promise<JourneyPreview> {
  if (!Number.isInteger(options.days) || options.days < 1 || options.days > 366)
    throw invalid([{ path: 'days', message: 'must be an integer from 1 to 366' }]);
  const { version, definition } = await loadVersion(db, workspaceId, journeyId);
  const w: Walk = {
    db,
    workspaceId,
    journeyId,
    customerId: options.customerId,
    definition,
    facts: await customerFacts(db, workspaceId, options.customerId),
    policy: await getSendPolicy(db, workspaceId),
    visited: new Map(),
  };
  const end = new Date(options.now.getTime() + options.days * 86_400_000);
  const byId = new Map(definition.nodes.map((n) => [n.id, n]));
  const steps: PreviewStep[] = [];
  let node: JourneyNode | undefined = definition.nodes[0];
  let at = options.now;
  while (node && at <= end && steps.length < 200) {
    w.visited.set(node.id, at);
    const walked = await previewNode(w, node, at);
    steps.push(walked.step);
    at = walked.at;
    node = walked.next === undefined ? undefined : byId.get(walked.next);
  }
  const [from, until] = [options.now.toISOString(), end.toISOString()];
  return { journeyId, version, customerId: options.customerId, from, until, steps, dryRun: true };
}
