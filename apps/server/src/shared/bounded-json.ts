import { type TSchema, type TUnsafe, Type } from 'typebox';

/**
 * Limits of free-form JSON that clients attach to records (customer attributes, event
 * properties). Every string, key, list and object has a bound, so no part of a request is
 * unbounded (issue #19: an unbounded string reached a quadratic regex and froze the process).
 */
export interface JsonBounds {
  /** Characters in one string value. */
  maxStringLength: number;
  /** Characters in one key. */
  maxKeyLength: number;
  /** Keys in one object. */
  maxProperties: number;
  /** Items in one list. */
  maxItems: number;
  /** Objects and lists inside the top-level object. */
  maxDepth: number;
}

export const DEFAULT_JSON_BOUNDS: JsonBounds = {
  maxStringLength: 2000,
  maxKeyLength: 100,
  maxProperties: 100,
  maxItems: 100,
  maxDepth: 4,
};

function objectOf(value: TSchema, bounds: JsonBounds, description?: string): TSchema {
  return Type.Record(Type.String(), value, {
    maxProperties: bounds.maxProperties,
    propertyNames: { maxLength: bounds.maxKeyLength },
    ...(description ? { description } : {}),
  });
}

function jsonValue(depth: number, bounds: JsonBounds): TSchema {
  // One schema with every JSON type listed, not a union of one schema per type: the API's
  // validator coerces types (`coerceTypes`), and in a union the first branch that can coerce
  // wins, so `null` became "" and `false` "false" under a string branch. A value whose type is
  // listed is never coerced. Each keyword applies only to its own type (maxLength to strings,
  // maxItems and items to lists, the property bounds to objects).
  const types = ['string', 'number', 'boolean', 'null'];
  if (depth === 0) return Type.Unsafe({ type: types, maxLength: bounds.maxStringLength });
  // The same inner schema object serves lists and objects; the schema is a tree, not recursive
  // ($ref), so the OpenAPI document spells the limits out.
  const inner = jsonValue(depth - 1, bounds);
  return Type.Unsafe({
    type: [...types, 'array', 'object'],
    maxLength: bounds.maxStringLength,
    maxItems: bounds.maxItems,
    items: inner,
    maxProperties: bounds.maxProperties,
    propertyNames: { maxLength: bounds.maxKeyLength },
    additionalProperties: inner,
  });
}

/**
 * A JSON object of bounded size and depth: `{ key: string | number | boolean | null | list | object }`.
 *
 * @example
 * attributes: Type.Optional(BoundedJsonObject('Custom attributes (merged into the stored ones)')),
 */
export function BoundedJsonObject(
  description?: string,
  bounds: JsonBounds = DEFAULT_JSON_BOUNDS,
): TUnsafe<Record<string, unknown>> {
  // Unsafe only names the static type: code reads the values as unknown, as before.
  return Type.Unsafe<Record<string, unknown>>(
    objectOf(jsonValue(bounds.maxDepth - 1, bounds), bounds, description),
  );
}
