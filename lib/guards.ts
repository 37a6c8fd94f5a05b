import type { NextFunction, Request, RequestHandler, Response, ErrorRequestHandler } from "express";
import { KakaoApiError, KakaoAuthConfigError, KakaoOAuthError, KakaoSessionStoreError } from "./errors.js";
import { runtimeOf } from "./middleware-state.js";
import type { KakaoUser } from "./types.js";

export interface GuardOptions {
  /** `"auto"` (default): redirect GET requests that accept HTML; `true`/`false` force it for GET. */
  redirect?: boolean | "auto";
}

const REALM = 'Bearer realm="kakao"';

/** Only GET may be redirected to a login: HEAD and bodies would be lost (DESIGN: Guards). */
function wantsRedirect(req: Request, opts: GuardOptions | undefined): boolean {
  if (req.method !== "GET") return false;
  const mode = opts?.redirect ?? "auto";
  if (mode !== "auto") return mode;
  return (req.headers.accept ?? "").includes("text/html");
}

function runtimeOrFail(req: Request) {
  const runtime = runtimeOf(req);
  if (!runtime)
    throw new KakaoAuthConfigError(
      "kakaoAuth",
      "Guards need kakaoAuth() mounted first: app.use(kakaoAuth()) before app.get(..., requireKakaoUser(), ...).",
    );
  return runtime;
}

function askToSignIn(
  req: Request,
  res: Response,
  opts: GuardOptions | undefined,
  extra: { scopes?: string[]; prompt?: "login" } = {},
): void {
  const runtime = runtimeOrFail(req);
  if (wantsRedirect(req, opts)) {
    res.redirect(302, runtime.signInPath({ returnTo: req.originalUrl, ...extra }));
    return;
  }
  const freshness = extra.prompt === "login";
  res
    .status(401)
    .set(
      "WWW-Authenticate",
      freshness ? `${REALM}, error="invalid_token", error_description="fresh login required"` : REALM,
    )
    .json(freshness ? { error: "login_required", message: "Sign in again to continue." } : { error: "unauthorized" });
}

function askForScopes(req: Request, res: Response, opts: GuardOptions | undefined, missing: string[]): void {
  const runtime = runtimeOrFail(req);
  if (wantsRedirect(req, opts)) {
    // Kakao's additional-consent flow: authorize again with the missing items (kakao-api.md §2.7).
    res.redirect(302, runtime.signInPath({ returnTo: req.originalUrl, scopes: missing }));
    return;
  }
  res
    .status(403)
    .set("WWW-Authenticate", `${REALM}, error="insufficient_scope", scope="${missing.join(" ")}"`)
    .json({ error: "insufficient_scope", required_scopes: missing });
}

/** 403: a short page for browsers, `{"error":"forbidden"}` for everything else. */
function forbid(req: Request, res: Response): void {
  if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
    res
      .status(403)
      .type("html")
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Forbidden</title></head>' +
          '<body><h1>Forbidden</h1><p>Your account may not open this page.</p><p><a href="/">Home</a></p></body></html>',
      );
    return;
  }
  res.status(403).json({ error: "forbidden" });
}

function guard(body: (req: Request, res: Response, next: NextFunction) => void | Promise<void>): RequestHandler {
  // Express 4 does not catch rejected promises: every guard forwards its own errors.
  return (req, res, next) => {
    try {
      const out = body(req, res, next);
      if (out) out.catch(next);
    } catch (err) {
      next(err);
    }
  };
}

/** Lets signed-in users through; pages get a redirect to Kakao login, APIs a 401. */
export function requireKakaoUser(opts?: GuardOptions): RequestHandler {
  return guard((req, res, next) => {
    runtimeOrFail(req);
    if (req.kakaoUser) return next();
    askToSignIn(req, res, opts);
  });
}

/** Needs these consent items; pages go through Kakao's additional consent, APIs get a 403. */
export function requireKakaoScopes(...args: Array<string | GuardOptions>): RequestHandler {
  const opts = args.find((a): a is GuardOptions => typeof a === "object");
  const scopes = args.filter((a): a is string => typeof a === "string");
  if (scopes.length === 0)
    throw new KakaoAuthConfigError(
      "scopes",
      'requireKakaoScopes() needs at least one consent-item id, e.g. requireKakaoScopes("talk_message").',
    );
  return guard((req, res, next) => {
    runtimeOrFail(req);
    const user = req.kakaoUser;
    if (!user) return askToSignIn(req, res, opts);
    const missing = scopes.filter((s) => !user.scopes.includes(s));
    if (missing.length === 0) return next();
    askForScopes(req, res, opts, missing);
  });
}

/** Needs `check(user, req)` to hold (roles, allow-lists); otherwise 403. */
export function requireKakaoUserWhere(
  check: (user: KakaoUser, req: Request) => boolean | Promise<boolean>,
  opts?: GuardOptions,
): RequestHandler {
  if (typeof check !== "function")
    throw new KakaoAuthConfigError("check", "requireKakaoUserWhere(check) needs a function (user, req) => boolean.");
  return guard(async (req, res, next) => {
    runtimeOrFail(req);
    const user = req.kakaoUser;
    if (!user) return askToSignIn(req, res, opts);
    if (await check(user, req)) return next();
    forbid(req, res);
  });
}

/** Needs an interactive Kakao login within `maxAgeSeconds`; otherwise re-login with `prompt=login`. */
export function requireFreshLogin(maxAgeSeconds: number, opts?: GuardOptions): RequestHandler {
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0)
    throw new KakaoAuthConfigError(
      "maxAgeSeconds",
      "requireFreshLogin(maxAgeSeconds) needs a positive number of seconds, e.g. 300.",
    );
  return guard((req, res, next) => {
    runtimeOrFail(req);
    const user = req.kakaoUser;
    if (!user) return askToSignIn(req, res, opts);
    if (Math.floor(Date.now() / 1000) - user.authTime <= maxAgeSeconds) return next();
    askToSignIn(req, res, opts, { prompt: "login" });
  });
}

/** Ready-made checks for `requireKakaoUserWhere`. */
export const kakaoChecks = {
  /** The user's id is one of these. */
  idIn: (ids: readonly string[]) => (user: KakaoUser) => ids.includes(user.id),
  /** The user has a verified email in this domain. */
  emailDomain: (domain: string) => (user: KakaoUser) =>
    user.emailVerified && !!user.email && user.email.toLowerCase().endsWith(`@${domain.toLowerCase()}`),
};

/**
 * Turns Kakao errors thrown by handlers into the guards' answers: -402 → consent, a -401 that
 * survived a refresh (or a dead refresh token) → sign in, a session store outage → 503.
 */
export function kakaoErrorHandler(opts?: GuardOptions): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    if (err instanceof KakaoApiError && err.kakaoCode === -402 && err.requiredScopes.length)
      return askForScopes(req, res, opts, err.requiredScopes);
    if (
      (err instanceof KakaoApiError && err.kakaoCode === -401) ||
      (err instanceof KakaoOAuthError && (err.koe === "KOE322" || err.koe === "KOE319"))
    )
      return askToSignIn(req, res, opts);
    // express-session passes store failures (Redis down) straight to error handlers: the session
    // never loaded, so answering as anonymous would be wrong (security-tests SES-14).
    const storeDown =
      (req as { sessionStore?: unknown; session?: unknown }).sessionStore !== undefined &&
      (req as { session?: unknown }).session === undefined;
    if (err instanceof KakaoSessionStoreError || storeDown)
      return void res.status(503).set("retry-after", "5").json({
        error: "session_store_unavailable",
        message: "Sessions are temporarily unavailable. Try again shortly.",
      });
    next(err);
  };
}
