import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useCallback, useContext, useMemo, useState } from 'react';
import { ApiError, api, setRequestContext, unwrap } from '../api/client.ts';
import { chooseWorkspace, SESSION_PATH, WORKSPACE_KEY } from '../app/first-load.ts';
import { roleCan, type Scope } from './roles.ts';

export interface Workspace {
  workspaceId: string;
  name: string;
  role: string;
}

export interface SessionInfo {
  csrfToken: string;
  workspaces: Workspace[];
}

interface SessionState {
  /** undefined while the first check runs; null when nobody is logged in. */
  session: SessionInfo | null | undefined;
  workspace: Workspace | undefined;
  selectWorkspace(workspaceId: string): void;
  login(email: string, password: string): Promise<void>;
  logout(): Promise<void>;
  can(scope: Scope): boolean;
}

const SessionContext = createContext<SessionState | undefined>(undefined);
const SESSION_KEY = ['session'];

async function fetchSession(): Promise<SessionInfo | null> {
  try {
    return unwrap(await api.GET(SESSION_PATH));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Logged-in state from the session cookie; the CSRF token and workspace go on every request. */
export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { data: session } = useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity });
  const [chosen, setChosen] = useState(() => localStorage.getItem(WORKSPACE_KEY) ?? undefined);
  // The same choice as the first load's, so the data it asked for is for this workspace.
  const workspace = session ? chooseWorkspace(session.workspaces, chosen) : undefined;
  // Set during render, before any child's query runs, so no request leaves without them.
  setRequestContext({ csrfToken: session?.csrfToken, workspaceId: workspace?.workspaceId });

  const selectWorkspace = useCallback((workspaceId: string) => {
    localStorage.setItem(WORKSPACE_KEY, workspaceId);
    setChosen(workspaceId);
  }, []);
  const login = useCallback(
    async (email: string, password: string) => {
      const body = unwrap(await api.POST('/v1/auth/login', { body: { email, password } }));
      queryClient.setQueryData(SESSION_KEY, body);
    },
    [queryClient],
  );
  const logout = useCallback(async () => {
    unwrap(await api.POST('/v1/auth/logout'));
    // Nothing of the last user's workspaces may stay on screen or in the cache.
    queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
    queryClient.setQueryData(SESSION_KEY, null);
  }, [queryClient]);
  const value = useMemo<SessionState>(
    () => ({
      session,
      workspace,
      selectWorkspace,
      login,
      logout,
      can: (scope) => (workspace ? roleCan(workspace.role, scope) : false),
    }),
    [session, workspace, selectWorkspace, login, logout],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}

/**
 * The current workspace's id, for query keys: every query of workspace data is keyed by it, so a
 * switch never shows one brand's figures under another's name.
 */
export function useWorkspaceId(): string {
  const { workspace } = useSession();
  if (!workspace) throw new Error('useWorkspaceId outside a workspace');
  return workspace.workspaceId;
}
