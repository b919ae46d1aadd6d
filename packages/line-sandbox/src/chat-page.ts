import type { SandboxState } from './state.ts';
import type { SandboxUser } from './users.ts';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** A one-line rendering of any message object: text as is, others by type and their main field. */
function describeMessage(m: unknown): string {
  if (typeof m !== 'object' || m === null) return String(m);
  const msg = m as Record<string, unknown>;
  if (msg.type === 'text' || msg.type === 'textV2') return String(msg.text);
  if (msg.type === 'flex' || msg.type === 'template' || msg.type === 'imagemap')
    return `[${msg.type}] ${String(msg.altText)}`;
  if (msg.type === 'image' || msg.type === 'video') return `[${msg.type}] ${String(msg.originalContentUrl)}`;
  if (msg.type === 'sticker') return `[sticker ${String(msg.packageId)}/${String(msg.stickerId)}]`;
  return `[${String(msg.type)}]`;
}

const STYLE = `body{font-family:system-ui,sans-serif;background:#8cabd9;margin:0;padding:1rem;max-width:40rem}
h1{font-size:1.1rem;color:#fff}.b{background:#fff;border-radius:1rem;padding:.5rem .8rem;margin:.4rem 0;max-width:80%;white-space:pre-wrap}
.m{font-size:.7rem;color:#234}.note{color:#fff;font-size:.8rem}form{display:flex;gap:.5rem;margin-top:1rem}input{flex:1}`;

/** A small LINE-like chat view of what the user received, for demos. */
export function chatPage(state: SandboxState, user: SandboxUser): string {
  const menu = state.richMenus.effectiveMenuId(user.userId);
  let body: string;
  if (state.received.mode === 'counts') {
    body = `<p class="note">Recording counts only: ${state.received.count(user.userId)} message request(s) received.</p>`;
  } else {
    body = state.received
      .list(user.userId)
      .flatMap((r) =>
        r.messages.map(
          (m) =>
            `<div class="b">${escapeHtml(describeMessage(m))}<div class="m">${r.via} · ${new Date(r.at).toISOString()} · ${r.requestId}</div></div>`,
        ),
      )
      .join('\n');
  }
  return `<!doctype html><html lang="ja"><meta charset="utf-8"><title>${escapeHtml(user.displayName)}</title><style>${STYLE}</style>
<h1>${escapeHtml(user.displayName)} <small>${user.userId}${user.friend ? '' : ' (blocked)'}</small></h1>
${body || '<p class="note">No messages yet.</p>'}
<p class="note">Rich menu: ${menu ?? 'none'}</p>
<form method="post" action="/sandbox/users/${user.userId}/messages"><input name="text" placeholder="Send a message as this user"><button>Send</button></form>
</html>`;
}

/** The list of test users, each linking to their chat. */
export function indexPage(state: SandboxState): string {
  const rows = state.users
    .list()
    .map(
      (u) =>
        `<li><a href="/sandbox/users/${u.userId}/chat">${escapeHtml(u.displayName)}</a> ${u.friend ? '' : '(blocked)'} · ${state.received.count(u.userId)} received</li>`,
    )
    .join('\n');
  return `<!doctype html><html><meta charset="utf-8"><title>LINE sandbox</title><style>${STYLE}</style><h1>LINE sandbox · bot ${state.botUserId}</h1><ul class="b">${rows || '<li>No users yet: POST /sandbox/users</li>'}</ul></html>`;
}
