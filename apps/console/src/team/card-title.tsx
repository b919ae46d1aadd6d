import type { ReactNode } from 'react';

/** A card's title as a level-2 heading, so screen readers can jump between a page's sections. */
export function CardTitle({ children }: { children: ReactNode }) {
  return <h2 style={{ fontSize: 16, fontWeight: 600, margin: 0 }}>{children}</h2>;
}
