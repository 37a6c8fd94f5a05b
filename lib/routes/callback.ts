import type { Request, Response } from "express";
import { parse as parseCookies } from "cookie";
import { completeCallback, FRESH_COOKIE } from "../authjs/attempt.js";
import { writeAuthCookies } from "../authjs/bridge.js";
import { CALLBACK_URL_COOKIE, STATE_COOKIE, TRANSACTION_COOKIES, secureName } from "../authjs/cookie-names.js";
import { freshLoginMac } from "../authjs/csrf.js";
import type { FlowContext } from "../authjs/login-attempt.js";
import { constantTimeEqual } from "../http/constant-time.js";
import { queryParams } from "../http/origin.js";
import { sameOriginPath } from "../http/return-to.js";
import { log } from "../log.js";
import type { RequestState } from "../session/request-state.js";
import { NO_STORE, originOr400, type RouteDeps } from "./route.js";

const SINGLE = ["code", "state", "error", "iss", "error_description"];

/** Query text headed for a log line: no control characters (no forged log lines). */
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f]/g, " ");

function clearTransaction(res: Response, secure: boolean): void {
  for (const name of [...TRANSACTION_COOKIES.map((n) => secureName(n, secure)), FRESH_COOKIE])
    res.append("Set-Cookie", `${name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`);
}

function failTo(res: Response, state: RequestState, deps: RouteDeps, code: string): void {
  clearTransaction(res, state.secure);
  res.set(NO_STORE).redirect(302, deps.instance.errorPath(state, code));
}

const SILENT_ERRORS = new Set(["consent_required", "login_required", "interaction_required"]);
export const SILENT_COOKIE = "kakao-auth.silent-signin";

/**
 * `prompt=none` found no usable Kakao session: back to where the user was, anonymous, with
 * `req.kakao.silentSignInError` set on that request so the app does not start the same attempt
 * again (a loop), rather than an error page.
 */
function silentFailure(req: Request, res: Response, origin: string, secure: boolean, error: string): void {
  const stored = parseCookies(req.headers.cookie ?? "")[secureName(CALLBACK_URL_COOKIE, secure)];
  const returnTo = stored ? sameOriginPath(stored, origin) : "/";
  clearTransaction(res, secure);
  res.append(
    "Set-Cookie",
    `${SILENT_COOKIE}=${error}; Path=/; Max-Age=60; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`,
  );
  log.callback("prompt=none came back with %s", error);
  res.set(NO_STORE).redirect(302, returnTo);
}

/**
 * Kakao's `error` values the error page explains. `access_denied` means the user pressed Cancel
 * only with Kakao's "User denied access" description (kakao-api.md §2.5); any other refusal is
 * Kakao refusing the request, which the page must not blame on the user.
 */
function kakaoRedirectError(error: string, description: string | null): string {
  if (error === "access_denied")
    return /denied/i.test(description ?? "User denied access") ? "access_denied" : "kakao_refused";
  if (error === "consent_required" || error === "login_required") return error;
  if (["invalid_scope", "invalid_request", "unauthorized_client", "unsupported_response_type"].includes(error))
    return "kakao_refused";
  return "callback";
}

/** Whether this attempt is one the package started with `prompt=login`, bound to its state cookie. */
function sentWithPromptLogin(req: Request, state: RequestState, secrets: readonly string[]): boolean {
  const jar = parseCookies(req.headers.cookie ?? "");
  const mark = jar[FRESH_COOKIE];
  const stateCookie = jar[secureName(STATE_COOKIE, state.secure)];
  if (!mark || !stateCookie) return false;
  return secrets.some((s) => constantTimeEqual(freshLoginMac(s, stateCookie), mark));
}

/** `GET {basePath}/callback/kakao`: Kakao's redirect; Auth.js checks state, PKCE (and nonce), then the store creates the session. */
export async function callbackRoute(req: Request, res: Response, state: RequestState, deps: RouteDeps): Promise<void> {
  const { instance } = deps;
  const origin = originOr400(req, res, deps);
  if (!origin) return;
  const q = queryParams(req);
  // Auth.js flattens repeated parameters (last wins); a repeated code or state is refused here (CB-10).
  if (SINGLE.some((k) => q.getAll(k).length > 1)) return failTo(res, state, deps, "state");
  const kakaoError = q.get("error");
  if (kakaoError && SILENT_ERRORS.has(kakaoError)) return silentFailure(req, res, origin, state.secure, kakaoError);
  if (kakaoError) {
    const code = kakaoRedirectError(kakaoError, q.get("error_description"));
    // Kakao's own words, for the site owner (the page shows only the code, never echoed text).
    log.callback(
      "Kakao redirected with error=%s (%s): %s",
      printable(kakaoError.slice(0, 64)),
      code,
      printable((q.get("error_description") ?? "").slice(0, 200)),
    );
    return failTo(res, state, deps, code);
  }
  if (!q.get("code") || !q.get("state")) return failTo(res, state, deps, "state");

  const redirectUri = instance.redirectUri(origin, state);
  const ctx: FlowContext = {
    req,
    redirectUri,
    freshLogin: sentWithPromptLogin(req, state, instance.config.secrets),
    ...(state.session ? { previous: state.session } : {}),
  };
  // Auth.js lets a `callbackUrl` query parameter override the one stored at sign-in: drop it, so the
  // stored returnTo wins (security-tests RED-07).
  q.delete("callbackUrl");
  const result = await completeCallback(req, state, ctx, `${redirectUri}?${q}`, instance.authConfigFor(ctx, state));
  if (!result.ok) {
    log.callback("login failed: %s (%s)", result.reason, result.error?.message ?? "no session");
    return failTo(res, state, deps, result.reason);
  }
  writeAuthCookies(res, result.cookies);
  res.append(
    "Set-Cookie",
    `${FRESH_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax${state.secure ? "; Secure" : ""}`,
  );
  await instance.createSession(req, res, state, result.session, result.claims);
  log.callback("signed in Kakao user %s", result.session.user.id);
  res.set(NO_STORE).redirect(302, result.redirect);
}
