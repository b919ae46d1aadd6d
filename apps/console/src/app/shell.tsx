import { App as AntApp, Button, Layout, Menu, Select, Space, Tag, Typography } from 'antd';
import { Suspense } from 'react';
import { Link, Route, Routes, useLocation } from 'react-router';
import { authMessages, ROLE_LABELS } from '../auth/messages.ts';
import { isRole } from '../auth/roles.ts';
import { useSession } from '../auth/session.tsx';
import { useLocale, useT } from '../i18n/locale.tsx';
import type { ConsolePage } from './console-page.ts';
import { LanguageSwitch } from './language-switch.tsx';
import { shellMessages } from './messages.ts';
import { PAGES } from './pages.ts';
import { Loading } from './states.tsx';

function SideMenu() {
  const { lang } = useLocale();
  const { can } = useSession();
  const location = useLocation();
  const items = PAGES.filter((page) => page.menu && can(page.scope ?? 'read'))
    .sort((a, b) => (a.menu?.order ?? 0) - (b.menu?.order ?? 0))
    .map((page) => ({
      key: `/${page.path}`,
      label: <Link to={`/${page.path}`}>{page.menu?.title[lang]}</Link>,
    }));
  // The deepest menu entry that prefixes the path is the current one (/customers/12 → /customers).
  const selected = items
    .map((item) => item.key)
    .filter((key) => (key === '/' ? location.pathname === '/' : location.pathname.startsWith(key)))
    .sort((a, b) => b.length - a.length)[0];
  return <Menu theme="dark" mode="inline" items={items} selectedKeys={selected ? [selected] : []} />;
}

function WorkspaceBar() {
  const t = useT(authMessages);
  const { session, workspace, selectWorkspace, logout } = useSession();
  const { message } = AntApp.useApp();
  const role = workspace?.role ?? '';
  const onLogout = () =>
    logout().catch((error: Error) => message.error(t('logoutFailed', { reason: error.message })));
  return (
    <Space size="middle" wrap>
      <Select
        aria-label={t('workspace')}
        style={{ minWidth: 220 }}
        value={workspace?.workspaceId}
        onChange={selectWorkspace}
        options={session?.workspaces.map((w) => ({ value: w.workspaceId, label: w.name }))}
      />
      <span>
        {t('role')}: <Tag color="blue">{isRole(role) ? t(ROLE_LABELS[role]) : role}</Tag>
      </span>
      <LanguageSwitch />
      <Button onClick={onLogout}>{t('logout')}</Button>
    </Space>
  );
}

function PageRoute({ page }: { page: ConsolePage }) {
  const t = useT(shellMessages);
  const { can, workspace } = useSession();
  if (!can(page.scope ?? 'read'))
    return <Typography.Text>{t('forbidden', { role: workspace?.role ?? '' })}</Typography.Text>;
  const Page = page.component;
  return <Page />;
}

function NotFound() {
  const t = useT(shellMessages);
  return (
    <Typography.Paragraph>
      {t('notFound')} <Link to="/">{t('backHome')}</Link>
    </Typography.Paragraph>
  );
}

/** The signed-in frame: menu, workspace switcher, role, language, logout, and the pages. */
export function Shell() {
  const t = useT(shellMessages);
  const { workspace } = useSession();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider breakpoint="lg" collapsedWidth={0} width={200}>
        <div className="kz-brand">
          Kizuna <span lang="ja">絆</span>
        </div>
        <nav aria-label={t('menu')}>
          <SideMenu />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header className="kz-header">
          <WorkspaceBar />
        </Layout.Header>
        <Layout.Content className="kz-content">
          <main>
            <Suspense fallback={<Loading />}>
              {/* Keyed by workspace: a switch starts every page afresh (no state of the last brand). */}
              <Routes key={workspace?.workspaceId}>
                {PAGES.map((page) => (
                  <Route key={page.path} path={`/${page.path}`} element={<PageRoute page={page} />} />
                ))}
                <Route path="*" element={<NotFound />} />
              </Routes>
            </Suspense>
          </main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
