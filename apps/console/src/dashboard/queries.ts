import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { useWorkspaceId } from '../auth/session.tsx';

// Each figure is its own query, so one slow or failing report does not blank the others.

export function useOverview() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'overview'],
    queryFn: async () => unwrap(await api.GET('/v1/analytics/overview')),
  });
}

export function useForecast() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'forecast'],
    queryFn: async () => unwrap(await api.GET('/v1/analytics/forecast')),
  });
}

export function useRetention() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'retention'],
    queryFn: async () => unwrap(await api.GET('/v1/analytics/retention')),
  });
}

export function useRfm() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'rfm'],
    queryFn: async () => unwrap(await api.GET('/v1/analytics/rfm')),
  });
}
