import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runClv } from '../src/cli.ts';
import { DATA, HOLDOUT_ARGS, SAMPLE_LOG_ARGS } from './cdnow.ts';
import { memoryIo } from './memory-io.ts';

const sample = join(DATA, 'CDNOW_sample.txt');
const summary = join(DATA, 'cdnow_customers_summary_with_transactions.csv');
const holdoutReport = ['report', ...SAMPLE_LOG_ARGS, ...HOLDOUT_ARGS];

async function report(args: string[]): Promise<string> {
  const m = memoryIo();
  const code = await runClv([...args, '--output', 'r.html'], m.io);
  expect(code, m.err()).toBe(0);
  return m.written['r.html']!;
}

/** The text inside every `<tag>…</tag>`, markup removed. */
function inner(html: string, tag: string): string[] {
  return [...html.matchAll(new RegExp(`<${tag}(?: [^>]*)?>(.*?)</${tag}>`, 'gs'))].map((m) =>
    m[1]!.replace(/<[^>]+>/g, ''),
  );
}

const JAPANESE = /[\u3040-\u30ff\u4e00-\u9fff]/;

const EN_HEADINGS = [
  'At a glance',
  'Did the model predict the holdout period?',
  'Who is still active?',
  'What customers are worth',
  'Frequency and recency',
  'Top customers',
  'Model details',
];

describe('kizuna clv report --lang ja|en (Japanese by default)', () => {
  let ja = '';
  let en = '';
  beforeAll(async () => {
    ja = await report(holdoutReport);
    en = await report([...holdoutReport, '--lang', 'en']);
  });

  it('with no --lang the page is Japanese: lang="ja", a Japanese title, h1 and every section heading', () => {
    expect(ja).toContain('<html lang="ja">');
    // The first <title> is the page's; the others are the charts' tooltips.
    expect(inner(ja, 'title')[0]).toBe('Kizuna 顧客生涯価値（LTV）レポート');
    expect(inner(ja, 'h1')).toEqual(['顧客生涯価値（LTV）レポート']);
    expect(inner(ja, 'h2')).toEqual([
      'サマリー',
      '予測は当たっていたか（ホールドアウト検証）',
      '今も稼働している顧客はどれくらい？',
      '顧客1人ひとりの価値（予測LTV）',
      '購入頻度と最終購入時期',
      '優良顧客トップ15（予測LTV順）',
      'モデルの詳細（分析担当者向け）',
    ]);
    expect(inner(ja, 'h3')).toEqual(['BG/NBD（購入回数と離反のモデル）', 'Gamma-Gamma（購入単価のモデル）']);
  });

  it('chart captions, axis labels, legends and table headers are Japanese', () => {
    expect(inner(ja, 'figcaption')).toEqual([
      'キャリブレーション期間のリピート購入回数別に見た、ホールドアウト期間の1人あたり購入回数',
      '稼働確率別の顧客数',
      '予測LTV別の顧客数',
      '購入頻度×最終購入時期別の期待購入回数',
    ]);
    const labels = inner(ja, 'text').filter((t) => /[A-Za-z]/.test(t) || JAPANESE.test(t));
    for (const label of [
      '1人あたり購入回数',
      '実績',
      '予測',
      '稼働確率',
      '顧客数（人）',
      '予測LTV',
      'リピート購入回数（x）',
      '最終購入時期 t_x（初回購入からの週数）',
    ]) {
      expect(labels).toContain(label);
    }
    // Every word on a chart is Japanese (t_x and x appear only inside Japanese labels).
    expect(labels.filter((t) => !JAPANESE.test(t))).toEqual([]);
    expect(inner(ja, 'th')).toEqual([
      '顧客ID',
      'リピート購入回数',
      '稼働確率',
      '期待購入回数',
      '予測LTV',
      'パラメータ',
      '推定値',
      '標準誤差',
      'パラメータ',
      '推定値',
      '標準誤差',
    ]);
  });

  it('no English is left in the Japanese page beyond file names, model names and symbols', () => {
    for (const heading of EN_HEADINGS) expect(ja).not.toContain(heading);
    const visible = ja
      .replace(/<style>.*?<\/style>/s, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(sample, ' ')
      // Names and symbols that stay as they are in Japanese: models, LTV, ID, P(alive), t_x,
      // parameter names and the optimiser's own message (shown as a technical detail).
      .replace(/BG\/NBD|Gamma-Gamma|LTV|ID|P\(alive\)|t_x|gamma|alpha|Kizuna|gradient below tolerance/g, ' ');
    expect(visible.match(/[A-Za-z]{2,}/g) ?? []).toEqual([]);
  });

  it('numbers are in the ja-JP format, dates in Japanese, units as 人/回/年間/週', () => {
    expect(ja).toContain('顧客数は<b>2,357</b>人');
    expect(ja).toContain('<b>946</b>人（40.1%）');
    expect(ja).toContain('今後1年間に見込まれるリピート購入は合計<b>2,095</b>回です');
    expect(ja).toContain('実際のリピート購入は<b>1,882</b>回');
    expect(ja).toContain('キャリブレーション期間: 1997年9月30日まで、ホールドアウト期間: 1998年6月30日まで');
    expect(ja).toContain('初回購入から38.9週たった顧客');
    expect(ja).toMatch(/（実績との差 [+-]\d+\.\d%）/);
  });

  it('neither language shows NaN, undefined or Infinity anywhere', () => {
    for (const html of [ja, en]) expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('the page names Japanese fonts and stays self-contained (no web fonts, links or scripts)', () => {
    const style = inner(ja, 'style')[0]!;
    expect(style).toMatch(/font-family:"Hiragino Sans", .*"Noto Sans JP", .*"Yu Gothic", .*sans-serif/);
    // The charts inherit the page's fonts: an SVG font-family would override them.
    expect(ja).not.toMatch(/<svg [^>]*font-family/);
    for (const html of [ja, en]) expect(html).not.toMatch(/@import|@font-face|url\(|<link|<script/);
  });

  it('--lang en keeps the English page: lang="en", the same headings, en-US numbers', () => {
    expect(en).toContain('<html lang="en">');
    expect(inner(en, 'h1')).toEqual(['Customer lifetime value report']);
    expect(inner(en, 'h2')).toEqual(EN_HEADINGS);
    expect(en).toContain('<b>2,357</b> customers, of whom <b>946</b> (40.1%) have bought again');
    expect(en).not.toMatch(JAPANESE);
  });
});

describe('kizuna clv report: warnings and a bad --lang', () => {
  it('a fit that did not converge is flagged in the language of the report', async () => {
    const args = ['report', '--summary', summary, '--unit', 'week', '--max-iterations', '2'];
    const ja = await report(args);
    expect(ja).toContain('<b>注意:</b> BG/NBDモデルの推定が収束しませんでした。');
    expect(ja).toContain('推定は<b>収束しませんでした</b>');
    // Only the optimiser's own message ("no convergence in 2 iterations") stays in English.
    expect(ja).not.toMatch(/Warning|did not converge|converged/);
    const en = await report([...args, '--lang', 'en']);
    expect(en).toContain('<b>Warning:</b> bgnbd did not converge: ');
    expect(en).toContain('<b>did not converge</b>');
    // A stopped fit can leave a standard error NaN; it shows as a dash, not as "NaN".
    for (const html of [ja, en]) expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('a bad --lang is a usage error naming --lang and its choices: exit 2, nothing written', async () => {
    const m = memoryIo();
    expect(await runClv([...holdoutReport, '--lang', 'fr', '--output', 'r.html'], m.io)).toBe(2);
    expect(m.err()).toContain("--lang must be one of ja|en (got 'fr')");
    expect(m.written).toEqual({});
  });
});
