import type { Request, Response } from "express";
import { startSignIn } from "../authjs/attempt.js";
import { CONSENT_ITEM } from "../config.js";
import { queryParams } from "../http/origin.js";
import { returnTarget } from "../http/return-to.js";
import { log } from "../log.js";
import type { RequestState } from "../session/request-state.js";
import { NO_STORE, originOr400, type RouteDeps } from "./route.js";

const PROMPTS = new Set(["login", "none", "select_account", "create"]);
const LOGIN_HINT = /^[^\u0000-\u001f\u007f]{1,256}$/;

/** The authorize parameters a sign-in request may set, each validated (security-tests AUTHZ-05..07). */
export function signInParams(q: URLSearchParams, deps: RouteDeps): URLSearchParams {
  const { config } = deps.instance;
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
export async function signInRoute(req: Request, res: Response, state: RequestState, deps: RouteDeps): Promise<void> {
  const { instance } = deps;
  const origin = originOr400(req, res, deps);
  if (!origin) return;
  const q = queryParams(req);
  const returnTo = returnTarget(q.get("returnTo"), origin, instance.config.clients.allowedOrigins) ?? "/";
  const params = signInParams(q, deps);
  const url = `${origin}${instance.basePath(state)}/signin/kakao${params.size ? `?${params}` : ""}`;
  const location = await startSignIn(req, res, state, {
    authConfig: instance.authConfigFor({ req }, state),
    secret: instance.config.secrets[0]!,
    url,
    callbackUrl: returnTo.startsWith("/") ? `${origin}${returnTo}` : returnTo,
    freshLogin: params.get("prompt") === "login",
  });
  if (!location) {
    log.signin("Auth.js did not produce an authorize URL");
    res.redirect(302, instance.errorPath(state, "Configuration"));
    return;
  }
  // No scope asked for: send none, so the console's consent items apply (the stock provider sends "scope=").
  if (location.searchParams.get("scope") === "") location.searchParams.delete("scope");
  log.signin("redirecting to Kakao authorize (redirect_uri %s)", location.searchParams.get("redirect_uri"));
  res.set(NO_STORE).redirect(302, location.toString());
}
