// A customer's bucket 0..99 in an experiment, from a hash of (experiment, customer): the same
// customer lands in the same bucket every time, so a re-entering customer takes the same branch.
import { createHash } from 'node:crypto';

/** 0..99, stable for the pair. */
export function bucketOf(experiment: string, customerId: number): number {
  return createHash('sha256').update(`${experiment}:${customerId}`).digest().readUInt32BE(0) % 100;
}
