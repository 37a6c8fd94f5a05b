import type { KakaoUser } from "../../lib/index.js";

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const layout = (title: string, body: string): string => `<!doctype html><html lang="ko"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#191919}
.kakao{display:inline-block;background:#FEE500;color:#191919;padding:.7rem 1.2rem;border-radius:.5rem;text-decoration:none;font-weight:700;border:0;font-size:1rem;cursor:pointer}
pre{background:#f6f6f6;padding:1rem;border-radius:.5rem;overflow:auto}</style></head><body>${body}</body></html>`;

/** Signed-out: a plain link starts Kakao login (no POST, no CSRF form needed). */
export function homePage(user: KakaoUser | undefined): string {
  if (!user)
    return layout(
      "express-kakao-auth demo",
      `<h1>express-kakao-auth demo</h1>
<p>You are not signed in.</p>
<p><a class="kakao" href="/auth/signin/kakao?returnTo=/profile">카카오 로그인 · Sign in with Kakao</a></p>
<p><a href="/api/me">/api/me</a> (JSON, 401 while signed out)</p>`,
    );
  return layout(
    "express-kakao-auth demo",
    `<h1>안녕하세요, ${esc(user.nickname ?? user.id)}</h1>
<p><a href="/profile">Your profile</a> · <a href="/api/me">/api/me</a></p>${signOutForm()}`,
  );
}

export function profilePage(user: KakaoUser): string {
  return layout(
    "Profile",
    `<h1>Profile</h1><pre>${esc(JSON.stringify(user, null, 2))}</pre>
<p><a href="/">Home</a></p>${signOutForm()}`,
  );
}

/** Sign-out is a POST; a same-origin form passes the CSRF check through its Origin header. */
function signOutForm(): string {
  return `<form method="post" action="/auth/signout"><button class="kakao" type="submit">Sign out</button></form>`;
}
