/** Types for build-cli.js (plain JavaScript, run by ./kizuna before the sources' type stripping is needed). */
export interface BuiltSource {
  path: string;
  size: number;
  mtimeMs: number;
}
export function buildClvCli(outDir?: string): Promise<BuiltSource[]>;
