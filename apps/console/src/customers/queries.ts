import type { paths } from '@kizuna/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export function useCustomer(id: number) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customer', id],
    queryFn: async () => unwrap(await api.GET('/v1/customers/{id}', { params: { path: { id } } })),
  });
}

export function useCustomerSummary(id: number) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customer', id, 'summary'],
    queryFn: async () => unwrap(await api.GET('/v1/customers/{id}/summary', { params: { path: { id } } })),
  });
}

export function useTimeline(id: number) {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: ['ws', ws, 'customer', id, 'timeline'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/customers/{id}/timeline', {
          params: { path: { id }, query: { limit: 20, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export type Customer = NonNullable<ReturnType<typeof useCustomer>['data']>;
export type CustomerSummary = NonNullable<ReturnType<typeof useCustomerSummary>['data']>;
export type TimelineItem = NonNullable<
  ReturnType<typeof useTimeline>['data']
>['pages'][number]['items'][number];

type PatchBody = NonNullable<
  paths['/v1/customers/{id}']['patch']['requestBody']
>['content']['application/json'];
export type CustomerPatch = PatchBody;

/** Saves a profile edit; every read of this customer (karte, summary, timeline) is then stale. */
export function useUpdateCustomer(id: number) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: CustomerPatch) =>
      unwrap(await api.PATCH('/v1/customers/{id}', { params: { path: { id } }, body })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['ws', ws, 'customer', id] }),
  });
}

export function useMergePreview(id: number, duplicateId: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customer', id, 'merge-preview', duplicateId],
    enabled: duplicateId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/customers/{id}/merge/preview', {
          params: { path: { id }, query: { duplicateId: duplicateId ?? 0 } },
        }),
      ),
  });
}

export function useMergeCustomers(id: number) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (duplicateId: number) =>
      unwrap(await api.POST('/v1/customers/{id}/merge', { params: { path: { id } }, body: { duplicateId } })),
    // Both karten, the list and every figure about them change; the preview is spent (asked
    // again it would answer 409: the duplicate is merged away).
    onSuccess: () =>
      client.invalidateQueries({
        queryKey: ['ws', ws],
        predicate: (query) => !query.queryKey.includes('merge-preview'),
      }),
  });
}

export type MergePreview = NonNullable<ReturnType<typeof useMergePreview>['data']>;
