// Japan's 47 prefectures (都道府県) by their JIS X 0401 / ISO 3166-2:JP number, for reading the
// billing province of an export and a customer's prefecture as edited. Shopify's Japanese stores write it as a code ("13", "JP-13"),
// an English name ("Tokyo") or the Japanese one ("東京都"), depending on the store and its age.

const PREFECTURES: readonly (readonly [name: string, romaji: string])[] = [
  ['北海道', 'Hokkaido'],
  ['青森県', 'Aomori'],
  ['岩手県', 'Iwate'],
  ['宮城県', 'Miyagi'],
  ['秋田県', 'Akita'],
  ['山形県', 'Yamagata'],
  ['福島県', 'Fukushima'],
  ['茨城県', 'Ibaraki'],
  ['栃木県', 'Tochigi'],
  ['群馬県', 'Gunma'],
  ['埼玉県', 'Saitama'],
  ['千葉県', 'Chiba'],
  ['東京都', 'Tokyo'],
  ['神奈川県', 'Kanagawa'],
  ['新潟県', 'Niigata'],
  ['富山県', 'Toyama'],
  ['石川県', 'Ishikawa'],
  ['福井県', 'Fukui'],
  ['山梨県', 'Yamanashi'],
  ['長野県', 'Nagano'],
  ['岐阜県', 'Gifu'],
  ['静岡県', 'Shizuoka'],
  ['愛知県', 'Aichi'],
  ['三重県', 'Mie'],
  ['滋賀県', 'Shiga'],
  ['京都府', 'Kyoto'],
  ['大阪府', 'Osaka'],
  ['兵庫県', 'Hyogo'],
  ['奈良県', 'Nara'],
  ['和歌山県', 'Wakayama'],
  ['鳥取県', 'Tottori'],
  ['島根県', 'Shimane'],
  ['岡山県', 'Okayama'],
  ['広島県', 'Hiroshima'],
  ['山口県', 'Yamaguchi'],
  ['徳島県', 'Tokushima'],
  ['香川県', 'Kagawa'],
  ['愛媛県', 'Ehime'],
  ['高知県', 'Kochi'],
  ['福岡県', 'Fukuoka'],
  ['佐賀県', 'Saga'],
  ['長崎県', 'Nagasaki'],
  ['熊本県', 'Kumamoto'],
  ['大分県', 'Oita'],
  ['宮崎県', 'Miyazaki'],
  ['鹿児島県', 'Kagoshima'],
  ['沖縄県', 'Okinawa'],
];

/** The 47 prefectures' Japanese names in JIS order (北海道 … 沖縄県), for pickers. */
export const PREFECTURE_NAMES: readonly string[] = PREFECTURES.map(([name]) => name);

/** Every accepted spelling (lower-cased, without spaces) → the Japanese name. */
const BY_SPELLING = new Map<string, string>();
for (const [i, [name, romaji]] of PREFECTURES.entries()) {
  const code = String(i + 1);
  const lower = romaji.toLowerCase();
  // 東京都 → 東京, 大阪府 → 大阪, 神奈川県 → 神奈川 (北海道 has no suffix to drop).
  const short = name === '北海道' ? name : name.slice(0, -1);
  for (const spelling of [
    name,
    short,
    code,
    code.padStart(2, '0'),
    `jp-${code.padStart(2, '0')}`,
    `jp${code.padStart(2, '0')}`,
    lower,
    `${lower}-${name === '北海道' ? 'do' : name.endsWith('都') ? 'to' : name.endsWith('府') ? 'fu' : 'ken'}`,
    `${lower}${name === '北海道' ? '' : name.endsWith('都') ? 'to' : name.endsWith('府') ? 'fu' : 'ken'}`,
    `${lower}prefecture`,
  ])
    BY_SPELLING.set(spelling, name);
}
// Long vowels written out, as some stores spell them.
for (const [spelling, name] of [
  ['hokkaidou', '北海道'],
  ['toukyou', '東京都'],
  ['tokyo-to', '東京都'],
  ['oosaka', '大阪府'],
  ['kyouto', '京都府'],
  ['hyougo', '兵庫県'],
  ['kouchi', '高知県'],
  ['ooita', '大分県'],
] as const)
  BY_SPELLING.set(spelling, name);

/**
 * The Japanese name of a prefecture from any spelling an export uses, or undefined.
 *
 * @example
 * prefectureName('JP-13') // '東京都'
 * prefectureName('Tokyo') // '東京都'
 * prefectureName('１３') // '東京都' (full-width digits)
 */
export function prefectureName(raw: string): string | undefined {
  const key = raw
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\u3000]+/g, '')
    .replace(/ō/g, 'o')
    .replace(/ū/g, 'u');
  return BY_SPELLING.get(key);
}
