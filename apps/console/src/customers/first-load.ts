import type { FirstLoadRoute } from '../app/first-load.ts';

/** Rows per page of the customer list. */
export const PAGE_SIZE = 50;

/** The customer list opened first: its chunk and its first page, with the search in the address. */
export const customerListFirstLoad: FirstLoadRoute = {
  pathname: '/customers',
  load: () => import('./customer-list-page.tsx'),
  requests: (search) => {
    const q = search.get('q') ?? '';
    return [`/v1/customers?limit=${PAGE_SIZE}${q ? `&q=${encodeURIComponent(q)}` : ''}`];
  },
};
