// `kizuna journeys list|show ID|pause ID|resume ID [--workspace ID] [--json]`.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { pickWorkspace, WorkspaceChoiceError } from '../csv-import/pick-workspace.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { systemClock } from '../shared/clock.ts';
import { DomainError } from '../shared/domain-error.ts';
import { getJourney, type JourneyView, listJourneys, transitionJourney } from './journeys.ts';

const USAGE = `usage: kizuna journeys list [--workspace ID] [--json]
       kizuna journeys show ID [--workspace ID] [--json]
       kizuna journeys pause ID [--workspace ID]    (due steps wait; nothing is lost)
       kizuna journeys resume ID [--workspace ID]`;

const STATUS_JA: Record<JourneyView['status'], string> = {
  draft: '下書き',
  live: '配信中',
  paused: '一時停止',
  archived: 'アーカイブ',
};

function line(j: JourneyView): string {
  const version = j.liveVersion === null ? `v${j.latestVersion} (未公開 unpublished)` : `v${j.liveVersion}`;
  return `${String(j.id).padStart(5)}  ${STATUS_JA[j.status]} ${j.status.padEnd(8)}  ${version}  ${j.name}`;
}

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { workspace: { type: 'string' }, json: { type: 'boolean' } },
  });
  const [command, id] = positionals;
  if (!['list', 'show', 'pause', 'resume'].includes(command ?? '')) throw new Error('unknown command');
  if (command !== 'list' && !/^[1-9]\d{0,15}$/.test(id ?? ''))
    throw new Error(`${command} needs a journey id`);
  return { command: command!, id: Number(id), ...values };
}

export async function runJourneysCli(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    console.error(`kizuna journeys: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const database = await openConfiguredDatabase(loadConfig(process.env));
  try {
    await migrate(database);
    const ws = await pickWorkspace(database.db, args.workspace);
    const out = (value: unknown, text: string) =>
      process.stdout.write(args.json ? `${JSON.stringify(value)}\n` : `${text}\n`);
    if (args.command === 'list') {
      const page = await listJourneys(database.db, ws, { limit: 200 });
      out(page.items, page.items.map(line).join('\n') || '(ジャーニーはまだありません no journeys yet)');
    } else if (args.command === 'show') {
      const j = await getJourney(database.db, ws, args.id);
      out(j, `${line(j)}\n${JSON.stringify(j.definition, null, 2)}`);
    } else {
      const action = args.command as 'pause' | 'resume';
      const j = await transitionJourney(database.db, ws, args.id, action, systemClock.now());
      out(j, line(j));
    }
    return 0;
  } catch (error) {
    if (!(error instanceof WorkspaceChoiceError) && !(error instanceof DomainError)) throw error;
    console.error(`kizuna journeys: ${error.message}`);
    return 1;
  } finally {
    await database.close();
  }
}
