import { Auth, raw, skipCSRFCheck } from "@auth/core";
import type { Request, Response } from "express";
import { toAuthRequest, isWebResponse, writeAuthCookies } from "./authjs-bridge.js";
import { CONSENT_ITEM } from "./config.js";
import { log } from "./log.js";
import { queryParams } from "./origin.js";
import { sanitizeReturnTo } from "./return-to.js";
import type { Runtime } from "./runtime.js";

const PROMPTS = new Set(["login", "none", "select_account", "create"]);
const LOGIN_HINT = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** The authorize parameters a sign-in request may set, each validated (security-tests AUTHZ-05..07). */
export function signInParams(q: URLSearchParams, runtime: Runtime): URLSearchParams {
  const { config } = runtime;
  const out = new URLSearchParams();
  const extra = (q.get("scope") ?? "").split(/[\s,+]+/).filter((s) => CONSENT_ITEM.test(s) && s !== "openid");
  if (extra.length)
    out.set("scope", [...new Set([...(config.oidc ? ["openid"] : []), ...config.scopes, ...extra])].join(","));
  const prompt = q.get("prompt");
  if (prompt && PROMPTS.has(prompt)) out.set("prompt", prompt);
  const hint = q.get("login_hint");
  if (hint && LOGIN_HINT.test(hint)) out.set("login_hint", hint);
  return out;
}

/** `GET {basePath}/signin/kakao`: starts Kakao login from a plain link (Auth.js alone wants a POST with CSRF). */
export async function handleSignIn(req: Request, res: Response, runtime: Runtime): Promise<void> {
  const { config } = runtime;
  const origin = runtime.origin(req);
  if (!origin) {
    res.status(400).json({ error: "bad_request", message: "The Host header is not a valid host name." });
    return;
  }
  const q = queryParams(req);
  const returnTo = sanitizeReturnTo(q.get("returnTo"), origin) ?? "/";
  const params = signInParams(q, runtime);
  const url = `${origin}${config.basePath}/signin/kakao${params.size ? `?${params}` : ""}`;
  const body = new URLSearchParams({ callbackUrl: `${origin}${returnTo}` });
  const result = await Auth(toAuthRequest(req, url, { method: "POST", body }), {
    ...runtime.authConfigFor({ req }),
    raw,
    skipCSRFCheck,
  });
  if (isWebResponse(result) || !result.redirect) {
    log.signin(
      "Auth.js did not produce an authorize URL (status %s)",
      isWebResponse(result) ? result.status : result.status,
    );
    res.redirect(302, `${config.basePath}/error?error=Configuration`);
    return;
  }
  writeAuthCookies(res, result.cookies);
  const location = new URL(result.redirect);
  // No scope asked for: send none, so the console's consent items apply (the stock provider sends "scope=").
  if (location.searchParams.get("scope") === "") location.searchParams.delete("scope");
  log.signin("redirecting to Kakao authorize (redirect_uri %s)", location.searchParams.get("redirect_uri"));
  res.set({ "cache-control": "no-store", "referrer-policy": "no-referrer" }).redirect(302, location.toString());
}
