import { koeSpec } from "./kakao-errors.js";
import type { EmulatorUser } from "./types.js";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="ko">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}
button{padding:.6rem 1rem;margin:.3rem}.agree{background:#fee500;border:0}</style></head>
<body>
${body}
</body>
</html>
`;
}

/**
 * Kakao's error page for authorize / logout configuration errors: not a redirect; the code is in the
 * title ("잘못된 요청 (KOE205)") and in `data-error-code`.
 */
export function koePage(code: string, message: string): string {
  const title = `${koeSpec(code).title} (${code})`;
  return layout(
    title,
    `<main data-error-code="${escapeHtml(code)}">
<h1>${escapeHtml(title)}</h1>
<p class="message">${escapeHtml(message)}</p>
<p class="code">${escapeHtml(code)}</p>
</main>`,
  );
}

export function faultPage(status: number): string {
  return layout(`Kakao emulator fault (HTTP ${status})`, `<h1>Kakao emulator fault (HTTP ${status})</h1>`);
}

/**
 * The interactive login + consent page: pick a user, then "동의하고 계속하기" (agree) or "취소"
 * (cancel). A GET form back to /oauth/authorize/decide carrying the transaction id.
 */
export function consentPage(p: {
  tx: string;
  users: EmulatorUser[];
  selectedId: string | undefined;
  scopes: string[];
  clientId: string;
}): string {
  const users = p.users
    .map((u, i) => {
      const checked = (p.selectedId ? u.id === p.selectedId : i === 0) ? " checked" : "";
      const label = `${u.nickname ?? "(이름 없음)"} · ${u.email ?? "이메일 없음"} · ${u.id}`;
      return `<li><label><input type="radio" name="user_id" value="${escapeHtml(u.id)}"${checked}> ${escapeHtml(label)}</label></li>`;
    })
    .join("\n");
  const scopes = p.scopes.length
    ? `<p>요청한 동의 항목: ${p.scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(", ")}</p>`
    : "";
  return layout(
    "카카오계정으로 로그인 (emulator)",
    `<h1>카카오계정으로 로그인</h1>
<p>앱 <code>${escapeHtml(p.clientId)}</code>에 로그인할 사용자를 선택하세요.</p>
<form method="get" action="/oauth/authorize/decide">
<input type="hidden" name="tx" value="${escapeHtml(p.tx)}">
<ul>
${users}
</ul>
${scopes}
<button type="submit" class="agree" name="decision" value="agree">동의하고 계속하기</button>
<button type="submit" class="cancel" name="decision" value="cancel">취소</button>
</form>`,
  );
}
