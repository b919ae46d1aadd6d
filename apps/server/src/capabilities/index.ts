// Every capability of Kizuna. Adding one means adding its folder (with its capability.ts) and
// one line here. The order is the order routes are registered in (and shown in /docs), jobs are
// started in and commands are listed in `kizuna help`.
import { analyticsCapability } from '../analytics/capability.ts';
import { attributionCapability } from '../attribution/capability.ts';
import { campaignsCapability } from '../campaigns/capability.ts';
import { clicksCapability } from '../clicks/capability.ts';
import { clockCapability } from '../clock/capability.ts';
import { csvImportCapability } from '../csv-import/capability.ts';
import { customersCapability } from '../customers/capability.ts';
import { installCustomerData } from '../customers/customer-data.ts';
import { databaseCapability } from '../db/capability.ts';
import { demoCapability } from '../demo/capability.ts';
import { domainEventsCapability } from '../domain-events/capability.ts';
import { emailCapability } from '../email/capability.ts';
import { eventsCapability } from '../events/capability.ts';
import { healthCapability } from '../health/capability.ts';
import { journeysCapability } from '../journeys/capability.ts';
import { karteCapability } from '../karte/capability.ts';
import { liffCapability } from '../liff/capability.ts';
import { lineCapability } from '../line/capability.ts';
import { loyaltyCapability } from '../loyalty/capability.ts';
import { messagingCapability } from '../messaging/capability.ts';
import { ordersCapability } from '../orders/capability.ts';
import { productsCapability } from '../products/capability.ts';
import { recommendationsCapability } from '../recommendations/capability.ts';
import { segmentsCapability } from '../segments/capability.ts';
import { storesCapability } from '../stores/capability.ts';
import { templatesCapability } from '../templates/capability.ts';
import { visitsCapability } from '../visits/capability.ts';
import { webConsoleCapability } from '../web-console/capability.ts';
import { workspacesCapability } from '../workspaces/capability.ts';
import type { Capability } from './capability.ts';

export const CAPABILITIES: readonly Capability[] = [
  healthCapability,
  workspacesCapability,
  storesCapability,
  customersCapability,
  karteCapability,
  ordersCapability,
  eventsCapability,
  messagingCapability,
  lineCapability,
  emailCapability,
  loyaltyCapability,
  liffCapability,
  attributionCapability,
  visitsCapability,
  productsCapability,
  recommendationsCapability,
  templatesCapability,
  segmentsCapability,
  journeysCapability,
  analyticsCapability,
  campaignsCapability,
  clicksCapability,
  domainEventsCapability,
  csvImportCapability,
  demoCapability,
  databaseCapability,
  clockCapability,
  // Last: its catch-all GET serves the console's page for paths no capability claimed.
  webConsoleCapability,
];

// Merges read the customer tables from here (see customer-data.ts for why they are handed over).
installCustomerData(CAPABILITIES);
