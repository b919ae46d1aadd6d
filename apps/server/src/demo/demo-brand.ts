// The demo brand's name and login, shared by the loader and the start-time LINE sandbox.
export const DEMO_WORKSPACE_NAME = '絆珈琲 Kizuna Coffee (demo)';
export const DEMO_EMAIL = 'demo@kizuna.local';
// A fixed, published password: the demo brand is sample data for trying Kizuna out locally.
export const DEMO_PASSWORD = 'kizuna-demo-2026';
