// The routes a recipient's mail client reaches without a login: one-click unsubscribe (RFC 8058)
// with its confirmation page, and the open pixel.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { recordEvent, resolveToken, unsubscribe } from './message-events.ts';
import { confirmPage, donePage, invalidPage } from './unsubscribe-page.ts';

const TokenParams = Type.Object({ token: Type.String({ maxLength: 60 }) });
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const tags = ['email'];
const Html = (description: string) => ({
  description,
  content: { 'text/html': { schema: Type.String({ maxLength: 20_000 }) } },
});
const NotFoundPage = Html('リンクが無効です / invalid link (unknown or forged token)');

export function registerPublicEmailRoutes(app: App, { database, secrets, clock }: RouteDeps): void {
  const db = database.db;
  void app.register(async (scope: FastifyInstance) => {
    // RFC 8058: the receiver POSTs `List-Unsubscribe=One-Click` as a form. The page's own
    // button posts the same body, so one parser serves both.
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 4096 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );
    scope.get<{ Params: { token: string } }>(
      '/u/:token',
      {
        schema: {
          tags,
          summary: 'Unsubscribe page (配信停止): shows a confirm button; a GET changes nothing',
          params: TokenParams,
          response: { 200: Html('the confirmation page (Japanese, English)'), 404: NotFoundPage },
        },
      },
      async (request, reply) => {
        // A link scanner's GET must not unsubscribe anyone: the page asks for the POST.
        const message = await resolveToken(db, secrets, 'u', request.params.token);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        if (!message) return reply.code(404).send(invalidPage());
        return reply.send(confirmPage(request.params.token));
      },
    );
    scope.post<{ Params: { token: string }; Body: Record<string, string> | undefined }>(
      '/u/:token',
      {
        schema: {
          tags,
          summary: 'One-click unsubscribe (RFC 8058): withdraws email marketing consent at once',
          description:
            'Body `List-Unsubscribe=One-Click` (application/x-www-form-urlencoded), as mail clients send it. ' +
            'No login and no confirmation: consent is revoked now, with the source in consent history. 404 for an unknown token.',
          params: TokenParams,
          response: { 200: Html('unsubscribed (a page saying so)'), 404: NotFoundPage },
        },
      },
      async (request, reply) => {
        const message = await resolveToken(db, secrets, 'u', request.params.token);
        reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
        if (!message) return reply.code(404).send(invalidPage());
        const fromPage = request.body?.source === 'page';
        await unsubscribe(db, message, fromPage ? 'email_unsubscribe_page' : 'email_one_click', clock.now());
        return reply.code(200).send(donePage());
      },
    );
  });
  app.get(
    '/o/:file',
    {
      schema: {
        tags,
        summary: 'Open pixel: records an estimated open (Apple Mail Privacy Protection loads every pixel)',
        params: Type.Object({ file: Type.String({ maxLength: 64 }) }),
        response: {
          200: {
            description: 'a 1×1 GIF',
            content: {
              'image/gif': {
                schema: Type.Unsafe<Buffer>({ type: 'string', format: 'binary', maxLength: 100 }),
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const token = request.params.file.replace(/\.gif$/, '');
      const message = await resolveToken(db, secrets, 'o', token);
      if (message) await recordEvent(db, message, 'open', null, clock.now());
      // The same answer for any token: the pixel tells a prober nothing.
      return reply.type('image/gif').header('cache-control', 'no-store, private').send(PIXEL);
    },
  );
}
