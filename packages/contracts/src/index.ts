// The HTTP API's contract for the console, the LIFF app and any other client: the generated
// types (`paths`, `components`) and a typed fetch client over them. Nothing here imports the server.
import createFetchClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { paths } from './api.ts';

export type { components, operations, paths } from './api.ts';

/** A typed client of the Kizuna API: paths, parameters, bodies and responses are checked. */
export type KizunaClient = Client<paths>;

/**
 * Creates a typed client for a Kizuna server.
 * @example
 * const kizuna = createKizunaClient({ baseUrl: 'https://crm.example.jp', headers: { authorization: `Bearer ${key}` } });
 * const { data, error } = await kizuna.GET('/v1/customers/{id}', { params: { path: { id: 42 } } });
 */
export function createKizunaClient(options: ClientOptions): KizunaClient {
  return createFetchClient<paths>(options);
}
