// `kizuna` command dispatcher. Each subcommand lives with its capability; this file only routes.
const USAGE = `kizuna <command>

  start [--demo]          run the API and the job worker (embedded database unless DATABASE_URL)
  demo                    load the demo cafe chain (3 stores, ~5,000 customers, 2 years of orders)
  init [--json] [--name N] [--email E]
                          create a workspace, its owner and an API key
  users reset-password --email E
                          print a one-time link with which a user sets a new password
  migrate                 apply pending database migrations
  import customers|orders FILE [--format kizuna|shopify] [--skip-invalid] [--workspace ID]
                          import a CSV file (all or nothing unless --skip-invalid)
  loyalty rules|member|adjust|grant-coupon|expire|daily|card-key
                          loyalty operator commands (kizuna loyalty help)
  clv fit|predict|report  fit CLV models and predict from a summary or transaction CSV
  line-sandbox [--port N] run the local LINE platform sandbox`;

const [command = 'start', ...rest] = process.argv.slice(2);

async function main(): Promise<number> {
  switch (command) {
    case 'start':
      return (await import('./start.ts')).runStart(rest);
    case 'demo':
      return (await import('./demo/demo-cli.ts')).runDemoCli(rest);
    case 'init':
      return (await import('./workspaces/init-cli.ts')).runInitCli(rest);
    case 'users':
      return (await import('./workspaces/users-cli.ts')).runUsersCli(rest);
    case 'migrate':
      return (await import('./db/migrate-cli.ts')).runMigrateCli(rest);
    case 'import':
      return (await import('./csv-import/cli.ts')).runImportCli(rest);
    case 'loyalty':
      return (await import('./loyalty/cli.ts')).runLoyaltyCli(rest);
    case 'clv':
      return (await (await import('@kizuna/clv/prebuilt')).loadClvCli()).runClvCli(rest);
    case 'line-sandbox':
      return (await import('@kizuna/line-sandbox/cli')).runLineSandboxCli(rest);
    case 'help':
    case '--help':
    case '-h':
      console.log(USAGE);
      return 0;
    default:
      console.error(`kizuna: unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

process.exitCode = await main();
