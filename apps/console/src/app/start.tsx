import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './app.tsx';

/** Renders the console into index.html's #root (called by main.tsx once this chunk has loaded). */
export function startConsole(): void {
  // The entry is an async script (vite.config.ts): it may run before the body has been parsed.
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', startConsole, { once: true });
    return;
  }
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <ConsoleApp />
    </StrictMode>,
  );
}
