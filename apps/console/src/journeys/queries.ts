import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export type JourneyTransition = 'publish' | 'pause' | 'resume' | 'archive';

/** Newest first, a page of 200 at a time (the API's cursors; "さらに表示" reads the next). */
export function useJourneys() {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: ['ws', ws, 'journeys', 'list'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/journeys', {
          params: { query: { limit: 200, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useJourneyTemplates(enabled: boolean) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'journeys', 'templates'],
    queryFn: async () => unwrap(await api.GET('/v1/journeys/templates')),
    enabled,
    staleTime: Infinity,
  });
}

export function useJourney(id: number) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'journeys', id],
    queryFn: async () => unwrap(await api.GET('/v1/journeys/{id}', { params: { path: { id } } })),
  });
}

export function useJourneyResults(id: number, attributionDays: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'journeys', id, 'results', attributionDays ?? null],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/journeys/{id}/results', {
          params: { path: { id }, query: attributionDays ? { attributionDays } : {} },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useJourneyPreview(id: number, request: { customerId: number; days: number } | null) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'journeys', id, 'preview', request],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/journeys/{id}/preview', {
          params: {
            path: { id },
            query: { customerId: request?.customerId ?? 0, days: request?.days ?? 30 },
          },
        }),
      ),
    enabled: request !== null,
    staleTime: 0,
  });
}

/** Customers matching a search, for the preview's picker (the first 20). */
export function useCustomerSearch(q: string) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'customers', 'search', q],
    queryFn: async () =>
      unwrap(await api.GET('/v1/customers', { params: { query: { limit: 20, ...(q ? { q } : {}) } } })),
    placeholderData: keepPreviousData,
  });
}

/** Every change to a journey refreshes the list and the journey. */
function useInvalidateJourneys() {
  const ws = useWorkspaceId();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['ws', ws, 'journeys'] });
}

export function useCreateJourney() {
  const invalidate = useInvalidateJourneys();
  return useMutation({
    mutationFn: async (body: { name: string; definition: unknown }) =>
      unwrap(await api.POST('/v1/journeys', { body })),
    onSuccess: invalidate,
  });
}

export function useSaveDefinition(id: number) {
  const invalidate = useInvalidateJourneys();
  return useMutation({
    mutationFn: async (definition: unknown) =>
      unwrap(
        await api.PUT('/v1/journeys/{id}/definition', { params: { path: { id } }, body: { definition } }),
      ),
    onSuccess: invalidate,
  });
}

export function useJourneyTransition() {
  const invalidate = useInvalidateJourneys();
  return useMutation({
    mutationFn: async ({ id, action }: { id: number; action: JourneyTransition }) => {
      const options = { params: { path: { id } } };
      switch (action) {
        case 'publish':
          return unwrap(await api.POST('/v1/journeys/{id}/publish', options));
        case 'pause':
          return unwrap(await api.POST('/v1/journeys/{id}/pause', options));
        case 'resume':
          return unwrap(await api.POST('/v1/journeys/{id}/resume', options));
        case 'archive':
          return unwrap(await api.POST('/v1/journeys/{id}/archive', options));
      }
    },
    onSuccess: invalidate,
  });
}

export type Journey = NonNullable<ReturnType<typeof useJourney>['data']>;
export type JourneyStatus = Journey['status'];
export type JourneyTemplate = NonNullable<ReturnType<typeof useJourneyTemplates>['data']>['items'][number];
export type JourneyResults = NonNullable<ReturnType<typeof useJourneyResults>['data']>;
export type JourneyPreview = NonNullable<ReturnType<typeof useJourneyPreview>['data']>;

/** The workspace's email templates, for an email step (the editor offers one only when there are some). */
export function useEmailTemplates() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'email', 'templates'],
    queryFn: async () => unwrap(await api.GET('/v1/email/templates')),
  });
}
