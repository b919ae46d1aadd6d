/** 山田 花子: family name first, as Japanese names are written; kana likewise. */
export function fullName(family: string | null, given: string | null): string {
  return [family, given].filter(Boolean).join(' ');
}
