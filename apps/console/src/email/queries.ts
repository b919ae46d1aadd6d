import type { paths } from '@kizuna/contracts';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export type Sender = paths['/v1/email/sender']['get']['responses']['200']['content']['application/json'];
export type SenderInput = paths['/v1/email/sender']['put']['requestBody']['content']['application/json'];
export type DnsRecord = Sender['dnsRecords'][number];

/** The workspace's sender, or null when none is set up yet (the API's 404). */
export function useSender() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'sender'],
    queryFn: async (): Promise<Sender | null> => {
      try {
        return unwrap(await api.GET('/v1/email/sender'));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
  });
}

export function useSaveSender() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: SenderInput) => unwrap(await api.PUT('/v1/email/sender', { body })),
    onSuccess: (sender) => client.setQueryData(['ws', ws, 'email', 'sender'], sender),
  });
}

export function useTestSend() {
  return useMutation({
    mutationFn: async (to: string) => unwrap(await api.POST('/v1/email/test', { body: { to } })),
  });
}

export function useTemplates() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'templates'],
    queryFn: async () => unwrap(await api.GET('/v1/email/templates')).items,
  });
}

/** A template with its compiled HTML and text (Liquid not yet filled in). */
export function useTemplate(id: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'templates', id],
    queryFn: async () =>
      unwrap(await api.GET('/v1/email/templates/{id}', { params: { path: { id: id ?? 0 } } })),
    enabled: id !== undefined,
  });
}

/** The template as one customer would get it (their Liquid variables, the marketing footer). */
export function useTemplatePreview(id: number, customerId: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'templates', id, 'preview', customerId],
    queryFn: async () =>
      unwrap(
        await api.POST('/v1/email/templates/{id}/preview', {
          params: { path: { id } },
          body: { customerId: customerId ?? 0 },
        }),
      ),
    enabled: customerId !== undefined,
  });
}

export type Template =
  paths['/v1/email/templates/{id}']['get']['responses']['200']['content']['application/json'];
export type TemplateInput =
  paths['/v1/email/templates']['post']['requestBody']['content']['application/json'];
export type DraftPreviewInput =
  paths['/v1/email/templates/preview']['post']['requestBody']['content']['application/json'];
export type DkimAlgorithm =
  paths['/v1/email/sender/dkim/rotate']['post']['requestBody']['content']['application/json']['algorithm'];

/** Creates a template (no id) or replaces template `id`; the list and the template are refreshed. */
export function useSaveTemplate(id: number | undefined) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: TemplateInput) =>
      id === undefined
        ? unwrap(await api.POST('/v1/email/templates', { body }))
        : unwrap(await api.PUT('/v1/email/templates/{id}', { params: { path: { id } }, body })),
    onSuccess: (saved) => {
      client.setQueryData(['ws', ws, 'email', 'templates', saved.id], saved);
      return client.invalidateQueries({ queryKey: ['ws', ws, 'email', 'templates'], exact: true });
    },
  });
}

/**
 * An unsaved template as the sample customer (or the given one) would get it; a 400 names the
 * field at fault. The caller passes debounced input (undefined: nothing to show yet); the previous
 * answer stays on screen while the next one is computed.
 */
export function useDraftPreview(input: DraftPreviewInput | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'template-draft-preview', input ? JSON.stringify(input) : ''],
    enabled: input !== undefined,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async () => unwrap(await api.POST('/v1/email/templates/preview', { body: input! })),
  });
}

/** A new DKIM key (as `kizuna email dkim --rotate`); the page then shows the sender's new records. */
export function useRotateDkim() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (algorithm: DkimAlgorithm) =>
      unwrap(await api.POST('/v1/email/sender/dkim/rotate', { body: { algorithm } })),
    onSuccess: (sender) => client.setQueryData(['ws', ws, 'email', 'sender'], sender),
  });
}

/** Signs with the pending DKIM key from now on (as `kizuna email dkim --activate`); 409 when none is pending. */
export function useActivateDkim() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () => unwrap(await api.POST('/v1/email/sender/dkim/activate')),
    onSuccess: (sender) => client.setQueryData(['ws', ws, 'email', 'sender'], sender),
  });
}
