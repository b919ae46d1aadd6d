import { ConfigProvider } from 'antd';
import type { ReactNode } from 'react';

// Ant Design's red (#ff4d4f) on white is 3.4:1, under WCAG AA's 4.5:1, and it spaces out
// two-character CJK button labels (削 除), which no longer match the button's accessible name.
// The settings screens, whose buttons remove and revoke, use a darker red and plain labels.
const THEME = { token: { colorError: '#c4161c' } };

export function PageTheme({ children }: { children: ReactNode }) {
  return (
    <ConfigProvider theme={THEME} button={{ autoInsertSpace: false }}>
      {children}
    </ConfigProvider>
  );
}
