// Custom attributes as rows of text in the profile editor, and back: each value keeps its type
// (a number stays a number when the text still reads as one, true/false stay booleans, lists and
// objects are edited as JSON); a new row is text. A removed row is sent as null, which the API
// reads as "remove this key"; keys not shown are never sent, so nothing else changes.

export interface AttributeRow {
  key: string;
  value: string;
}

/** The rows for the stored attributes, in key order. */
export function attributeRows(attributes: Record<string, unknown>): AttributeRow[] {
  return Object.keys(attributes)
    .sort()
    .map((key) => {
      const v = attributes[key];
      return { key, value: typeof v === 'string' ? v : v === null ? '' : JSON.stringify(v) };
    });
}

export type AttributeProblem = { row: number; kind: 'key' | 'duplicate' | 'json' };

/**
 * The attributes patch: changed or new keys with their typed values, removed keys as null; or
 * the problems (by row) that stop a save. Undefined when nothing changed.
 */
export function attributePatch(
  before: Record<string, unknown>,
  rows: AttributeRow[],
): { patch?: Record<string, unknown>; problems: AttributeProblem[] } {
  const problems: AttributeProblem[] = [];
  const patch: Record<string, unknown> = {};
  const seen = new Set<string>();
  for (const [i, row] of rows.entries()) {
    const key = (row?.key ?? '').trim();
    if (!key || key.length > 100) {
      problems.push({ row: i, kind: 'key' });
      continue;
    }
    if (seen.has(key)) {
      problems.push({ row: i, kind: 'duplicate' });
      continue;
    }
    seen.add(key);
    const text = row.value ?? '';
    const old = before[key];
    let value: unknown = text;
    if (typeof old === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) value = Number(text);
    else if (typeof old === 'boolean' && (text === 'true' || text === 'false')) value = text === 'true';
    else if (old !== null && typeof old === 'object') {
      try {
        value = JSON.parse(text);
      } catch {
        problems.push({ row: i, kind: 'json' });
        continue;
      }
    }
    if (JSON.stringify(value) !== JSON.stringify(old)) patch[key] = value;
  }
  for (const key of Object.keys(before)) if (!seen.has(key)) patch[key] = null;
  return Object.keys(patch).length ? { patch, problems } : { problems };
}
