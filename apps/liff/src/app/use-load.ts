import { useEffect, useState } from 'react';

export interface Loaded<T> {
  data?: T;
  failed: boolean;
}

/** Loads once per change of `key`; a failure is kept as `failed` so the screen can say so. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ failed: false });
  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` reads.
  useEffect(() => {
    let cancelled = false;
    setState({ failed: false });
    load().then(
      (data) => !cancelled && setState({ data, failed: false }),
      () => !cancelled && setState({ failed: true }),
    );
    return () => {
      cancelled = true;
    };
  }, [key]);
  return state;
}
