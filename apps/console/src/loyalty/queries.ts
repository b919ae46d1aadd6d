import type { paths } from '@kizuna/contracts';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
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

type JsonBody<P extends keyof paths, M extends 'post' | 'patch'> = paths[P][M] extends {
  requestBody: { content: { 'application/json': infer B } };
}
  ? B
  : never;
export type CouponTemplateInput = JsonBody<'/v1/loyalty/coupon-templates', 'post'>;
export type StampCardInput = JsonBody<'/v1/loyalty/stamp-cards', 'post'>;
export type CouponTemplatePatch = JsonBody<'/v1/loyalty/coupon-templates/{id}', 'patch'>;
export type StampCardPatch = JsonBody<'/v1/loyalty/stamp-cards/{id}', 'patch'>;

/** After a change, every loyalty read of the workspace is stale (lists, members, the till's view). */
function useInvalidateLoyalty() {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ['ws', ws, 'loyalty'] });
}

export function useCreateCouponTemplate() {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (body: CouponTemplateInput) =>
      unwrap(await api.POST('/v1/loyalty/coupon-templates', { body })),
    onSuccess: invalidate,
  });
}

export function useCreateStampCard() {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (body: StampCardInput) => unwrap(await api.POST('/v1/loyalty/stamp-cards', { body })),
    onSuccess: invalidate,
  });
}

export function useUpdateCouponTemplate(id: number) {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (body: CouponTemplatePatch) =>
      unwrap(await api.PATCH('/v1/loyalty/coupon-templates/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

export function useUpdateStampCard(id: number) {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (body: StampCardPatch) =>
      unwrap(await api.PATCH('/v1/loyalty/stamp-cards/{id}', { params: { path: { id } }, body })),
    onSuccess: invalidate,
  });
}

/** Replaces the rules document: the caller sends the whole of it, changed where the form changed it. */
export function useSaveRules() {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (rules: LoyaltyRules) =>
      unwrap(await api.PUT('/v1/loyalty/rules', { body: rules as unknown as Record<string, unknown> })),
    onSuccess: invalidate,
  });
}

export function useMember(customerId: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'loyalty', 'member', customerId],
    enabled: customerId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/loyalty/members/{customerId}', {
          params: { path: { customerId: customerId ?? 0 } },
        }),
      ),
  });
}

export function useLedger(customerId: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'loyalty', 'ledger', customerId],
    enabled: customerId !== undefined,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/loyalty/members/{customerId}/ledger', {
          params: { path: { customerId: customerId ?? 0 } },
        }),
      ),
  });
}

export function useAdjustPoints(customerId: number) {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (body: { points: number; reason: string; staff: string; idempotencyKey: string }) =>
      unwrap(
        await api.POST('/v1/loyalty/members/{customerId}/adjustments', {
          params: { path: { customerId } },
          body,
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useTillScan() {
  return useMutation({
    mutationFn: async (qr: string) => unwrap(await api.POST('/v1/loyalty/till/scan', { body: { qr } })),
  });
}

export type TillInput = Omit<JsonBody<'/v1/loyalty/till/transactions', 'post'>, 'idempotencyKey'>;

/** One till operation; each press of a button is one idempotency key, so a retried request counts once. */
export function useTillTransaction() {
  const invalidate = useInvalidateLoyalty();
  return useMutation({
    mutationFn: async (input: TillInput) =>
      unwrap(
        await api.POST('/v1/loyalty/till/transactions', {
          body: { ...input, idempotencyKey: `console:${crypto.randomUUID()}` },
        }),
      ),
    onSuccess: invalidate,
  });
}

export type MemberSummary = NonNullable<ReturnType<typeof useMember>['data']>;
export type TillResult = NonNullable<ReturnType<typeof useTillTransaction>['data']>;
