// The request and response shapes of /v1/journeys (OpenAPI). A definition is opaque JSON here:
// validate-definition.ts checks it and names the path of every problem.
import { Type } from 'typebox';
import { PageLimit, RowId } from '../shared/page-schema.ts';
import { FreeObject, Instant, Nullable, Page } from '../shared/response-types.ts';

const Definition = Type.Unknown({
  description:
    'The journey definition: trigger, nodes (the run starts at nodes[0]), goal, reentry, quietHours, key, holdoutPercent (0–50). See journeys/README.md.',
});

export const JourneyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200, description: 'e.g. 友だち追加ウェルカム' }),
    definition: Definition,
  },
  { additionalProperties: false },
);

export const DefinitionInput = Type.Object(
  { name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), definition: Definition },
  { additionalProperties: false },
);

export const Journey = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  status: Type.Union([
    Type.Literal('draft'),
    Type.Literal('live'),
    Type.Literal('paused'),
    Type.Literal('archived'),
  ]),
  liveVersion: Nullable(
    Type.Integer({
      description:
        'The version new runs enter. Runs already under way continue on the version they entered (実行中のお客様は開始時のバージョンのまま進みます).',
    }),
  ),
  latestVersion: Type.Integer(),
  definition: Type.Unknown({ description: 'The latest version’s definition' }),
  createdAt: Instant(),
  updatedAt: Instant(),
});

export const JourneyList = Page(Journey);

export const Run = Type.Object({
  id: Type.Integer(),
  journeyId: Type.Integer(),
  version: Type.Integer({ description: 'The version the run entered on and follows' }),
  customerId: Type.Integer(),
  key: Type.String({ description: 'The run key ("" unless the journey is keyed)' }),
  nodeId: Type.String(),
  status: Type.Union([Type.Literal('active'), Type.Literal('exited')]),
  dueAt: Nullable(Instant()),
  waitingFor: Nullable(Type.String({ description: 'The event a waitForEvent node waits for' })),
  enteredAt: Instant(),
  exitedAt: Nullable(Instant()),
  exitReason: Nullable(Type.String()),
  steps: Type.Array(
    Type.Object({
      stepNo: Type.Integer(),
      nodeId: Type.String(),
      nodeType: Type.String(),
      outcome: Type.String(),
      detail: Nullable(FreeObject('Why an action was skipped')),
      sendId: Nullable(Type.Integer()),
      executedAt: Instant(),
    }),
  ),
});

export const RunList = Page(Run);

export const IdParams = Type.Object({ id: RowId('Journey id') });
export const CustomerParams = Type.Object({ customerId: RowId('Customer id') });
export const ListQuery = Type.Object(
  {
    limit: PageLimit,
    cursor: Type.Optional(Type.String({ maxLength: 20, pattern: '^[1-9][0-9]{0,18}$' })),
    status: Type.Optional(
      Type.Union([
        Type.Literal('draft'),
        Type.Literal('live'),
        Type.Literal('paused'),
        Type.Literal('archived'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export const RunQuery = Type.Object(
  {
    limit: PageLimit,
    cursor: Type.Optional(Type.String({ maxLength: 20, pattern: '^[1-9][0-9]{0,18}$' })),
    status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('exited')])),
  },
  { additionalProperties: false },
);

export const Template = Type.Object({
  id: Type.String(),
  name: Type.Object({ ja: Type.String(), en: Type.String() }),
  description: Type.Object({ ja: Type.String(), en: Type.String() }),
  definition: Type.Unknown({
    description: 'A definition to create a journey from (replace coupon template id 1 with yours)',
  }),
});

export const PreviewQuery = Type.Object(
  {
    customerId: RowId('The customer to preview for'),
    days: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 366, default: 30, description: 'How far ahead (days)' }),
    ),
  },
  { additionalProperties: false },
);

export const Preview = Type.Object({
  journeyId: Type.Integer(),
  version: Type.Integer({ description: 'The live version (a draft: its latest)' }),
  customerId: Type.Integer(),
  from: Instant(),
  until: Instant(),
  dryRun: Type.Literal(true, { description: 'Nothing was sent or changed (プレビューのみ・送信されません)' }),
  steps: Type.Array(
    Type.Object({
      at: Instant(),
      nodeId: Type.String(),
      type: Type.String(),
      path: Type.Optional(Type.Union([Type.Literal('yes'), Type.Literal('no')])),
      decision: Type.Optional(
        Type.Object({
          status: Type.Union([Type.Literal('send'), Type.Literal('held'), Type.Literal('skipped')]),
          reason: Type.Optional(Type.String()),
          until: Type.Optional(Instant()),
        }),
      ),
      messages: Type.Optional(Type.Array(Type.Unknown())),
      channel: Type.Optional(Type.Union([Type.Literal('line'), Type.Literal('email')])),
      channelReason: Type.Optional(
        Type.String({
          description:
            'a line_then_email send: why this channel (line_friend; else no_line_channel, no_line_identity, line_no_consent, line_revoked, line_blocked)',
        }),
      ),
      email: Type.Optional(
        Type.Unknown({ description: 'an email step’s source: { templateId } or { subject, mjml }' }),
      ),
    }),
  ),
});
