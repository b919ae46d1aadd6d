// Every capability's console pages. Adding a capability's screens means adding its folder (with
// its pages.ts) and one line here.
import { campaignsPages } from '../campaigns/pages.ts';
import { customersPages } from '../customers/pages.ts';
import { dashboardPages } from '../dashboard/pages.ts';
import { emailPages } from '../email/pages.ts';
import { journeysPages } from '../journeys/pages.ts';
import { linePages } from '../line/pages.ts';
import { loyaltyPages } from '../loyalty/pages.ts';
import { segmentsPages } from '../segments/pages.ts';
import { teamPages } from '../team/pages.ts';
import type { ConsolePage } from './console-page.ts';

export const PAGES: readonly ConsolePage[] = [
  ...dashboardPages,
  ...customersPages,
  ...segmentsPages,
  ...loyaltyPages,
  ...linePages,
  ...emailPages,
  ...teamPages,
  ...journeysPages,
  ...campaignsPages,
];
