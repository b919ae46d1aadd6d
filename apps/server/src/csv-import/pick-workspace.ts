import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.ts';

export class WorkspaceChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceChoiceError';
  }
}

/** The workspace named by `--workspace`, or the only one there is; otherwise an error listing them. */
export async function pickWorkspace(db: Kysely<DB>, requested: string | undefined): Promise<string> {
  const workspaces = await db.selectFrom('workspace').select(['id', 'name']).orderBy('created_at').execute();
  const list = workspaces.map((w) => `  ${w.id}  ${w.name}`).join('\n');
  if (requested) {
    if (workspaces.some((w) => w.id === requested)) return requested;
    throw new WorkspaceChoiceError(`no workspace ${requested}. Workspaces:\n${list || '  (none)'}`);
  }
  if (workspaces.length === 1) return workspaces[0]!.id;
  if (!workspaces.length)
    throw new WorkspaceChoiceError('there is no workspace yet: create one with `kizuna init`');
  throw new WorkspaceChoiceError(
    `there are ${workspaces.length} workspaces; choose one with --workspace ID:\n${list}`,
  );
}
