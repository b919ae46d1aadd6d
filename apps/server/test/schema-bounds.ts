// Walks JSON schemas (the OpenAPI document's, and the ones shared/validate.ts compiled) for
// inputs without a bound: a string without maxLength, a list without maxItems, a map without
// maxProperties or bounded keys, and opaque values (any JSON) that something else must bound.

type Schema = Record<string, unknown>;

export interface Finding {
  /** Where: the operation or schema, then the JSON path inside it. */
  at: string;
  problem: string;
}

const COMBINERS = ['anyOf', 'oneOf', 'allOf'] as const;

function typesOf(schema: Schema): string[] {
  const type = schema.type;
  return Array.isArray(type) ? (type as string[]) : typeof type === 'string' ? [type] : [];
}

function isOpaque(schema: Schema): boolean {
  if (typesOf(schema).length)
    return schema.additionalProperties === true && typesOf(schema).includes('object');
  return (
    !COMBINERS.some((k) => k in schema) && !('const' in schema) && !('enum' in schema) && !('$ref' in schema)
  );
}

function checkNode(schema: Schema, at: string, out: Finding[]): void {
  const types = typesOf(schema);
  const fixed = 'const' in schema || 'enum' in schema;
  if (types.includes('string') && !fixed && typeof schema.maxLength !== 'number')
    out.push({ at, problem: 'string without maxLength' });
  if (types.includes('array') && typeof schema.maxItems !== 'number')
    out.push({ at, problem: 'array without maxItems' });
  const map =
    schema.patternProperties ??
    (typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined);
  if (types.includes('object') && map !== undefined) {
    if (typeof schema.maxProperties !== 'number') out.push({ at, problem: 'map without maxProperties' });
    const names = schema.propertyNames as Schema | undefined;
    if (typeof names?.maxLength !== 'number')
      out.push({ at, problem: 'map without propertyNames.maxLength' });
  }
  if (isOpaque(schema)) out.push({ at, problem: 'opaque value' });
}

/** Every unbounded place in `schema`, each named `at` + its JSON path. */
export function unboundedIn(schema: unknown, at: string, out: Finding[] = []): Finding[] {
  if (!schema || typeof schema !== 'object') return out;
  const node = schema as Schema;
  checkNode(node, at, out);
  const children: [string, unknown][] = [];
  for (const key of ['properties', 'patternProperties'] as const)
    for (const [name, child] of Object.entries((node[key] as Schema | undefined) ?? {}))
      children.push([`${at}.${name}`, child]);
  if (typeof node.additionalProperties === 'object') children.push([`${at}.*`, node.additionalProperties]);
  if (node.items) children.push([`${at}[]`, node.items]);
  // A bound beside anyOf applies to every branch (OpenAPI 3.0 writes a multi-type schema, such as
  // shared/bounded-json.ts's, as anyOf one branch per type under the parent's bounds).
  const inherited = Object.fromEntries(
    ['maxLength', 'maxItems', 'maxProperties', 'propertyNames']
      .filter((k) => k in node)
      .map((k) => [k, node[k]]),
  );
  for (const key of COMBINERS)
    for (const [i, child] of ((node[key] as unknown[] | undefined) ?? []).entries())
      children.push([
        `${at}|${i}`,
        child && typeof child === 'object' ? { ...inherited, ...(child as Schema) } : child,
      ]);
  for (const [path, child] of children) unboundedIn(child, path, out);
  return out;
}

interface Parameter {
  in: string;
  name: string;
  schema?: unknown;
}

interface Operation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

/**
 * The unbounded inputs of every operation: parameters and request bodies. Path parameters
 * without a schema of their own are bounded by the router (maxPathParam characters), so only a
 * maxLength below that is asked of them when they declare one.
 */
export function unboundedOperations(
  paths: Record<string, Record<string, Operation>>,
  maxPathParam: number,
): Finding[] {
  const out: Finding[] = [];
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const at = `${method.toUpperCase()} ${path}`;
      for (const parameter of operation.parameters ?? []) {
        const found = unboundedIn(parameter.schema, `${at} ${parameter.in}.${parameter.name}`);
        const schema = parameter.schema as Schema | undefined;
        const routerBound = parameter.in === 'path' && schema?.maxLength === undefined && maxPathParam <= 100;
        out.push(...(routerBound ? found.filter((f) => f.problem !== 'string without maxLength') : found));
      }
      for (const [type, content] of Object.entries(operation.requestBody?.content ?? {}))
        unboundedIn(content.schema, `${at} body(${type})`, out);
    }
  }
  return out;
}
