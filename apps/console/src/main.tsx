// The entry: kept to the first-load module so it runs as soon as it arrives. The session check,
// the opened page's data and its chunks start here, beside React and Ant Design loading
// (app/first-load.ts; bench/console measures the difference).
import { startFirstLoad } from './app/first-load.ts';
import { customerListFirstLoad } from './customers/first-load.ts';
import { dashboardFirstLoad } from './dashboard/first-load.ts';
import './app/console.css';

document.documentElement.lang = localStorage.getItem('kizuna.lang') === 'en' ? 'en' : 'ja';
startFirstLoad([dashboardFirstLoad, customerListFirstLoad], () => import('./app/shell.tsx'), location);
void import('./app/start.tsx').then(({ startConsole }) => startConsole());
