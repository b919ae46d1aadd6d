import type { paths } from '@kizuna/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../api/client.ts';
import { useSession, useWorkspaceId } from '../auth/session.tsx';

export function useChannels() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'line', 'channels'],
    queryFn: async () => unwrap(await api.GET('/v1/line/channels')).items,
  });
}

export function useRichMenus() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'line', 'rich-menus'],
    queryFn: async () => unwrap(await api.GET('/v1/line/rich-menus')).items,
  });
}

export function useSegmentChoices() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segments'],
    queryFn: async () => unwrap(await api.GET('/v1/segments')),
    select: (list) => list.items.map((s) => ({ id: s.id, name: s.name, memberCount: s.memberCount })),
  });
}

function useInvalidateLine() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['ws', ws, 'line'] });
}

export interface ChannelForm {
  lineChannelId: string;
  name?: string;
  channelSecret: string;
  accessToken: string;
  apiBaseUrl?: string;
}

export function useSaveChannel() {
  const invalidate = useInvalidateLine();
  return useMutation({
    mutationFn: async ({ lineChannelId, apiBaseUrl, name, ...secrets }: ChannelForm) =>
      unwrap(
        await api.PUT('/v1/line/channels/{lineChannelId}', {
          params: { path: { lineChannelId } },
          body: {
            ...secrets,
            ...(name?.trim() ? { name: name.trim() } : {}),
            ...(apiBaseUrl?.trim() ? { apiBaseUrl: apiBaseUrl.trim() } : {}),
          },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useCheckChannel() {
  return useMutation({
    mutationFn: async (channelId: string) =>
      unwrap(await api.POST('/v1/line/channels/{channelId}/check', { params: { path: { channelId } } })),
  });
}

export function useMakeDefault() {
  const invalidate = useInvalidateLine();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(await api.POST('/v1/line/rich-menus/{id}/default', { params: { path: { id } } })),
    onSuccess: invalidate,
  });
}

export type RichMenuDefinition =
  paths['/v1/line/channels/{channelId}/rich-menus']['post']['requestBody']['content']['application/json'];

/**
 * Uploads the menu's image. The route takes the raw PNG or JPEG as its body, which the OpenAPI
 * document does not describe, so this one call goes through fetch with the same headers the
 * typed client adds (the CSRF token and the workspace).
 */
async function uploadImage(id: number, image: File, csrfToken: string, workspaceId: string): Promise<void> {
  const response = await fetch(`/v1/line/rich-menus/${id}/image`, {
    method: 'PUT',
    credentials: 'same-origin',
    headers: { 'content-type': image.type, 'x-csrf-token': csrfToken, 'x-kizuna-workspace': workspaceId },
    body: image,
  });
  if (response.ok) return;
  const body = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
  throw new ApiError(
    response.status,
    body.error?.code ?? 'http_error',
    body.error?.message ?? `HTTP ${response.status}`,
  );
}

export interface CreateMenuInput {
  channelId: string;
  definition: RichMenuDefinition;
  image: File;
  segmentId?: number;
  priority: number;
  makeDefault: boolean;
}

/** Which step failed after the menu exists on LINE, so the screen can say the menu was made. */
export class PartlySaved extends Error {
  readonly id: number;
  constructor(id: number, cause: Error) {
    super(cause.message);
    this.id = id;
  }
}

/** Define the menu on LINE, upload its image, then make it the default and/or follow a segment. */
export function useCreateRichMenu() {
  const { session } = useSession();
  const ws = useWorkspaceId();
  const invalidate = useInvalidateLine();
  return useMutation({
    mutationFn: async (input: CreateMenuInput) => {
      const menu = unwrap(
        await api.POST('/v1/line/channels/{channelId}/rich-menus', {
          params: { path: { channelId: input.channelId } },
          body: input.definition,
        }),
      );
      try {
        await uploadImage(menu.id, input.image, session?.csrfToken ?? '', ws);
        const path = { path: { id: menu.id } };
        if (input.makeDefault) unwrap(await api.POST('/v1/line/rich-menus/{id}/default', { params: path }));
        if (input.segmentId !== undefined)
          unwrap(
            await api.POST('/v1/line/rich-menus/{id}/links', {
              params: path,
              body: { segmentId: input.segmentId, priority: input.priority },
            }),
          );
      } catch (error) {
        throw new PartlySaved(menu.id, error as Error);
      }
      return menu;
    },
    onSettled: invalidate,
  });
}
