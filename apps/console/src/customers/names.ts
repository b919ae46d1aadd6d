/** 山田 花子: family name first, as Japanese names are written; kana likewise. */
export function fullName(family: string | null, given: string | null): string {
  return [family, given].filter(Boolean).join(' ');
}

/**
 * +819012345678 → 090-1234-5678: Japanese numbers as a shop writes them (the API stores E.164).
 * Mobile and Tokyo/Osaka numbers get hyphens; other area codes vary in length, so those show
 * the national digits without guessing; foreign numbers stay in E.164.
 */
export function formatPhone(e164: string): string {
  const match = /^\+81(\d{9,10})$/.exec(e164);
  if (!match) return e164;
  const national = `0${match[1]}`;
  const mobile = /^(0[5789]0)(\d{4})(\d{4})$/.exec(national);
  if (mobile) return `${mobile[1]}-${mobile[2]}-${mobile[3]}`;
  const bigCity = /^(0[36])(\d{4})(\d{4})$/.exec(national);
  if (bigCity) return `${bigCity[1]}-${bigCity[2]}-${bigCity[3]}`;
  return national;
}
