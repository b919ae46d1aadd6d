// Stable experiment assignment: a customer's bucket is a hash of (experiment, customer), so the
// same customer lands in the same group however often, in whatever order and on whichever worker
// the assignment runs (a re-entering journey customer stays in their group). Journeys use the
// same functions with their own experiment ids.
import { createHash } from 'node:crypto';

/** Buckets per experiment: holdout percentages have two decimals (12.5% = buckets 0–1249). */
export const BUCKETS = 10_000;

/** The customer's bucket in an experiment, 0–9999: the first 32 bits of SHA-256, mod 10,000. */
export function experimentBucket(experimentId: string, customerId: number): number {
  const digest = createHash('sha256').update(`${experimentId}\u0000${customerId}`).digest();
  return digest.readUInt32BE(0) % BUCKETS;
}

/** Whether the customer is in the holdout (control group): the lowest `percent`% of buckets. */
export function inHoldout(experimentId: string, customerId: number, percent: number): boolean {
  return experimentBucket(experimentId, customerId) < Math.round(percent * (BUCKETS / 100));
}

/**
 * The variant a customer gets, by weight, from a second hash (salted `/variant`), so the split
 * among the messaged is independent of who was held out.
 *
 * @example
 * pickVariant('ws/campaign:12', 42, [{ key: 'A', weight: 1 }, { key: 'B', weight: 1 }]); // 'A' or 'B', always the same
 */
export function pickVariant(
  experimentId: string,
  customerId: number,
  variants: readonly { key: string; weight: number }[],
): string {
  const total = variants.reduce((s, v) => s + v.weight, 0);
  if (!(total > 0)) throw new RangeError('pickVariant: the weights must add up to more than 0');
  const point = (experimentBucket(`${experimentId}/variant`, customerId) / BUCKETS) * total;
  let sum = 0;
  for (const v of variants) {
    sum += v.weight;
    if (point < sum) return v.key;
  }
  return variants.at(-1)!.key;
}

export interface Assignment {
  customerId: number;
  bucket: number;
  /** null: in the holdout. */
  variantKey: string | null;
}

/** Holdout and variant for each customer of an audience. */
export function assignAudience(
  experimentId: string,
  customerIds: readonly number[],
  holdoutPercent: number,
  variants: readonly { key: string; weight: number }[],
): Assignment[] {
  const cut = Math.round(holdoutPercent * (BUCKETS / 100));
  return customerIds.map((customerId) => {
    const bucket = experimentBucket(experimentId, customerId);
    return {
      customerId,
      bucket,
      variantKey: bucket < cut ? null : pickVariant(experimentId, customerId, variants),
    };
  });
}
