// The rich menu actions of a journey (linkRichMenu, unlinkRichMenu) and their skip reasons, as the
// step list, the preview and the results word them in Japanese and English, without a browser.
import { describe, expect, it } from 'vitest';
import { fill, type Lang } from '../src/i18n/messages.ts';
import { asDefinition } from '../src/journeys/definition-view.ts';
import { nodeSummary, reasonName } from '../src/journeys/journey-labels.ts';
import { journeyMessages } from '../src/journeys/messages.ts';

const t =
  (lang: Lang) => (key: keyof (typeof journeyMessages)['ja'], vars?: Record<string, string | number>) =>
    fill(journeyMessages[lang][key], vars);

const menuJourney = asDefinition({
  trigger: { event: 'line.postback', action: 'summer' },
  reentry: 'never',
  quietHours: 'hold',
  nodes: [
    { id: 'menu', type: 'action', action: { type: 'linkRichMenu', richMenuId: 7 }, next: 'back' },
    { id: 'back', type: 'action', action: { type: 'unlinkRichMenu' }, next: 'end' },
    { id: 'end', type: 'exit' },
  ],
});

describe('rich menu actions', () => {
  it('word linkRichMenu and unlinkRichMenu in Japanese and English', () => {
    const [link, unlink] = menuJourney!.nodes;
    expect(nodeSummary(link!, t('ja'), 'ja')).toBe('リッチメニューを切り替える');
    expect(nodeSummary(unlink!, t('ja'), 'ja')).toBe('リッチメニューを元に戻す');
    expect(nodeSummary(link!, t('en'), 'en')).toBe('Switch the rich menu');
    expect(nodeSummary(unlink!, t('en'), 'en')).toBe('Restore the rich menu');
  });

  it('word the skip reasons of a rich menu step', () => {
    expect(reasonName('not_a_line_friend', 'ja')).toBe('LINE の友だちでない');
    expect(reasonName('line_blocked', 'en')).toBe('blocked');
  });
});
