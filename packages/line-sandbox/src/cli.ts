/** `kizuna line-sandbox …` entry point. Resolves when the server stops; returns the exit code. */
export async function runLineSandboxCli(argv: string[]): Promise<number> {
  console.error(`kizuna line-sandbox: not built yet (${argv.join(' ')})`);
  return 1;
}
