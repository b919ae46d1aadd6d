import { defineMessages } from '../i18n/messages.ts';

export const emailMessages = defineMessages(
  {
    title: 'メール設定',
    intro:
      'メールの差出人（送信者）を設定し、迷惑メール扱いされないための DNS レコードを公開して、テストメールで確認します。',
    readOnly: '閲覧のみです。設定を変更できるのはオーナーと管理者です。',
    noSender: '差出人はまだ設定されていません',
    noSenderNext:
      'まず下の「差出人」に差出人名・送信元アドレス・住所・問い合わせ先を入力して保存してください。保存すると DKIM の鍵が作られ、DNS に登録するレコードが表示されます。',
    noSenderViewer: 'オーナーか管理者に、このページで差出人を設定してもらってください。',
    sender: '差出人',
    lawTitle: '特定電子メール法について',
    lawBody:
      '広告・宣伝のメールには、送信者の氏名または名称・住所・苦情や問い合わせの受付先を表示することが法律（特定電子メール法）で義務づけられています。ここに入力した住所と問い合わせ先は、配信するメールのフッターに自動で入ります。',
    fromName: '差出人名',
    fromNameHelp: '受信者のメールソフトに表示される名前（例：絆珈琲）',
    fromAddress: '送信元メールアドレス',
    fromAddressHelp:
      'このアドレスのドメイン（@ より後ろ）に DKIM・SPF・DMARC のレコードを登録します（例：news@kizuna-coffee.jp）',
    replyTo: '返信先メールアドレス（任意）',
    replyToHelp: 'お客様が「返信」したときの宛先。空欄なら送信元アドレスに届きます。',
    postalAddress: '送信者の住所',
    postalAddressHelp: '例：東京都渋谷区神南1-2-3 絆ビル2階',
    contact: '苦情・問い合わせ先',
    contactHelp: '電話番号、メールアドレスまたは URL（例：03-1234-5678 / support@kizuna-coffee.jp）',
    required: '{field}を入力してください',
    save: '保存',
    saved: '差出人を保存しました',
    saveFailed: '保存できませんでした：{reason}',
    'problem.address': 'メールアドレスの形式ではありません（例：news@kizuna-coffee.jp）',
    'problem.length': '{max}文字以内で入力してください',
    'problem.oneLine': '改行を入れずに1行で入力してください',
    'problem.domain': 'ドメイン名の形式ではありません',
    dns: 'DNS に登録するレコード',
    dnsIntro:
      'ドメインを管理している会社（お名前.com、ムームードメイン、Google Domains など）の DNS 設定画面で、次の TXT レコードを追加してください。反映まで数時間かかることがあります。',
    dnsEmpty: '差出人を保存すると、ここに登録するレコードが表示されます。',
    host: 'ホスト名',
    type: '種類',
    value: '値',
    copy: 'コピー',
    copied: 'コピーしました',
    'record.dkim': 'DKIM（電子署名の公開鍵）',
    'record.dkimHelp':
      'メールが本当にこのドメインから送られ、途中で書き換えられていないことを受信側が確かめるための鍵です。',
    'record.dkimEd25519': 'DKIM（Ed25519 の公開鍵、RSA と併用）',
    'record.spf': 'SPF（送信を許可するサーバー）',
    'record.spfHelp':
      'すでに SPF（v=spf1 …）がある場合は新しく追加せず、1つにまとめてください。配信サービス（SendGrid など）を使う場合は、その会社が案内する include: を加えます。',
    'record.dmarc': 'DMARC（なりすまし対策の方針）',
    'record.dmarcHelp': 'まず p=none（監視のみ）で始め、問題がなければ quarantine や reject に強めます。',
    zoneFile: 'ゾーンファイル形式でまとめて見る（BIND）',
    zoneFileLabel: 'ゾーンファイル形式のレコード',
    testSend: 'テスト送信',
    testSendIntro:
      '差出人の設定と DKIM 署名で、実際にメールを1通送ります。届いたメールのヘッダーで「dkim=pass」になっているか確認してください。',
    testTo: '送信先メールアドレス',
    send: 'テストメールを送信',
    sentTitle: 'テストメールを送信しました',
    sentBody: '送信サーバーの応答：{response}',
    testFailed: '送信できませんでした：{reason}',
    smtpMissingTitle: '送信サーバー（KIZUNA_SMTP_URL）が未設定です',
    smtpMissingBody:
      'Kizuna を動かしているサーバーの環境変数 KIZUNA_SMTP_URL に、メール配信サービスの SMTP の接続先（例：smtp://ユーザー名:パスワード@smtp.example.jp:587）を設定して再起動してください。サーバーの管理者か、導入を担当した会社にご依頼ください。',
    smtpRefusedTitle: '送信サーバーがメールを受け付けませんでした',
    testNeedsSender: '先に差出人を保存してください',
  },
  {
    title: 'Email settings',
    intro:
      'Set who your email comes from, publish the DNS records that keep it out of spam folders, and check it all with a test email.',
    readOnly: 'Read only. Owners and admins can change these settings.',
    noSender: 'No sender set up yet',
    noSenderNext:
      'First fill in "Sender" below (name, from address, postal address and contact) and save. Saving makes the DKIM key and shows the DNS records to publish.',
    noSenderViewer: 'Ask an owner or admin to set up the sender on this page.',
    sender: 'Sender',
    lawTitle: 'Why the postal address and contact are required',
    lawBody:
      "Japan's Act on Specified Electronic Mail requires advertising email to show the sender's name, postal address and a contact for complaints and questions. What you enter here goes into the footer of every marketing email.",
    fromName: 'Sender name',
    fromNameHelp: "The name shown in the customer's mail app (e.g. Kizuna Coffee)",
    fromAddress: 'From address',
    fromAddressHelp:
      'The DKIM, SPF and DMARC records go on the domain after the @ (e.g. news@kizuna-coffee.jp)',
    replyTo: 'Reply-to address (optional)',
    replyToHelp: 'Where replies from customers go. Empty: to the from address.',
    postalAddress: 'Postal address',
    postalAddressHelp: 'e.g. Kizuna Bldg. 2F, 1-2-3 Jinnan, Shibuya-ku, Tokyo',
    contact: 'Contact for complaints and questions',
    contactHelp: 'A phone number, email address or URL (e.g. 03-1234-5678 / support@kizuna-coffee.jp)',
    required: 'Enter the {field}',
    save: 'Save',
    saved: 'Sender saved',
    saveFailed: 'Could not save: {reason}',
    'problem.address': 'Not an email address (e.g. news@kizuna-coffee.jp)',
    'problem.length': 'Use at most {max} characters',
    'problem.oneLine': 'Use one line, without line breaks',
    'problem.domain': 'Not a domain name',
    dns: 'DNS records to publish',
    dnsIntro:
      'Add these TXT records in the DNS settings of the company that manages your domain. They can take a few hours to take effect.',
    dnsEmpty: 'Save the sender to see the records to publish here.',
    host: 'Host name',
    type: 'Type',
    value: 'Value',
    copy: 'Copy',
    copied: 'Copied',
    'record.dkim': 'DKIM (signature public key)',
    'record.dkimHelp':
      'Lets receivers check that the mail really comes from this domain and was not changed on the way.',
    'record.dkimEd25519': 'DKIM (Ed25519 public key, beside RSA)',
    'record.spf': 'SPF (servers allowed to send)',
    'record.spfHelp':
      'If the domain already has an SPF record (v=spf1 …), merge into it instead of adding a second one. With a sending service (SendGrid, …), add the include: it gives you.',
    'record.dmarc': 'DMARC (anti-spoofing policy)',
    'record.dmarcHelp':
      'Start with p=none (monitor only), then move to quarantine or reject once all is well.',
    zoneFile: 'All records in zone file format (BIND)',
    zoneFileLabel: 'Records in zone file format',
    testSend: 'Test email',
    testSendIntro:
      'Sends one real email with the sender and its DKIM signature. Check that the received headers say "dkim=pass".',
    testTo: 'Send to',
    send: 'Send a test email',
    sentTitle: 'Test email sent',
    sentBody: "The mail server's reply: {response}",
    testFailed: 'Could not send: {reason}',
    smtpMissingTitle: 'No sending server (KIZUNA_SMTP_URL) is configured',
    smtpMissingBody:
      "Set the environment variable KIZUNA_SMTP_URL of the server running Kizuna to your email service's SMTP address (e.g. smtp://user:password@smtp.example.jp:587) and restart it. Ask your server administrator or the company that set Kizuna up.",
    smtpRefusedTitle: 'The mail server refused the email',
    testNeedsSender: 'Save the sender first',
  },
);

export const templateMessages = defineMessages(
  {
    title: 'メールテンプレート',
    intro:
      'ステップ配信や一斉配信で使うメールのひな形です。テンプレートの作成・編集は API（POST /v1/email/templates）で行います。',
    empty: 'メールテンプレートはまだありません',
    emptyNext:
      'API の POST /v1/email/templates で MJML のテンプレートを登録すると、ここに一覧と見た目のプレビューが表示されます。',
    name: '名前',
    subject: '件名',
    kind: '種類',
    updatedAt: '更新日',
    marketing: '広告・宣伝',
    transactional: '取引連絡',
    preview: 'プレビュー',
    previewOf: '「{name}」のプレビュー',
    previewHint:
      'お客様ごとに差し込まれる項目（{{ customer.given_name }} など）は、そのまま表示されます。配信停止リンクと住所のフッターは配信時に加わります。',
    pick: '一覧の「プレビュー」を押すと、ここにメールの見た目が表示されます。',
    htmlTab: 'HTML',
    textTab: 'テキスト',
  },
  {
    title: 'Email templates',
    intro:
      'Templates for the emails of journeys and campaigns. Templates are made and edited through the API (POST /v1/email/templates).',
    empty: 'No email templates yet',
    emptyNext:
      'Save an MJML template with POST /v1/email/templates in the API; it then appears here with a preview.',
    name: 'Name',
    subject: 'Subject',
    kind: 'Kind',
    updatedAt: 'Updated',
    marketing: 'Marketing',
    transactional: 'Transactional',
    preview: 'Preview',
    previewOf: 'Preview of "{name}"',
    previewHint:
      'Per-customer fields ({{ customer.given_name }}, …) are shown as written. The unsubscribe link and the address footer are added when mail is sent.',
    pick: 'Press "Preview" in the list to see the email here.',
    htmlTab: 'HTML',
    textTab: 'Text',
  },
);
