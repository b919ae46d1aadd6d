import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { Role, Scope } from '../auth/roles.ts';
import { useWorkspaceId } from '../auth/session.tsx';

export function useMembers() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'members'],
    queryFn: async () => unwrap(await api.GET('/v1/members')).items,
  });
}

export function useInvitations() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'invitations'],
    queryFn: async () => unwrap(await api.GET('/v1/invitations')).items,
  });
}

export function useApiKeys() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'api-keys'],
    queryFn: async () => unwrap(await api.GET('/v1/api-keys')).items,
  });
}

export function useMySessions() {
  const ws = useWorkspaceId();
  return useQuery({
    queryKey: ['ws', ws, 'me', 'sessions'],
    queryFn: async () => unwrap(await api.GET('/v1/me/sessions')).items,
  });
}

/** A change, then the lists it touches are read again. */
function useTeamMutation<A, R>(run: (args: A) => Promise<R>, lists: string[]) {
  const ws = useWorkspaceId();
  const client = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: async () => {
      await Promise.all(lists.map((list) => client.invalidateQueries({ queryKey: ['ws', ws, list] })));
    },
  });
}

export const useInvite = () =>
  useTeamMutation(
    async (body: { email: string; role: Role }) => unwrap(await api.POST('/v1/members', { body })),
    ['invitations'],
  );

export const useChangeRole = () =>
  useTeamMutation(
    async ({ userId, role }: { userId: string; role: Role }) =>
      unwrap(await api.PATCH('/v1/members/{userId}', { params: { path: { userId } }, body: { role } })),
    ['members'],
  );

export const useRemoveMember = () =>
  useTeamMutation(
    async (userId: string) =>
      unwrap(
        await api.DELETE('/v1/members/{userId}', {
          params: { path: { userId }, query: { keepApiKeys: false } },
        }),
      ),
    ['members', 'api-keys'],
  );

export const useWithdrawInvitation = () =>
  useTeamMutation(
    async (id: number) => unwrap(await api.DELETE('/v1/invitations/{id}', { params: { path: { id } } })),
    ['invitations'],
  );

export const useCreateApiKey = () =>
  useTeamMutation(
    async (body: { name: string; scopes: Scope[] }) => unwrap(await api.POST('/v1/api-keys', { body })),
    ['api-keys'],
  );

export const useRevokeApiKey = () =>
  useTeamMutation(
    async (id: number) => unwrap(await api.DELETE('/v1/api-keys/{id}', { params: { path: { id } } })),
    ['api-keys'],
  );

export const useEndSession = () =>
  useTeamMutation(
    async (id: string) => unwrap(await api.DELETE('/v1/me/sessions/{id}', { params: { path: { id } } })),
    ['me'],
  );
