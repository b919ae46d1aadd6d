// `kizuna email dkim [--rotate|--activate] [--algorithm rsa|ed25519]` prints the DNS records to publish; `kizuna email test --to A`
// sends a test mail. Exit codes: 0 done, 1 failed (the reason is printed), 2 usage.
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { pickWorkspace } from '../csv-import/pick-workspace.ts';
import { migrate } from '../db/migrate.ts';
import { openConfiguredDatabase } from '../db/open-database.ts';
import { createSecretBox, loadOrCreateKeyFile } from '../shared/secret-box.ts';
import { type DkimAlgorithm, splitTxt } from './dkim.ts';
import { activateDkimKey, getSender, rotateDkimKey, type SenderView } from './sender.ts';
import { closeSmtpTransports } from './smtp-transport.ts';
import { sendTestEmail } from './test-send.ts';

const USAGE = `usage: kizuna email dkim [--rotate|--activate] [--algorithm rsa|ed25519] [--workspace ID]
       kizuna email test --to ADDRESS [--workspace ID]

  dkim    print the DNS records to publish: DKIM (the sender's public keys), SPF and DMARC
          (--rotate makes a new RSA key under a new selector, pending: mail is still signed
          with the current key; publish the pending record, then --activate signs with it, and
          the previous record can be removed after a few days.
          --algorithm ed25519 gives the sender an Ed25519 key (RFC 8463) beside its RSA key,
          or with --rotate a new one in place; mail is then signed with both)
  test    send a test mail from the workspace's sender through KIZUNA_SMTP_URL`;

/** The records as a zone-file operator pastes them, each with what it is for. */
export function formatDnsRecords(sender: SenderView): string {
  return sender.dnsRecords
    .map(
      (r) =>
        `; ${r.purpose}\n${r.name}. IN TXT ${splitTxt(r.value)
          .map((p) => `"${p}"`)
          .join(' ')}`,
    )
    .join('\n\n');
}

export async function runEmailCli(argv: string[]): Promise<number> {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        rotate: { type: 'boolean' };
        activate: { type: 'boolean' };
        algorithm: { type: 'string' };
        to: { type: 'string' };
        workspace: { type: 'string' };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        rotate: { type: 'boolean' },
        activate: { type: 'boolean' },
        algorithm: { type: 'string' },
        to: { type: 'string' },
        workspace: { type: 'string' },
      },
      allowPositionals: true,
    });
  } catch (error) {
    console.error(`kizuna email: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command] = parsed.positionals;
  if ((command !== 'dkim' && command !== 'test') || (command === 'test' && !parsed.values.to)) {
    console.error(USAGE);
    return 2;
  }
  if (parsed.values.activate && (parsed.values.rotate || parsed.values.algorithm)) {
    console.error(`kizuna email: --activate goes alone (it activates the pending RSA key)\n\n${USAGE}`);
    return 2;
  }
  const algorithm = parsed.values.algorithm ?? 'rsa';
  if (algorithm !== 'rsa' && algorithm !== 'ed25519') {
    console.error(`kizuna email: --algorithm: must be rsa or ed25519, not ${algorithm}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(process.env);
  const key = config.secretKey ?? (config.databaseUrl ? undefined : loadOrCreateKeyFile(config.dataDir));
  if (!key) {
    console.error('kizuna email: KIZUNA_SECRET_KEY is required with DATABASE_URL');
    return 1;
  }
  const secrets = createSecretBox(key);
  const database = await openConfiguredDatabase(config);
  try {
    await migrate(database);
    const workspaceId = await pickWorkspace(database.db, parsed.values.workspace);
    if (command === 'dkim') {
      const sender = parsed.values.activate
        ? await activateDkimKey(database.db, workspaceId)
        : await dkimKeyFor(database.db, secrets, workspaceId, algorithm, parsed.values.rotate);
      console.log(formatDnsRecords(sender));
      return 0;
    }
    const result = await sendTestEmail(database.db, secrets, config.smtp, workspaceId, parsed.values.to!);
    console.log(`sent ${result.messageId}: ${result.response}`);
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    console.error(
      `kizuna email: ${message}${/email sender/.test(message) ? ' (set it up first: PUT /v1/email/sender)' : ''}`,
    );
    return 1;
  } finally {
    closeSmtpTransports();
    await database.close();
  }
}

/**
 * The sender after `kizuna email dkim`: a new key with --rotate; with --algorithm ed25519, a new
 * Ed25519 key also when the sender has none yet (its RSA key exists from the sender's first PUT).
 */
async function dkimKeyFor(
  db: Parameters<typeof getSender>[0],
  secrets: ReturnType<typeof createSecretBox>,
  workspaceId: string,
  algorithm: DkimAlgorithm,
  rotate: boolean | undefined,
): Promise<SenderView> {
  const sender = await getSender(db, workspaceId);
  const missing = algorithm === 'ed25519' && !sender.dkimEd25519Selector;
  return rotate || missing ? rotateDkimKey(db, secrets, workspaceId, algorithm) : sender;
}
