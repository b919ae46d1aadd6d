/**
 * Every failure a user can cause (bad data, a fit that cannot converge) is a `ClvError` with a
 * `code`. The CLI maps codes to exit statuses in one exhaustive switch (`cli.ts`).
 */
export type ClvErrorCode =
  | 'invalid_input'
  | 'too_few_customers'
  | 'degenerate_data'
  | 'not_converged'
  | 'infinite_value';

export class ClvError extends Error {
  readonly code: ClvErrorCode;
  /** The offending field (`t_x`, `monetary_value`, `alpha`...), when there is one. */
  readonly field: string | undefined;
  /** Zero-based row of the offending record, when there is one. */
  readonly row: number | undefined;

  constructor(code: ClvErrorCode, message: string, where: { field?: string; row?: number } = {}) {
    super(message);
    this.name = 'ClvError';
    this.code = code;
    this.field = where.field;
    this.row = where.row;
  }
}

/** Compile-time exhaustiveness guard for switches over unions. */
export function assertUnreachable(value: never): never {
  throw new Error(`unreachable: ${String(value)}`);
}
