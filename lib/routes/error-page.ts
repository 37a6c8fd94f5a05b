import type { Request, Response } from "express";

/** Codes the error page knows; anything else in `?error=` shows the generic text (never echoed). */
const MESSAGES: Record<string, { title: string; text: (c: { redirectUri: string }) => string }> = {
  access_denied: {
    title: "Sign-in cancelled",
    text: () => "You cancelled Kakao login. Nothing was shared with this site.",
  },
  consent_required: {
    title: "Consent needed",
    text: () => "Kakao needs your consent before signing you in. Try signing in again.",
  },
  login_required: { title: "Sign-in needed", text: () => "Kakao needs you to sign in. Try again." },
  state: {
    title: "Sign-in expired",
    text: () =>
      "This sign-in attempt is no longer valid (it expired, was already used, or started in another browser). Please sign in again.",
  },
  refused: { title: "Access refused", text: () => "This site does not allow your account to sign in." },
  id_token: {
    title: "Sign-in could not be verified",
    text: () => "Kakao's identity token failed verification. Please try again.",
  },
  profile: { title: "Profile unavailable", text: () => "Kakao did not return a usable profile. Please try again." },
  kakao_unavailable: {
    title: "Kakao is unavailable",
    text: () => "Kakao did not answer in time. Please try again in a moment.",
  },
  KOE006: {
    title: "Redirect URI not registered (KOE006)",
    text: (c) => `Register ${c.redirectUri} under Kakao Developers → your app → Kakao Login → Redirect URI.`,
  },
  KOE010: {
    title: "Client secret rejected (KOE010)",
    text: () =>
      "The site's Kakao client secret is wrong or missing. The site owner must set AUTH_KAKAO_SECRET to the secret under Kakao Login → Security (보안).",
  },
  KOE101: {
    title: "Unknown app key (KOE101)",
    text: () =>
      "The site's Kakao REST API key is wrong. The site owner must set AUTH_KAKAO_ID to the REST API key under App Keys (앱 키).",
  },
  KOE205: {
    title: "Consent item not configured (KOE205)",
    text: () =>
      "A requested consent item is not enabled for this Kakao app. Enable it under Kakao Login → Consent Items (동의항목).",
  },
  KOE303: {
    title: "Redirect URI mismatch (KOE303)",
    text: (c) =>
      `The redirect URI ${c.redirectUri} differs from the one used to start the login. Set baseURL (AUTH_URL) so the site always uses one origin, and register ${c.redirectUri} in the Kakao console.`,
  },
  KOE320: {
    title: "Sign-in already used (KOE320)",
    text: () => "This sign-in link was already used or expired. Please sign in again.",
  },
  KOE322: { title: "Session expired (KOE322)", text: () => "Your Kakao session expired. Please sign in again." },
  Configuration: {
    title: "Configuration problem",
    text: () =>
      "The site's Kakao login is misconfigured. The site owner can find details in the server logs (DEBUG=express-kakao-auth:*).",
  },
};

const GENERIC = { title: "Sign-in failed", text: () => "Kakao login could not be completed. Please try again." };

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A readable error page: no stack, no secret, nothing from the query echoed but a known code. */
export function sendErrorPage(
  _req: Request,
  res: Response,
  code: string | undefined,
  ctx: { redirectUri: string; signInUrl: string },
): void {
  const known = code !== undefined && Object.hasOwn(MESSAGES, code);
  const entry = known ? MESSAGES[code]! : GENERIC;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(entry.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#191919}a.button{display:inline-block;background:#FEE500;color:#191919;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none;font-weight:600}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body><h1>${escapeHtml(entry.title)}</h1><p>${escapeHtml(entry.text(ctx))}</p>${known ? `<p><small>Error code: <code>${escapeHtml(code)}</code></small></p>` : ""}
<p><a class="button" href="${escapeHtml(ctx.signInUrl)}">Sign in with Kakao again</a> <a href="/">Home</a></p></body></html>`;
  res
    .status(400)
    .set({ "content-type": "text/html; charset=utf-8", "cache-control": "no-store", "referrer-policy": "no-referrer" })
    .send(html);
}
