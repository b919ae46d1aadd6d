// Kysely's view of the database. Each capability declares its own tables next to its code (its
// *-tables.ts, for instance customers/customer-tables.ts) and adds them to DB by module
// augmentation, so a new capability adds tables without editing this file. Keep each file in
// step with migrations/*.sql: a column added to a migration is added there in the same commit.

/** Every table and view, by name (filled in by the capabilities' *-tables.ts). */
// biome-ignore lint/suspicious/noEmptyInterface: the capabilities' table files add the members.
export interface DB {}
