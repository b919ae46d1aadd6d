import type { ErrorDetail } from './line-error.ts';

/**
 * Collects validation problems with their property paths (`messages[0].text`), the way LINE
 * lists them in `details`. Each check returns whether it passed, so callers can skip dependent checks.
 */
export class Problems {
  readonly details: ErrorDetail[] = [];

  add(property: string, message: string): false {
    this.details.push({ message, property });
    return false;
  }

  get ok(): boolean {
    return this.details.length === 0;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(
  p: Problems,
  value: unknown,
  property: string,
): value is Record<string, unknown> {
  if (value === undefined || value === null) return p.add(property, 'must be specified');
  return isObject(value) || p.add(property, 'must be an object');
}

/** A required string of `min`..`max` UTF-16 units (LINE counts characters as Java does). */
export function requireString(
  p: Problems,
  value: unknown,
  property: string,
  min: number,
  max: number,
): boolean {
  if (value === undefined || value === null) return p.add(property, 'must be specified');
  if (typeof value !== 'string') return p.add(property, 'must be a string');
  if (value.length < min || value.length > max)
    return p.add(property, `Length must be between ${min} and ${max}`);
  return true;
}

export function optionalString(p: Problems, value: unknown, property: string, max: number): boolean {
  return value === undefined || requireString(p, value, property, 0, max);
}

/** A required array of `min`..`max` elements. */
export function requireArray(
  p: Problems,
  value: unknown,
  property: string,
  min: number,
  max: number,
): value is unknown[] {
  if (value === undefined || value === null) return p.add(property, 'must be specified');
  if (!Array.isArray(value)) return p.add(property, 'must be an array');
  if (value.length < min || value.length > max)
    return p.add(property, `Size must be between ${min} and ${max}`);
  return true;
}

export function requireNumber(
  p: Problems,
  value: unknown,
  property: string,
  min = -Infinity,
  max = Infinity,
): boolean {
  if (value === undefined || value === null) return p.add(property, 'must be specified');
  if (typeof value !== 'number' || !Number.isFinite(value)) return p.add(property, 'must be a number');
  if (value < min || value > max) return p.add(property, `must be between ${min} and ${max}`);
  return true;
}

/** A required HTTPS URL of at most `max` characters (LINE refuses plain http for media). */
export function requireHttpsUrl(p: Problems, value: unknown, property: string, max = 2000): boolean {
  if (!requireString(p, value, property, 1, max)) return false;
  return (value as string).startsWith('https://') || p.add(property, 'must be an HTTPS URL');
}

export function optionalBoolean(p: Problems, value: unknown, property: string): boolean {
  return value === undefined || typeof value === 'boolean' || p.add(property, 'must be a boolean');
}

/** UTF-8 size of the JSON text, which is what LINE's flex size limits count. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}
