// How a capability adds screens: its folder exports a list of ConsolePage from its pages.ts, and
// app/pages.ts adds that list with one line. The shell builds the routes and the menu from it.
import type { ComponentType, LazyExoticComponent } from 'react';
import type { Scope } from '../auth/roles.ts';
import type { Lang } from '../i18n/messages.ts';

export interface ConsolePage {
  /** The route, relative to the console's root: '' for the dashboard, 'customers/:id'. */
  path: string;
  /** Loaded when first opened, so the first screen does not carry every page's code. */
  component: LazyExoticComponent<ComponentType>;
  /** In the side menu with this title (both languages); pages without one are reached by links. */
  menu?: { title: Readonly<Record<Lang, string>>; order: number };
  /** The scope the page needs; by default 'read'. */
  scope?: Scope;
}
