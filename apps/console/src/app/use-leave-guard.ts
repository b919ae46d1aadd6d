// A warning before unsaved changes are lost. The console runs under <BrowserRouter>, which has
// no navigation blocker (react-router's useBlocker needs a data router), so the guard watches the
// two ways off a page a user takes: a link inside the console (the side menu, 「一覧に戻る」; all
// are <a href>), stopped before react-router sees the click and asked about first, and a reload,
// a closed tab or a typed address (the browser's own beforeunload question). The browser's back
// button and a workspace switch are not guarded.
import { App as AntApp } from 'antd';
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';

export interface LeaveGuardTexts {
  title: string;
  content: string;
  leave: string;
  stay: string;
}

/** While `dirty`, asks before a link or a reload takes the user off the page. */
export function useLeaveGuard(dirty: boolean, texts: LeaveGuardTexts): void {
  const { modal } = AntApp.useApp();
  const navigate = useNavigate();
  // Read at click time, so the listeners are added once and see the latest state and wording.
  const state = useRef({ dirty, texts, asking: false });
  state.current.dirty = dirty;
  state.current.texts = texts;

  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (!state.current.dirty) return;
      event.preventDefault();
      // Chromium still asks only when returnValue is set (the text itself is not shown).
      event.returnValue = '';
    };
    const onClick = (event: MouseEvent) => {
      if (!state.current.dirty || event.defaultPrevented || event.button !== 0) return;
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return; // a new tab
      const link = (event.target as Element | null)?.closest?.('a[href]');
      if (!(link instanceof HTMLAnchorElement) || link.target === '_blank') return;
      const to = new URL(link.href, location.href);
      if (to.origin !== location.origin || to.pathname === location.pathname) return;
      event.preventDefault();
      event.stopPropagation();
      if (state.current.asking) return;
      state.current.asking = true;
      const { title, content, leave, stay } = state.current.texts;
      modal.confirm({
        title,
        content,
        okText: leave,
        okButtonProps: { danger: true },
        cancelText: stay,
        onOk: () => {
          state.current.dirty = false;
          navigate(`${to.pathname}${to.search}${to.hash}`);
        },
        afterClose: () => {
          state.current.asking = false;
        },
      });
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    // Capture: before react-router's own click handler on the link navigates.
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [modal, navigate]);
}
