import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ConsoleApp } from './app/app.tsx';
import './app/console.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
document.documentElement.lang = localStorage.getItem('kizuna.lang') === 'en' ? 'en' : 'ja';
createRoot(root).render(
  <StrictMode>
    <ConsoleApp />
  </StrictMode>,
);
