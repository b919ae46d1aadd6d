import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export function useLoyaltyRules() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'loyalty', 'rules'],
    queryFn: async () => unwrap(await api.GET('/v1/loyalty/rules')),
  });
}

export function useCouponTemplates() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'loyalty', 'coupon-templates'],
    queryFn: async () => unwrap(await api.GET('/v1/loyalty/coupon-templates')),
  });
}

export function useStampCards() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'loyalty', 'stamp-cards'],
    queryFn: async () => unwrap(await api.GET('/v1/loyalty/stamp-cards')),
  });
}

export type LoyaltyRules = NonNullable<ReturnType<typeof useLoyaltyRules>['data']>;
export type CouponTemplate = NonNullable<ReturnType<typeof useCouponTemplates>['data']>['items'][number];
export type StampCard = NonNullable<ReturnType<typeof useStampCards>['data']>['items'][number];
