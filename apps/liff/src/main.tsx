import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app.tsx';
import { liffIdFromPath, startSignIn } from './sign-in/liff-sign-in.ts';
import './styles.css';

// Sign-in (liff.init, the session request, then the card's) starts before React renders, so the
// network works while the phone's CPU builds the first screen; the App's effect picks up the
// same promise and reports its failure.
const liffId = liffIdFromPath(globalThis.location.pathname);
if (liffId) startSignIn(liffId).catch(() => undefined);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
