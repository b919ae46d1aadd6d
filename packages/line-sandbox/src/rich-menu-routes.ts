import { type ApiRoute, BinaryBody } from './http.ts';
import { LineApiError } from './line-error.ts';
import type { SandboxState } from './state.ts';
import { isObject, Problems, requireArray, requireString } from './validate.ts';
import { throwIfProblems } from './validate-message.ts';

function userIdsOf(body: unknown, needMenu: boolean): { richMenuId: string; userIds: string[] } {
  const p = new Problems();
  const b = isObject(body) ? body : {};
  if (needMenu) requireString(p, b.richMenuId, 'richMenuId', 1, 100);
  requireArray(p, b.userIds, 'userIds', 1, 500);
  throwIfProblems(p);
  return { richMenuId: String(b.richMenuId), userIds: (b.userIds as unknown[]).map(String) };
}

/** Rich menus: create/get/list/delete, image (api-data host), default, per-user and bulk links, aliases, batch. */
export function richMenuRoutes(state: SandboxState): ApiRoute[] {
  const menus = state.richMenus;
  const batches = new Map<string, { phase: string; acceptedTime: string; completedTime: string }>();
  return [
    {
      method: 'POST',
      url: '/v2/bot/richmenu',
      group: 'richMenuCreateDelete',
      handle: (r) => menus.create(r.body),
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/validate',
      handle: (r) => {
        menus.validate(r.body);
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/list',
      group: 'richMenuList',
      handle: () => ({ richmenus: [...menus.menus.values()].map((m) => menus.body(m)) }),
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/:richMenuId',
      handle: (r) => menus.body(menus.get(r.params.richMenuId ?? '')),
    },
    {
      method: 'DELETE',
      url: '/v2/bot/richmenu/:richMenuId',
      group: 'richMenuCreateDelete',
      handle: (r) => {
        menus.delete(r.params.richMenuId ?? '');
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/:richMenuId/content',
      handle: (r) => {
        const data = Buffer.isBuffer(r.body) ? r.body : Buffer.alloc(0);
        menus.setImage(r.params.richMenuId ?? '', r.headers['content-type'], data);
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/:richMenuId/content',
      handle: (r) => {
        const image = menus.get(r.params.richMenuId ?? '').image;
        if (image === undefined) throw new LineApiError('not-found', 'Not found');
        return new BinaryBody(image.contentType, image.data);
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/user/all/richmenu/:richMenuId',
      handle: (r) => {
        menus.defaultMenuId = menus.requireApplicable(r.params.richMenuId ?? '').richMenuId;
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/user/all/richmenu',
      handle: () => {
        if (menus.defaultMenuId === undefined) throw new LineApiError('not-found', 'no default richmenu');
        return { richMenuId: menus.defaultMenuId };
      },
    },
    {
      method: 'DELETE',
      url: '/v2/bot/user/all/richmenu',
      handle: () => {
        menus.defaultMenuId = undefined;
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/user/:userId/richmenu/:richMenuId',
      handle: (r) => {
        menus.link([r.params.userId ?? ''], r.params.richMenuId ?? '');
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/user/:userId/richmenu',
      handle: (r) => {
        const richMenuId = menus.userLinks.get(r.params.userId ?? '');
        if (richMenuId === undefined) throw new LineApiError('not-found', 'the user has no richmenu');
        return { richMenuId };
      },
    },
    {
      method: 'DELETE',
      url: '/v2/bot/user/:userId/richmenu',
      handle: (r) => {
        menus.unlink([r.params.userId ?? '']);
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/bulk/link',
      status: 202,
      handle: (r) => {
        const { richMenuId, userIds } = userIdsOf(r.body, true);
        menus.link(userIds, richMenuId);
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/bulk/unlink',
      status: 202,
      handle: (r) => {
        menus.unlink(userIdsOf(r.body, false).userIds);
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/alias',
      handle: (r) => {
        const b = isObject(r.body) ? r.body : {};
        menus.createAlias(b.richMenuAliasId, b.richMenuId);
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/alias/list',
      handle: () => ({
        aliases: [...menus.aliases].map(([richMenuAliasId, richMenuId]) => ({ richMenuAliasId, richMenuId })),
      }),
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/alias/:aliasId',
      handle: (r) => menus.getAlias(r.params.aliasId ?? ''),
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/alias/:aliasId',
      handle: (r) => {
        menus.updateAlias(r.params.aliasId ?? '', isObject(r.body) ? r.body.richMenuId : undefined);
        return {};
      },
    },
    {
      method: 'DELETE',
      url: '/v2/bot/richmenu/alias/:aliasId',
      group: 'richMenuCreateDelete',
      handle: (r) => {
        menus.deleteAlias(r.params.aliasId ?? '');
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/batch',
      group: 'richMenuBatch',
      status: 202,
      handle: (r) => {
        menus.batch(r.body);
        const now = new Date(state.config.clock()).toISOString();
        batches.set(r.requestId, { phase: 'succeeded', acceptedTime: now, completedTime: now });
        return {};
      },
    },
    {
      method: 'POST',
      url: '/v2/bot/richmenu/validate/batch',
      handle: (r) => {
        menus.validateBatch(r.body);
        return {};
      },
    },
    {
      method: 'GET',
      url: '/v2/bot/richmenu/progress/batch',
      group: 'richMenuCreateDelete',
      handle: (r) => {
        const progress = batches.get(r.query.requestId ?? '');
        if (progress === undefined) throw new LineApiError('not-found', 'Not found');
        return progress;
      },
    },
  ];
}
