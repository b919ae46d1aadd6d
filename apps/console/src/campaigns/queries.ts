import type { paths } from '@kizuna/contracts';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

/** Newest first, a page of 100 at a time (the API's cursors; "さらに表示" reads the next). */
export function useCampaigns() {
  const ws = useWorkspaceId();
  return useInfiniteQuery({
    queryKey: ['ws', ws, 'campaigns', 'list'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/v1/campaigns', {
          params: { query: { limit: 100, ...(pageParam ? { cursor: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCampaign(id: number) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'campaigns', id],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{id}', { params: { path: { id } } })),
    // While it sends, follow it until the audience is fixed and handed over.
    refetchInterval: (query) => (query.state.data?.status === 'sending' ? 3000 : false),
  });
}

export function useCampaignResults(id: number, enabled: boolean) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'campaigns', id, 'results'],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/{id}/results', { params: { path: { id } } })),
    enabled,
  });
}

export function useLinePlan() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'campaigns', 'line-plan'],
    queryFn: async () => unwrap(await api.GET('/v1/campaigns/line-plan')),
  });
}

export function useLineChannels() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'line', 'channels'],
    queryFn: async () => unwrap(await api.GET('/v1/line/channels')),
  });
}

export function useSendPolicy() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'messaging', 'policy'],
    queryFn: async () => unwrap(await api.GET('/v1/messaging/policy')),
  });
}

export type SendPolicy = paths['/v1/messaging/policy']['put']['requestBody']['content']['application/json'];
export type NewCampaign = paths['/v1/campaigns']['post']['requestBody']['content']['application/json'];

export function useSaveSendPolicy() {
  const ws = useWorkspaceId();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: SendPolicy) => unwrap(await api.PUT('/v1/messaging/policy', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['ws', ws, 'messaging', 'policy'] }),
  });
}

function useInvalidateCampaigns() {
  const ws = useWorkspaceId();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ['ws', ws, 'campaigns'] });
}

export function useCreateCampaign() {
  const invalidate = useInvalidateCampaigns();
  return useMutation({
    mutationFn: async (body: NewCampaign) => unwrap(await api.POST('/v1/campaigns', { body })),
    onSuccess: invalidate,
  });
}

export type CampaignAction = { kind: 'send' } | { kind: 'cancel' } | { kind: 'schedule'; at: string };

export function useCampaignAction(id: number) {
  const invalidate = useInvalidateCampaigns();
  return useMutation({
    mutationFn: async (action: CampaignAction) => {
      const path = { params: { path: { id } } };
      switch (action.kind) {
        case 'send':
          return unwrap(await api.POST('/v1/campaigns/{id}/send', path));
        case 'cancel':
          return unwrap(await api.POST('/v1/campaigns/{id}/cancel', path));
        case 'schedule':
          return unwrap(await api.POST('/v1/campaigns/{id}/schedule', { ...path, body: { at: action.at } }));
      }
    },
    onSuccess: invalidate,
  });
}

export type Campaign = NonNullable<ReturnType<typeof useCampaign>['data']>;
export type CampaignListItem = NonNullable<
  ReturnType<typeof useCampaigns>['data']
>['pages'][number]['items'][number];
export type CampaignStatus = Campaign['status'];
export type CampaignResults = NonNullable<ReturnType<typeof useCampaignResults>['data']>;
export type LinePlan = NonNullable<ReturnType<typeof useLinePlan>['data']>;

/** What LINE charges for one message: the additional-message price, or the fee shared over the included ones. */
export function yenPerMessage(plan: LinePlan): number {
  if (plan.yenPerAdditionalMessage !== null) return plan.yenPerAdditionalMessage;
  return plan.freeMessages > 0 ? plan.monthlyFeeYen / plan.freeMessages : 0;
}
