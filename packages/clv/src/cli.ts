/** `kizuna clv …` entry point. Returns the process exit code. */
export async function runClvCli(argv: string[]): Promise<number> {
  console.error(`kizuna clv: not built yet (${argv.join(' ')})`);
  return 1;
}
