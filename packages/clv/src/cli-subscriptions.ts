/** `kizuna clv subscriptions --subscriptions FILE`: subscription LTV per plan from a CSV. */
import { positiveNumber } from './cli-args.ts';
import { ClvError } from './errors.ts';
import { subscriptionLtvByPlan } from './subscription-ltv.ts';
import { subscriptionPlansText } from './subscription-text.ts';
import { parseJapanInstant, parseSubscriptionsCsv } from './subscriptions-csv.ts';

export function subscriptionsCommand(
  flags: Map<string, string>,
  readFile: (path: string) => Uint8Array,
  out: (text: string) => void,
): number {
  const file = flags.get('subscriptions');
  if (!file)
    throw new ClvError('invalid_input', '--subscriptions FILE is required', { field: 'subscriptions' });
  const payments = parseSubscriptionsCsv(new TextDecoder().decode(readFile(file)), file);
  const asOfText = flags.get('as-of');
  const asOf = asOfText
    ? (parseJapanInstant(asOfText) ??
      (() => {
        throw new ClvError('invalid_input', `--as-of is not a date: '${asOfText}'`, { field: 'as-of' });
      })())
    : new Date(payments.reduce((m, p) => Math.max(m, p.at.getTime()), 0));
  const minSubscribers = positiveNumber(flags, 'min-subscribers', 10);
  const plans = subscriptionLtvByPlan(payments, { asOf, minSubscribers });
  if (flags.has('json')) out(`${JSON.stringify({ asOf: asOf.toISOString(), plans })}\n`);
  else out(subscriptionPlansText(asOf, plans));
  return 0;
}
