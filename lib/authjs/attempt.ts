import { Auth, raw, skipCSRFCheck, type AuthConfig } from "@auth/core";
import type { ResponseInternal } from "@auth/core/types";
import type { Request, Response } from "express";
import { idTokenFailureIn } from "./provider.js";
import type { RequestState } from "../session/request-state.js";
import { isWebResponse, toAuthRequest, writeAuthCookies, type AuthCookie } from "./bridge.js";
import { SESSION_COOKIE, STATE_COOKIE, secureName } from "./cookie-names.js";
import { freshLoginMac } from "./csrf.js";
import type { FlowContext, LoginResult } from "./login-attempt.js";
import { errorCodeFor } from "./error-codes.js";

/** Marks a login the package itself sent with `prompt=login` (the only fresh login without OIDC). */
export const FRESH_COOKIE = "kakao-auth.fresh-login";

/**
 * Asks Auth.js for the authorize URL of a new attempt (state, PKCE, nonce cookies), as a POST with
 * the return URL in the body: Auth.js alone wants a POST with CSRF for a plain link.
 */
export async function startSignIn(
  req: Request,
  res: Response,
  state: RequestState,
  init: { authConfig: AuthConfig; secret: string; url: string; callbackUrl: string; freshLogin: boolean },
): Promise<URL | undefined> {
  const body = new URLSearchParams({ callbackUrl: init.callbackUrl });
  const result = await Auth(toAuthRequest(req, init.url, { method: "POST", body }), {
    ...init.authConfig,
    raw,
    skipCSRFCheck,
  });
  if (isWebResponse(result) || !result.redirect) return undefined;
  writeAuthCookies(res, result.cookies);
  const stateCookie = result.cookies?.find((c) => c.name === secureName(STATE_COOKIE, state.secure));
  if (init.freshLogin && stateCookie)
    res.append(
      "Set-Cookie",
      `${FRESH_COOKIE}=${freshLoginMac(init.secret, stateCookie.value)}; Path=/; Max-Age=900; HttpOnly; SameSite=Lax${state.secure ? "; Secure" : ""}`,
    );
  return new URL(result.redirect);
}

/** Runs Auth.js's callback for Kakao's redirect and says, from what happened, whether it signed the user in. */
export async function completeCallback(
  req: Request,
  state: RequestState,
  ctx: FlowContext,
  url: string,
  authConfig: AuthConfig,
): Promise<LoginResult & { cookies: AuthCookie[] }> {
  let result: ResponseInternal | globalThis.Response | undefined;
  let thrown: unknown;
  try {
    result = await Auth(toAuthRequest(req, url, { method: "GET" }), { ...authConfig, raw });
  } catch (err) {
    thrown = err;
  }
  const done = result && !isWebResponse(result) ? result : undefined;
  // Signed in means: Auth.js finished without error, built a session for a Kakao profile and issued
  // its token (ctx.claims is set in the jwt callback). Anything else is a failure with a reason.
  if (!thrown && done?.redirect && ctx.session && ctx.claims) {
    // The user's session is written by the store; Auth.js's own session cookie is not.
    const sessionName = secureName(SESSION_COOKIE, state.secure);
    const cookies = (done.cookies ?? []).filter((c) => !c.name.startsWith(sessionName));
    return { ok: true, session: ctx.session, claims: ctx.claims, redirect: done.redirect, cookies };
  }
  const authjsType = (thrown as { type?: string } | undefined)?.type;
  const error = ctx.error ?? idTokenFailureIn(thrown);
  const reason = ctx.refused ? "refused" : errorCodeFor(error, authjsType);
  return { ok: false, reason, ...(error ? { error } : {}), cookies: [] };
}
