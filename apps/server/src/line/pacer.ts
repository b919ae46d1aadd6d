import { Pacer } from '../messaging/pacer.ts';

export { Pacer, sleep } from '../messaging/pacer.ts';

const pacers = new Map<string, Pacer>();

/** Endpoints Kizuna paces: multicast (200/s), push and the rich-menu bulk link/unlink (2,000/s). */
export type PacedEndpoint = 'multicast' | 'push' | 'richMenuBulk';

/** This process's pacer for a channel's endpoint (LINE limits per channel and endpoint). */
export function pacerFor(channelId: string, kind: PacedEndpoint): Pacer {
  const key = `${channelId}:${kind}`;
  let pacer = pacers.get(key);
  if (!pacer) {
    pacer = kind === 'multicast' ? new Pacer(200, 20) : new Pacer(2000, 100);
    pacers.set(key, pacer);
  }
  return pacer;
}
