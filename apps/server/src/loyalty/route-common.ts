// Pieces the loyalty route files share: the OpenAPI tag, path parameter schemas and the caller.
import { Type } from 'typebox';
import { principalOf } from '../http/auth.ts';

export const tags = ['loyalty'];
export const CustomerParams = Type.Object({ customerId: Type.Integer({ minimum: 1 }) });
export const CodeParams = Type.Object({ code: Type.String({ minLength: 4, maxLength: 40 }) });
export const Key = Type.String({ minLength: 1, maxLength: 200 });

type Request = Parameters<typeof principalOf>[0];

/** The caller's workspace. */
export const workspaceOf = (request: Request) => principalOf(request).workspaceId;
/** Who the caller is, for the ledger's records. */
export const actorOf = (request: Request) => principalOf(request).actor;
