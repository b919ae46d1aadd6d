export { type DrawnSubscriber, drawSbgSubscribers, type SbgDraw, seededRandom } from './sbg-subscribers.ts';
export { type UntilOptions, until } from './until.ts';
