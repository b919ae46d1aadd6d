/**
 * Seeded pseudo-random numbers (sfc32). The sandbox keeps separate streams for faults and for ids,
 * so that creating a user or sending a webhook never shifts which request gets the next fault.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

export function createRandom(seed: number): Random {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  // Discard the first outputs: sfc32 needs a few rounds to mix a small seed.
  for (let i = 0; i < 15; i++) next();
  return { next, int: (n) => Math.floor(next() * n) };
}

const HEX = '0123456789abcdef';
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** `length` lowercase hex digits. */
export function randomHex(random: Random, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += HEX[random.int(16)];
  return out;
}

/** A LINE user ID: `U` and 32 lowercase hex digits. */
export function newUserId(random: Random): string {
  return `U${randomHex(random, 32)}`;
}

/** A ULID (as LINE uses for `webhookEventId`): 48-bit time then 80 random bits, Crockford base32. */
export function newUlid(random: Random, timeMs: number): string {
  let time = '';
  let t = Math.floor(timeMs);
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let rest = '';
  for (let i = 0; i < 16; i++) rest += CROCKFORD[random.int(32)];
  return time + rest;
}

/** A v4-shaped UUID built from the stream (request ids, audience and menu ids stay repeatable). */
export function newUuid(random: Random): string {
  const h = randomHex(random, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${HEX[8 + random.int(4)]}${h.slice(17, 20)}-${h.slice(20)}`;
}
