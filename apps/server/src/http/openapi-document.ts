// The OpenAPI document of the HTTP API, built from the real route registrars (their TypeBox
// schemas are the contract). `@kizuna/contracts` is generated from it; its drift test compares.
import { type Database, openDatabase } from '../db/open-database.ts';
import { buildApp } from './app.ts';

/** A JSON object as the document holds it. */
export type OpenApiDocument = Record<string, unknown> & { paths?: Record<string, unknown> };

/**
 * Builds the app and returns `app.swagger()` as plain JSON, so the result compares equal to the
 * committed file. Without `database`, on an empty in-memory PGlite (registering routes reads no
 * table); a test passes the database it already has, which the document does not depend on.
 * @example
 * const document = await buildOpenApiDocument();
 * writeFileSync('openapi.json', `${JSON.stringify(document, null, 2)}\n`);
 */
export async function buildOpenApiDocument(options: { database?: Database } = {}): Promise<OpenApiDocument> {
  const database = options.database ?? (await openDatabase({ kind: 'pglite' }));
  try {
    const app = await buildApp({ database, logger: false });
    try {
      await app.ready();
      return JSON.parse(JSON.stringify(app.swagger())) as OpenApiDocument;
    } finally {
      await app.close();
    }
  } finally {
    if (!options.database) await database.close();
  }
}

/**
 * Where two documents first differ, as a readable place (`paths./v1/customers`, `components`),
 * or undefined when they are equal. Paths are compared one by one so that the message names the
 * route whose schema changed.
 */
export function firstDifference(actual: OpenApiDocument, expected: OpenApiDocument): string | undefined {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  for (const key of keys) {
    if (key !== 'paths') {
      if (JSON.stringify(actual[key]) !== JSON.stringify(expected[key])) return key;
      continue;
    }
    const a = actual.paths ?? {};
    const e = expected.paths ?? {};
    for (const path of [...new Set([...Object.keys(a), ...Object.keys(e)])].sort()) {
      if (!(path in e)) return `paths.${path} (new route, not in the committed document)`;
      if (!(path in a)) return `paths.${path} (in the committed document, no longer served)`;
      if (JSON.stringify(a[path]) !== JSON.stringify(e[path])) return `paths.${path}`;
    }
  }
  return undefined;
}
