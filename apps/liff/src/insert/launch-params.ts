// What the LIFF URL carried: `?insert=TOKEN` (an insert QR on a packing slip) and `?src=CODE` (a
// tracked poster, receipt or leaflet). LINE hands the LIFF URL's query to the endpoint URL, where
// it is readable once liff.init has resolved (LINE passes it through liff.state first).
export interface LaunchParams {
  insert: string | undefined;
  src: string | undefined;
}

const TOKEN = /^[0-9a-z]{1,11}\.[A-Za-z0-9_-]{22}$/;
const CODE = /^[A-Za-z0-9_-]{1,40}$/;

export function launchParams(search: string = globalThis.location?.search ?? ''): LaunchParams {
  const query = new URLSearchParams(search);
  const insert = query.get('insert') ?? undefined;
  const src = query.get('src') ?? undefined;
  return {
    // A malformed token still opens the claim screen, which says the code cannot be read.
    insert: insert === undefined ? undefined : insert.slice(0, 60),
    src: src !== undefined && CODE.test(src) ? src : undefined,
  };
}

export function isInsertToken(token: string): boolean {
  return TOKEN.test(token);
}
