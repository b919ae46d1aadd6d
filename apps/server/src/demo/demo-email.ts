// The demo brand's email: a sender with what the specified e-mail act (特定電子メール法) requires
// in every advertising mail (the sender's postal address and a contact for complaints) and its
// own DKIM key, and two templates: the monthly newsletter (メルマガ, personalised with Liquid:
// name, points, tier and co-purchase recommendations) and a transactional order thank-you.
// Nothing is sent: the demo has no SMTP relay unless KIZUNA_SMTP_URL is set.
import type { Database } from '../db/open-database.ts';
import { putSender } from '../email/sender.ts';
import { saveTemplate } from '../email/templates.ts';
import type { SecretBox } from '../shared/secret-box.ts';

export const DEMO_SENDER = {
  fromName: '絆珈琲',
  fromAddress: 'news@kizuna-coffee.example',
  replyTo: 'support@kizuna-coffee.example',
  postalAddress: '〒150-0041 東京都渋谷区神南1-2-3 絆珈琲 本部',
  contact: '03-1234-5678（平日10時〜18時） / support@kizuna-coffee.example',
} as const;

export const DEMO_NEWSLETTER = '絆珈琲 メルマガ（月刊）';
export const DEMO_ORDER_THANKS = 'ご注文ありがとうございます';

const section = (inner: string) =>
  `<mj-section background-color="#ffffff"><mj-column>${inner}</mj-column></mj-section>`;

const NEWSLETTER_MJML = `<mjml>
  <mj-head>
    <mj-attributes><mj-all font-family="'Hiragino Sans', 'Noto Sans JP', Meiryo, sans-serif" /></mj-attributes>
    <mj-preview>今月のおすすめと、{{ customer.given_name | default: "お客" }}様のポイント</mj-preview>
  </mj-head>
  <mj-body background-color="#f4efe9">
    ${section(`<mj-text font-size="20px" color="#5b3a29">絆珈琲 メルマガ</mj-text>
    <mj-text font-size="15px" line-height="1.8">
      <p>{{ customer.name | default: "お客" }}様、いつも絆珈琲をご利用いただきありがとうございます。</p>
      <p>現在のポイント残高は <b>{{ customer.points }}pt</b>{% if customer.tier %}（{{ customer.tier }} 会員）{% endif %}です。</p>
      {% if coupon %}<p>ご利用いただけるクーポン: {{ coupon.name }}（コード {{ coupon.code }}）</p>{% endif %}
    </mj-text>`)}
    ${section(`<mj-text font-size="16px" color="#5b3a29">{{ customer.given_name | default: "お客" }}様へのおすすめ</mj-text>
    <mj-text font-size="14px" line-height="1.8">
      {% for p in recommendations limit:3 %}<p>・{{ p.name }}{% if p.price %} ¥{{ p.price }}{% endif %}</p>{% else %}<p>・季節のブレンド ほうじ茶ラテ</p>{% endfor %}
    </mj-text>
    <mj-button background-color="#5b3a29" href="https://kizuna-coffee.example/menu?utm_source=newsletter">メニューを見る</mj-button>`)}
  </mj-body>
</mjml>`;

const ORDER_THANKS_MJML = `<mjml>
  <mj-body background-color="#f4efe9">
    ${section(`<mj-text font-size="15px" line-height="1.8">
      <p>{{ customer.name | default: "お客" }}様</p>
      <p>絆珈琲オンラインストアをご利用いただき、誠にありがとうございます。ご注文を承りました。</p>
      <p>発送の準備ができ次第、あらためてご連絡いたします。</p>
      <p>ご注文の確認: <a href="https://kizuna-coffee.example/account/orders">マイページ</a></p>
    </mj-text>`)}
  </mj-body>
</mjml>`;

/** The sender and the two templates; returns the templates' ids. */
export async function loadDemoEmail(
  database: Database,
  secrets: SecretBox,
  workspaceId: string,
  now: Date,
): Promise<{ newsletterId: number; orderThanksId: number }> {
  const db = database.db;
  await putSender(db, secrets, workspaceId, DEMO_SENDER);
  const newsletter = await saveTemplate(
    db,
    workspaceId,
    {
      name: DEMO_NEWSLETTER,
      subject: '【絆珈琲】{{ customer.given_name | default: "お客" }}様へ、今月のおすすめ',
      mjml: NEWSLETTER_MJML,
      kind: 'marketing',
    },
    now,
  );
  const thanks = await saveTemplate(
    db,
    workspaceId,
    {
      name: DEMO_ORDER_THANKS,
      subject: '【絆珈琲】ご注文ありがとうございます',
      mjml: ORDER_THANKS_MJML,
      kind: 'transactional',
    },
    now,
  );
  return { newsletterId: newsletter.id, orderThanksId: thanks.id };
}
