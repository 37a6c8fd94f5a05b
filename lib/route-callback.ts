import { Auth, raw } from "@auth/core";
import type { ResponseInternal } from "@auth/core/types";
import type { Request, Response } from "express";
import { parse as parseCookies } from "cookie";
import { sameOriginPath } from "./return-to.js";
import { isWebResponse, toAuthRequest, writeAuthCookies } from "./authjs-bridge.js";
import { errorCodeFor } from "./error-page.js";
import type { FlowContext } from "./flow-context.js";
import { log } from "./log.js";
import { idTokenFailureIn } from "./provider.js";
import { queryParams } from "./origin.js";
import type { Runtime } from "./runtime.js";
import { SESSION_COOKIE } from "./session-cookie.js";

const SINGLE = ["code", "state", "error", "iss", "error_description"];

/** Auth.js transaction cookies, cleared whenever a callback fails so a retry starts clean. */
const TRANSACTION_COOKIES = ["authjs.state", "authjs.pkce.code_verifier", "authjs.nonce", "authjs.callback-url"];

function clearTransaction(res: Response, secure: boolean): void {
  const prefix = secure ? "__Secure-" : "";
  for (const name of TRANSACTION_COOKIES)
    res.append("Set-Cookie", `${prefix}${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
}

function failTo(res: Response, runtime: Runtime, secure: boolean, code: string): void {
  clearTransaction(res, secure);
  res
    .set({ "cache-control": "no-store", "referrer-policy": "no-referrer" })
    .redirect(302, `${runtime.config.basePath}/error?error=${encodeURIComponent(code)}`);
}

const SILENT_ERRORS = new Set(["consent_required", "login_required", "interaction_required"]);
export const SILENT_COOKIE = "kakao-auth.silent-signin";

/**
 * `prompt=none` found no usable Kakao session: back to where the user was, anonymous, with
 * `req.kakao.silentSignInError` set on that request so the app does not start the same attempt
 * again (a loop), rather than an error page.
 */
function silentFailure(req: Request, res: Response, origin: string, secure: boolean, error: string): void {
  const stored = parseCookies(req.headers.cookie ?? "")[`${secure ? "__Secure-" : ""}authjs.callback-url`];
  const returnTo = stored ? sameOriginPath(stored, origin) : "/";
  clearTransaction(res, secure);
  res.append(
    "Set-Cookie",
    `${SILENT_COOKIE}=${error}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`,
  );
  log.callback("prompt=none came back with %s", error);
  res.set({ "cache-control": "no-store", "referrer-policy": "no-referrer" }).redirect(302, returnTo);
}

/** `GET {basePath}/callback/kakao`: Kakao's redirect; Auth.js checks state, PKCE (and nonce), then the session is created. */
export async function handleCallback(req: Request, res: Response, runtime: Runtime): Promise<void> {
  const { config } = runtime;
  const state = runtime.readState(req, res);
  const origin = runtime.origin(req);
  if (!origin) {
    res.status(400).json({ error: "bad_request", message: "The Host header is not a valid host name." });
    return;
  }
  const q = queryParams(req);
  // Auth.js flattens repeated parameters (last wins); a repeated code or state is refused here (CB-10).
  if (SINGLE.some((k) => q.getAll(k).length > 1)) return failTo(res, runtime, state.secure, "state");
  const kakaoError = q.get("error");
  if (kakaoError && SILENT_ERRORS.has(kakaoError)) return silentFailure(req, res, origin, state.secure, kakaoError);
  if (kakaoError) {
    const code = ["access_denied", "consent_required", "login_required"].includes(kakaoError) ? kakaoError : "callback";
    log.callback("Kakao redirected with error=%s", code);
    return failTo(res, runtime, state.secure, code);
  }
  if (!q.get("code") || !q.get("state")) return failTo(res, runtime, state.secure, "state");

  const redirectUri = runtime.redirectUri(origin);
  const ctx: FlowContext = { req, redirectUri };
  // Auth.js lets a `callbackUrl` query parameter override the one stored at sign-in: drop it, so the
  // stored returnTo wins (security-tests RED-07).
  q.delete("callbackUrl");
  const url = `${redirectUri}?${q}`;
  let result: ResponseInternal | globalThis.Response | undefined;
  let thrown: unknown;
  try {
    result = await Auth(toAuthRequest(req, url, { method: "GET" }), { ...runtime.authConfigFor(ctx), raw });
  } catch (err) {
    thrown = err;
  }
  const done = result && !isWebResponse(result) ? result : undefined;
  if (thrown || !done?.redirect || !ctx.session || done.redirect.includes(`${config.basePath}/error`)) {
    const authjsType = (thrown as { type?: string } | undefined)?.type;
    const code = ctx.refused ? "refused" : errorCodeFor(ctx.error ?? idTokenFailureIn(thrown), authjsType);
    log.callback("login failed: %s (%s)", code, ctx.error?.message ?? authjsType ?? "no session");
    return failTo(res, runtime, state.secure, code);
  }

  const location = done.redirect;
  if (config.session.store === "cookie") {
    writeAuthCookies(res, done.cookies);
  } else {
    // The user lives in req.session: Auth.js's own session cookie is not written.
    writeAuthCookies(res, done.cookies, (name) => name.includes(SESSION_COOKIE));
    await runtime.expressSession.login(req, ctx.session);
  }
  log.callback("signed in Kakao user %s", ctx.session.user.id);
  res.set({ "cache-control": "no-store", "referrer-policy": "no-referrer" }).redirect(302, location);
}
