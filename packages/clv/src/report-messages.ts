/**
 * Every word of the HTML report, one table per language (`kizuna clv report --lang ja|en`).
 * Both tables satisfy `ReportMessages`, so a string added for one language and missing from the
 * other is a type error. Japanese is written for a shop owner or marketer, in the words they use
 * (LTV, 稼働確率, 休眠, 優良顧客), not translated word for word; English is the original text.
 *
 * Strings are HTML. Arguments typed `Html` must already be escaped (file names, optimiser
 * messages); numbers are formatted here, with the table's locale.
 */
import type { ReportLang } from './cli-args.ts';
import type { CliModel } from './cli-model-names.ts';
import { MODEL_TITLES } from './cli-model-names.ts';
import type { Horizon, PredictionWarning } from './cli-predict.ts';
import { assertUnreachable } from './errors.ts';
import type { TimeUnit } from './summary.ts';

/** Text that is already HTML-safe. */
type Html = string;

export interface ReportMessages {
  /** `<html lang>` and the `Intl` locale for every number. */
  htmlLang: ReportLang;
  locale: 'ja-JP' | 'en-US';
  /** CSS font-family for the page and, by inheritance, the charts. */
  fontFamily: string;
  title: string;
  heading: string;
  source: (a: { source: Html; calibrationEnd?: string; holdoutEnd?: string; models: Html }) => Html;
  /** "BG/NBD with Gamma-Gamma spend": the purchase model and, when fitted, the spend model. */
  models: (model: CliModel, withSpend: boolean) => string;
  horizon: (h: Horizon) => string;
  /** A length in the summary's unit: "77.9 week", "77.9週". */
  elapsed: (length: number, unit: TimeUnit | undefined) => string;
  glance: {
    heading: string;
    customers: (customers: number, repeat: number, share: number) => Html;
    active: (active: number, share: number) => Html;
    expected: (h: Horizon, purchases: number) => Html;
    value: (total: number, mean: number) => Html;
  };
  holdout: {
    heading: string;
    text: (actual: number, predicted: number) => Html;
    chartTitle: string;
    yLabel: string;
    xLabel: string;
    actual: string;
    predicted: string;
  };
  alive: { heading: string; text: Html; chartTitle: string; xLabel: string };
  worth: { heading: string; text: (h: Horizon, top: number) => Html; chartTitle: string; xLabel: string };
  /** The y axis and series name of both histograms. */
  customersAxis: string;
  customersSeries: string;
  matrix: {
    heading: string;
    text: (h: Horizon, tenure: number, unit: TimeUnit | undefined) => Html;
    chartTitle: string;
    yLabel: string;
    xLabel: (unit: TimeUnit | undefined) => string;
  };
  top: {
    heading: (count: number, byClv: boolean) => string;
    customer: string;
    x: string;
    pAlive: string;
    expected: string;
    clv: string;
  };
  model: {
    heading: string;
    title: (model: CliModel) => string;
    parameter: string;
    estimate: string;
    stdError: string;
    fitLine: (logLikelihood: number, n: number, converged: boolean, detail: Html) => Html;
    warning: (w: PredictionWarning, detail: Html) => Html;
  };
  /** Numbers in this table's locale. */
  format: NumberFormats;
}

export interface NumberFormats {
  /** Grouped, with exactly `digits` decimals: 2,357 / 30.36. */
  fixed: (v: number, digits?: number) => string;
  /** As given, up to two decimals: 1 / 1.5. */
  plain: (v: number) => string;
  /** A share 0..1 as a percentage with one decimal: 40.1%. */
  percent: (share: number) => string;
  /** A relative difference with its sign: +1.2% / -3.4%. */
  signedPercent: (share: number) => string;
}

function numberFormats(locale: string): NumberFormats {
  const cache = new Map<number, Intl.NumberFormat>();
  const fixed = (v: number, digits = 0) => {
    let f = cache.get(digits);
    if (!f) {
      f = new Intl.NumberFormat(locale, { minimumFractionDigits: digits, maximumFractionDigits: digits });
      cache.set(digits, f);
    }
    return f.format(v);
  };
  const plain = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const percent = { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 } as const;
  const pct = new Intl.NumberFormat(locale, percent);
  const signed = new Intl.NumberFormat(locale, { ...percent, signDisplay: 'exceptZero' });
  return {
    fixed,
    plain: (v) => plain.format(v),
    percent: (share) => pct.format(share),
    signedPercent: (share) => signed.format(share),
  };
}

const enNum = numberFormats('en-US');
const jaNum = numberFormats('ja-JP');

/** Latin text first for English pages, Japanese fonts first for Japanese ones; both can show both. */
const JAPANESE_FONTS =
  '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP", "Yu Gothic", YuGothic, Meiryo';

const en: ReportMessages = {
  htmlLang: 'en',
  locale: 'en-US',
  fontFamily: `system-ui, ${JAPANESE_FONTS}, sans-serif`,
  title: 'Kizuna CLV report',
  heading: 'Customer lifetime value report',
  source: (a) =>
    `Source: ${a.source}${a.calibrationEnd ? `, calibration up to ${a.calibrationEnd}` : ''}${a.holdoutEnd ? `, holdout to ${a.holdoutEnd}` : ''}. Model: ${a.models}.`,
  models: (m, spend) => `${MODEL_TITLES[m]}${spend ? ' with Gamma-Gamma spend' : ''}`,
  horizon: (h) =>
    h.unit === 'period' ? `${h.length} periods` : `${h.length} ${h.unit}${h.length === 1 ? '' : 's'}`,
  elapsed: (v, unit) => `${v.toFixed(1)} ${unit ?? 'units'}`,
  glance: {
    heading: 'At a glance',
    customers: (c, r, share) =>
      `<b>${enNum.fixed(c)}</b> customers, of whom <b>${enNum.fixed(r)}</b> (${enNum.percent(share)}) have bought again after their first purchase.`,
    active: (a, share) =>
      `<b>${enNum.fixed(a)}</b> (${enNum.percent(share)}) are more likely than not still active (P(alive) &gt; 0.5).`,
    expected: (h, n) => `Expected repeat purchases over the next ${en.horizon(h)}: <b>${enNum.fixed(n)}</b>.`,
    value: (total, mean) =>
      `Expected value of those purchases, discounted: <b>${enNum.fixed(total)}</b> (mean ${enNum.fixed(mean, 2)} per customer).`,
  },
  holdout: {
    heading: 'Did the model predict the holdout period?',
    text: (a, p) =>
      `Over the holdout period customers made <b>${enNum.fixed(a)}</b> repeat purchases; the model, fitted only on the calibration period, expected <b>${enNum.fixed(p)}</b>${a > 0 ? ` (${((100 * (p - a)) / a).toFixed(1)}%)` : ''}.`,
    chartTitle: 'Mean holdout purchases per customer, by calibration repeat purchases',
    yLabel: 'purchases per customer',
    xLabel: 'repeat purchases in calibration (x)',
    actual: 'actual',
    predicted: 'predicted',
  },
  alive: {
    heading: 'Who is still active?',
    text: 'P(alive) is the chance that a customer has not silently left. Customers near 0 have likely gone; a reminder is cheaper than a coupon for those near 1.',
    chartTitle: 'Customers by P(alive)',
    xLabel: 'P(alive)',
  },
  worth: {
    heading: 'What customers are worth',
    text: (h, top) =>
      `Discounted expected spend over the next ${en.horizon(h)}. The top 1% (above ${enNum.fixed(top, 2)}) are in the last bar.`,
    chartTitle: 'Customers by expected value (CLV)',
    xLabel: 'CLV',
  },
  customersAxis: 'customers',
  customersSeries: 'customers',
  matrix: {
    heading: 'Frequency and recency',
    text: (h, tenure, unit) =>
      `Expected purchases over the next ${en.horizon(h)} for a customer who has been with you for ${en.elapsed(tenure, unit)}, by how often (x) and how recently (t_x) they bought. Frequent buyers who have gone quiet (top left) are the ones to win back.`,
    chartTitle: 'Expected purchases by frequency and recency',
    yLabel: 'repeat purchases (x)',
    xLabel: (unit) => `time of last purchase, t_x (${unit ?? 'units'})`,
  },
  top: {
    heading: () => 'Top customers',
    customer: 'customer',
    x: 'x',
    pAlive: 'P(alive)',
    expected: 'expected purchases',
    clv: 'CLV',
  },
  model: {
    heading: 'Model details',
    title: (m) => MODEL_TITLES[m],
    parameter: 'parameter',
    estimate: 'estimate',
    stdError: 'std. error',
    fitLine: (ll, n, converged, detail) =>
      `Log-likelihood ${enNum.fixed(ll, 2)} on ${enNum.fixed(n)} customers; ${converged ? 'converged' : '<b>did not converge</b>'} (${detail}).`,
    warning: (w, detail) => {
      switch (w.code) {
        case 'not_converged':
          return `<b>Warning:</b> ${w.model} did not converge: ${detail}`;
        case 'no_spend_model':
          return `<b>Warning:</b> no spend model: ${detail}`;
        default:
          return assertUnreachable(w);
      }
    },
  },
  format: enNum,
};

/** 今後「1年間」「6か月間」「4週間」「30日間」「5期間」(BG/BB の取引機会). */
const JA_SPAN: Record<Horizon['unit'], string> = {
  day: '日間',
  week: '週間',
  month: 'か月間',
  year: '年間',
  period: '期間',
};
const JA_UNIT: Record<TimeUnit, string> = { day: '日', week: '週' };

/** `2024-12-31` → `2024年12月31日` (the CLI's dates are always YYYY-MM-DD). */
function jaDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  return m ? `${m[1]}年${Number(m[2])}月${Number(m[3])}日` : day;
}

const ja: ReportMessages = {
  htmlLang: 'ja',
  locale: 'ja-JP',
  fontFamily: `${JAPANESE_FONTS}, system-ui, sans-serif`,
  title: 'Kizuna 顧客生涯価値（LTV）レポート',
  heading: '顧客生涯価値（LTV）レポート',
  source: (a) => {
    const periods = [
      a.calibrationEnd && `キャリブレーション期間: ${jaDate(a.calibrationEnd)}まで`,
      a.holdoutEnd && `ホールドアウト期間: ${jaDate(a.holdoutEnd)}まで`,
    ].filter(Boolean);
    return `データ: ${a.source}${periods.length > 0 ? `（${periods.join('、')}）` : ''}。モデル: ${a.models}。`;
  },
  models: (m, spend) => `${MODEL_TITLES[m]}${spend ? '（購入単価は Gamma-Gamma モデル）' : ''}`,
  horizon: (h) => `${jaNum.plain(h.length)}${JA_SPAN[h.unit]}`,
  elapsed: (v, unit) => `${jaNum.fixed(v, 1)}${unit ? JA_UNIT[unit] : '単位'}`,
  glance: {
    heading: 'サマリー',
    customers: (c, r, share) =>
      `顧客数は<b>${jaNum.fixed(c)}</b>人。そのうち<b>${jaNum.fixed(r)}</b>人（${jaNum.percent(share)}）が初回購入のあとにリピート購入しています。`,
    active: (a, share) =>
      `<b>${jaNum.fixed(a)}</b>人（${jaNum.percent(share)}）は稼働確率が0.5を超えており、今も稼働中である可能性が高い顧客です。`,
    expected: (h, n) => `今後${ja.horizon(h)}に見込まれるリピート購入は合計<b>${jaNum.fixed(n)}</b>回です。`,
    value: (total, mean) =>
      `その購入による売上の見込み（割引後の現在価値）は<b>${jaNum.fixed(total)}</b>、顧客1人あたり平均${jaNum.fixed(mean, 2)}です。`,
  },
  holdout: {
    heading: '予測は当たっていたか（ホールドアウト検証）',
    text: (a, p) =>
      `ホールドアウト期間の実際のリピート購入は<b>${jaNum.fixed(a)}</b>回でした。キャリブレーション期間のデータだけで推定したモデルの予測は<b>${jaNum.fixed(p)}</b>回${a > 0 ? `（実績との差 ${jaNum.signedPercent((p - a) / a)}）` : ''}です。`,
    chartTitle: 'キャリブレーション期間のリピート購入回数別に見た、ホールドアウト期間の1人あたり購入回数',
    yLabel: '1人あたり購入回数',
    xLabel: 'キャリブレーション期間のリピート購入回数（x）',
    actual: '実績',
    predicted: '予測',
  },
  alive: {
    heading: '今も稼働している顧客はどれくらい？',
    text: '稼働確率（P(alive)）は、その顧客が黙って離れていない、つまり今も稼働中である確率です。0に近い顧客はすでに休眠・離反している可能性が高く、1に近い顧客にはクーポンを配るよりお知らせ（リマインド）を送るほうが低コストで済みます。',
    chartTitle: '稼働確率別の顧客数',
    xLabel: '稼働確率',
  },
  worth: {
    heading: '顧客1人ひとりの価値（予測LTV）',
    text: (h, top) =>
      `今後${ja.horizon(h)}に見込まれる購入金額を、現在価値に割り引いたものが予測LTVです。上位1%（${jaNum.fixed(top, 2)}超）の顧客は右端の棒にまとめています。`,
    chartTitle: '予測LTV別の顧客数',
    xLabel: '予測LTV',
  },
  customersAxis: '顧客数（人）',
  customersSeries: '顧客数',
  matrix: {
    heading: '購入頻度と最終購入時期',
    text: (h, tenure, unit) =>
      `初回購入から${ja.elapsed(tenure, unit)}たった顧客が今後${ja.horizon(h)}に購入する回数の見込み（期待購入回数）を、リピート購入回数（x）と最終購入時期（t_x）の組み合わせごとに示します。以前はよく買っていたのに最近購入がない顧客（左上）が、休眠掘り起こしで最初に声をかけたい顧客です。`,
    chartTitle: '購入頻度×最終購入時期別の期待購入回数',
    yLabel: 'リピート購入回数（x）',
    xLabel: (unit) => `最終購入時期 t_x（初回購入からの${unit ? `${JA_UNIT[unit]}数` : '期間'}）`,
  },
  top: {
    heading: (count, byClv) => `優良顧客トップ${count}（${byClv ? '予測LTV' : '期待購入回数'}順）`,
    customer: '顧客ID',
    x: 'リピート購入回数',
    pAlive: '稼働確率',
    expected: '期待購入回数',
    clv: '予測LTV',
  },
  model: {
    heading: 'モデルの詳細（分析担当者向け）',
    title: (m) => `${MODEL_TITLES[m]}（${m === 'gg' ? '購入単価' : '購入回数と離反'}のモデル）`,
    parameter: 'パラメータ',
    estimate: '推定値',
    stdError: '標準誤差',
    fitLine: (ll, n, converged, detail) =>
      `対数尤度 ${jaNum.fixed(ll, 2)}（顧客${jaNum.fixed(n)}人）。推定は${converged ? '収束しました' : '<b>収束しませんでした</b>'}（最適化の記録: ${detail}）。`,
    warning: (w, detail) => {
      switch (w.code) {
        case 'not_converged':
          return `<b>注意:</b> ${MODEL_TITLES[w.model]}モデルの推定が収束しませんでした。以下の数字は参考値として扱ってください（${detail}）。`;
        case 'no_spend_model':
          return `<b>注意:</b> 購入単価のモデル（Gamma-Gamma）を推定できなかったため、予測LTVは表示していません（${detail}）。`;
        default:
          return assertUnreachable(w);
      }
    },
  },
  format: jaNum,
};

const TABLES: Record<ReportLang, ReportMessages> = { ja, en };

export function reportMessages(lang: ReportLang): ReportMessages {
  return TABLES[lang];
}
