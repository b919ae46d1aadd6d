/** Types for prebuilt.js (plain JavaScript, so the bin can load it without type stripping). */
export function buildInfoIsFresh(infoFile: string, sourceRoot?: string): boolean;
export function loadClvCli(): Promise<typeof import('./src/cli.ts')>;
