import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';
import type { RuleNode } from './rule-model.ts';

export function useSegments() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segments'],
    queryFn: async () => unwrap(await api.GET('/v1/segments')),
  });
}

export function useSegment(id: number | undefined) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segments', id],
    enabled: id !== undefined,
    queryFn: async () => unwrap(await api.GET('/v1/segments/{id}', { params: { path: { id: id ?? 0 } } })),
  });
}

/** Members at the end of each JST day over the last 90 days (since the segment was made). */
export function useSegmentSizes(id: number) {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segments', id, 'sizes'],
    queryFn: async () =>
      unwrap(await api.GET('/v1/segments/{id}/sizes', { params: { path: { id }, query: { days: 90 } } })),
  });
}

export function useSegmentTemplates() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segment-templates'],
    queryFn: async () => unwrap(await api.GET('/v1/segments/templates')),
    staleTime: Number.POSITIVE_INFINITY,
  });
}

export function useStores() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'stores'],
    queryFn: async () => unwrap(await api.GET('/v1/stores')),
  });
}

/**
 * The live count and sample of an unsaved definition. The caller passes a debounced definition;
 * the previous answer stays on screen while the next one is computed.
 */
export function useSegmentPreview(definition: RuleNode | undefined) {
  const ws = useWorkspaceId();
  const json = definition ? JSON.stringify(definition) : '';
  return useQuery({
    queryKey: ['ws', ws, 'segment-preview', json],
    enabled: definition !== undefined,
    placeholderData: keepPreviousData,
    retry: false,
    queryFn: async () => unwrap(await api.POST('/v1/segments/preview', { body: { definition, sample: 10 } })),
  });
}

export interface SegmentDraft {
  name: string;
  description: string;
  definition: RuleNode;
}

/** Creates (no id) or changes a segment; the server evaluates it at once. */
export function useSaveSegment(id: number | undefined) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (draft: SegmentDraft) =>
      id === undefined
        ? unwrap(await api.POST('/v1/segments', { body: draft }))
        : unwrap(await api.PATCH('/v1/segments/{id}', { params: { path: { id } }, body: draft })),
    onSuccess: () => client.invalidateQueries({ queryKey: ['ws', ws, 'segments'] }),
  });
}

export type SegmentList = NonNullable<ReturnType<typeof useSegments>['data']>;
export type Segment = SegmentList['items'][number];
export type SegmentTemplate = NonNullable<ReturnType<typeof useSegmentTemplates>['data']>['items'][number];
export type Store = NonNullable<ReturnType<typeof useStores>['data']>['items'][number];
