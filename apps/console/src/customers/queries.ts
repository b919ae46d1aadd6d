import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
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
