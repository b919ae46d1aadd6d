// Run by messaging-streaming-sigkill.test.ts in its own process: writes a large LINE send's outbox
// in chunks of 100 recipients (many small commits) until the test kills it with SIGKILL.
import { openDatabase } from '../src/db/open-database.ts';
import { createSend } from '../src/line/sends.ts';

const { url, schema, workspaceId, channelId } = JSON.parse(process.env.KIZUNA_STREAM_CHILD ?? '{}') as {
  url: string;
  schema: string;
  workspaceId: string;
  channelId: string;
};
const database = await openDatabase({ kind: 'postgres', url, schema, poolSize: 2 });
const ids = (
  await database.db
    .selectFrom('customer')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute()
).map((r) => Number(r.id));
await createSend(
  database.db,
  undefined,
  workspaceId,
  {
    channelId,
    idempotencyKey: 'killed-writer',
    messages: [{ type: 'text', text: '年末年始の営業のお知らせ' }],
    customerIds: ids,
  },
  { firstChunk: 500, chunk: 100, onOpened: async () => console.log('opened') },
);
console.log('finished');
await database.close();
