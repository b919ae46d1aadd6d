// GET and POST /v1/dev/clock: read and move simulated business time (KIZUNA_CLOCK=simulated).
// Without simulated time both answer 404, so a production server has no way to move its clock.
import { Type } from 'typebox';
import type { App, RouteDeps } from '../http/route-deps.ts';
import { DomainError, invalid } from '../shared/domain-error.ts';
import { parseIsoDuration } from '../shared/iso-duration.ts';
import { moveClock } from './move-clock.ts';

const Now = Type.Object({
  now: Type.String({ format: 'date-time', maxLength: 40, description: 'business time, UTC' }),
  simulated: Type.Boolean(),
});
const Move = Type.Object(
  {
    advanceBy: Type.Optional(
      Type.String({ maxLength: 40, description: 'ISO-8601 duration: P3D, PT2H, P1DT12H' }),
    ),
    setTo: Type.Optional(
      Type.String({ maxLength: 40, description: 'an instant with its offset: 2027-01-01T10:00:00+09:00' }),
    ),
  },
  { additionalProperties: false },
);
const tags = ['dev'];
const OFF = 'the clock is the wall clock; start Kizuna with KIZUNA_CLOCK=simulated to move it';

export function registerClockRoutes(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/dev/clock',
    {
      config: { scope: 'read' },
      schema: { tags, summary: 'Business time, and whether it is simulated', response: { 200: Now } },
    },
    async () => ({ now: deps.clock.now().toISOString(), simulated: deps.clockControl !== undefined }),
  );
  app.post(
    '/v1/dev/clock',
    {
      config: { scope: 'admin' },
      schema: {
        tags,
        summary: 'Move simulated time forward (KIZUNA_CLOCK=simulated only): jobs that fall due run',
        body: Move,
        response: { 200: Now },
      },
    },
    async (request) => {
      const control = deps.clockControl;
      if (!control) throw new DomainError('not_found', OFF);
      const { advanceBy, setTo } = request.body;
      if ((advanceBy === undefined) === (setTo === undefined))
        throw invalid([{ path: 'advanceBy', message: 'give exactly one of advanceBy and setTo' }]);
      if (advanceBy !== undefined) {
        const duration = parseIsoDuration(advanceBy);
        if (!duration.ok) throw invalid([{ path: 'advanceBy', message: duration.reason }]);
        return { now: (await moveClock(control, { ms: duration.ms })).toISOString(), simulated: true };
      }
      return { now: (await moveClock(control, { to: setTo ?? '' })).toISOString(), simulated: true };
    },
  );
}
