import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export function useSegments() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'segments'],
    queryFn: async () => unwrap(await api.GET('/v1/segments')),
  });
}

export type SegmentList = NonNullable<ReturnType<typeof useSegments>['data']>;
export type Segment = SegmentList['items'][number];
