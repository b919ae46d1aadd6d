import type { FastifyInstance } from 'fastify';

/**
 * The methods each registered path answers, so that a request for a known path with another
 * method gets 405 and an Allow header instead of 404. Fastify's router does not answer "which
 * methods would match this URL", so the index keeps the route patterns (`/v1/customers/:id`,
 * `/docs/*`) and matches a path segment by segment, as find-my-way does for Kizuna's routes
 * (plain segments, `:param` segments and a trailing `*`).
 */
export interface RouteIndex {
  /** The methods some route with a pattern matching `path` answers, sorted; empty when none. */
  methodsFor(path: string): string[];
}

interface Pattern {
  segments: string[];
  wildcard: boolean;
  methods: Set<string>;
}

function matches(pattern: Pattern, segments: string[]): boolean {
  if (
    pattern.wildcard ? segments.length < pattern.segments.length : segments.length !== pattern.segments.length
  )
    return false;
  return pattern.segments.every(
    (part, i) => part === segments[i] || (part.startsWith(':') && segments[i] !== ''),
  );
}

/** Collects every route added after this call (install it before the routes). */
export function installRouteIndex(app: FastifyInstance): RouteIndex {
  const patterns = new Map<string, Pattern>();
  app.addHook('onRoute', (route) => {
    // The console's catch-all GET (web-console/) matches every path but answers only pages; a
    // POST to an unknown API path stays a 404, not a 405 that offers GET.
    if (route.config?.consolePage) return;
    const url = route.url;
    const wildcard = url.endsWith('*');
    const key = url;
    const pattern = patterns.get(key) ?? {
      segments: (wildcard ? url.slice(0, -1) : url).split('/').filter((part, i, all) => {
        // A trailing `*` leaves an empty last segment ("/docs/*" → ["", "docs", ""]).
        return !(wildcard && i === all.length - 1 && part === '');
      }),
      wildcard,
      methods: new Set<string>(),
    };
    for (const method of [route.method].flat()) pattern.methods.add(method);
    patterns.set(key, pattern);
  });
  return {
    methodsFor(path) {
      const segments = path.split('/');
      const methods = new Set<string>();
      for (const pattern of patterns.values())
        if (matches(pattern, segments)) for (const m of pattern.methods) methods.add(m);
      return [...methods].sort();
    },
  };
}
