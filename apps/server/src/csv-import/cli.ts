/** `kizuna import customers|orders FILE …`. Returns the exit code. */
export async function runImportCli(argv: string[]): Promise<number> {
  console.error(`kizuna import: not built yet (${argv.join(' ')})`);
  return 1;
}
