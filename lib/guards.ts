import type { NextFunction, Request, RequestHandler, Response, ErrorRequestHandler } from "express";
import { looksLikeRequest } from "./config.js";
import { KakaoContext } from "./context.js";
import { KakaoAuthConfigError, isKakaoAuthError } from "./errors.js";
import { isDeadRefreshAnswer } from "./kakao/oauth-errors.js";
import type { KakaoUser } from "./types.js";

export interface GuardOptions {
  /** `"auto"` (default): redirect GET requests that accept HTML; `true`/`false` force it for GET. */
  redirect?: boolean | "auto";
}

const REALM = 'Bearer realm="kakao"';

/** Only GET may be redirected to a login: HEAD and bodies would be lost (DESIGN: Guards). */
function wantsRedirect(req: Request, opts: GuardOptions | undefined): boolean {
  // A bearer session is an app calling an API: it gets the 401/403, never a login page.
  if (req.method !== "GET" || KakaoContext.internals(req.kakao)?.state.bearer) return false;
  const mode = opts?.redirect ?? "auto";
  if (mode !== "auto") return mode;
  return (req.headers.accept ?? "").includes("text/html");
}

function internalsOrFail(req: Request) {
  const internals = KakaoContext.internals(req.kakao);
  if (!internals)
    throw new KakaoAuthConfigError(
      "kakaoAuth",
      "Guards need kakaoAuth() mounted first: app.use(kakaoAuth()) before app.get(..., requireKakaoUser(), ...).",
    );
  return internals;
}

function signInPath(req: Request, opts: Parameters<KakaoContext["signInUrl"]>[0]): string {
  const { instance, state } = internalsOrFail(req);
  return instance.signInPath(state, opts);
}

/**
 * A guard used without calling it (`app.get("/x", requireKakaoUser, h)`) is handed Express's
 * (req, res, next): answer every request with the fix instead of hanging it.
 */
function misused(name: string, args: unknown[]): RequestHandler | undefined {
  if (!looksLikeRequest(args[0]) || typeof args[2] !== "function") return undefined;
  const error = new KakaoAuthConfigError(
    name,
    `${name} must be called: app.get("/path", ${name}(), handler), not app.get("/path", ${name}, handler).`,
  );
  (args[2] as NextFunction)(error);
  return undefined;
}

function askToSignIn(
  req: Request,
  res: Response,
  opts: GuardOptions | undefined,
  extra: { scopes?: string[]; prompt?: "login" } = {},
): void {
  const path = signInPath(req, { returnTo: req.originalUrl, ...extra });
  if (wantsRedirect(req, opts)) {
    res.redirect(302, path);
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
  const path = signInPath(req, { returnTo: req.originalUrl, scopes: missing });
  if (wantsRedirect(req, opts)) {
    // Kakao's additional-consent flow: authorize again with the missing items (kakao-api.md §2.7).
    res.redirect(302, path);
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
  // eslint-disable-next-line prefer-rest-params
  if (looksLikeRequest(opts)) return misused("requireKakaoUser", [...arguments]) as never;
  return guard((req, res, next) => {
    internalsOrFail(req);
    if (req.kakaoUser) return next();
    askToSignIn(req, res, opts);
  });
}

/** Needs these consent items; pages go through Kakao's additional consent, APIs get a 403. */
export function requireKakaoScopes(...args: Array<string | GuardOptions>): RequestHandler {
  if (looksLikeRequest(args[0])) return misused("requireKakaoScopes", args) as never;
  const opts = args.find((a): a is GuardOptions => typeof a === "object");
  const scopes = args.filter((a): a is string => typeof a === "string");
  if (scopes.length === 0)
    throw new KakaoAuthConfigError(
      "scopes",
      'requireKakaoScopes() needs at least one consent-item id, e.g. requireKakaoScopes("talk_message").',
    );
  return guard((req, res, next) => {
    internalsOrFail(req);
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
  // eslint-disable-next-line prefer-rest-params
  if (looksLikeRequest(check)) return misused("requireKakaoUserWhere", [...arguments]) as never;
  if (typeof check !== "function")
    throw new KakaoAuthConfigError("check", "requireKakaoUserWhere(check) needs a function (user, req) => boolean.");
  return guard(async (req, res, next) => {
    internalsOrFail(req);
    const user = req.kakaoUser;
    if (!user) return askToSignIn(req, res, opts);
    if (await check(user, req)) return next();
    forbid(req, res);
  });
}

/** Needs an interactive Kakao login within `maxAgeSeconds`; otherwise re-login with `prompt=login`. */
export function requireFreshLogin(maxAgeSeconds: number, opts?: GuardOptions): RequestHandler {
  // eslint-disable-next-line prefer-rest-params
  if (looksLikeRequest(maxAgeSeconds)) return misused("requireFreshLogin", [...arguments]) as never;
  if (!Number.isFinite(maxAgeSeconds) || maxAgeSeconds <= 0)
    throw new KakaoAuthConfigError(
      "maxAgeSeconds",
      "requireFreshLogin(maxAgeSeconds) needs a positive number of seconds, e.g. 300.",
    );
  return guard((req, res, next) => {
    internalsOrFail(req);
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

/** A Kakao outage, for API clients as JSON and for browsers as a short page. */
function upstreamFailure(req: Request, res: Response, status: number, retryable: boolean): void {
  const message = retryable
    ? "The request met a concurrent sign-in refresh. Try again."
    : status === 504
      ? "Kakao did not answer in time. Try again in a moment."
      : "Kakao could not be reached or refused the app. Try again in a moment.";
  res.status(status).set("retry-after", retryable ? "1" : "5");
  if (req.method === "GET" && (req.headers.accept ?? "").includes("text/html")) {
    res
      .type("html")
      .send(
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Try again</title></head>` +
          `<body><h1>Try again</h1><p>${message}</p><p><a href="">Reload</a> <a href="/">Home</a></p></body></html>`,
      );
    return;
  }
  res.json({ error: retryable ? "retry" : "kakao_unavailable", message });
}

/**
 * Turns Kakao errors thrown by handlers into answers: -402 → consent, a -401 that survived a
 * refresh or a dead refresh token → sign in, a refresh that lost a race → 503 retry, Kakao down
 * or refusing → 502/503/504, a session store outage → 503. Branches on `code`, so errors from
 * either build (ESM, CommonJS) are recognised.
 */
export function kakaoErrorHandler(opts?: GuardOptions): ErrorRequestHandler {
  // `app.use(kakaoErrorHandler)`: Express sees a one-argument function and calls it as middleware.
  // eslint-disable-next-line prefer-rest-params
  if (looksLikeRequest(opts)) return misused("kakaoErrorHandler", [...arguments]) as never;
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    // express-session passes store failures (Redis down) straight to error handlers: the session
    // never loaded, so answering as anonymous would be wrong (security-tests SES-14).
    const storeDown =
      (req as { sessionStore?: unknown; session?: unknown }).sessionStore !== undefined &&
      (req as { session?: unknown }).session === undefined;
    if (!isKakaoAuthError(err)) {
      if (storeDown) return sessionStoreDown(res);
      return next(err);
    }
    const e = err as unknown as { code: string; requiredScopes?: string[]; status: number };
    switch (e.code) {
      case "ERR_KAKAO_API_INSUFFICIENT_SCOPE":
        if (e.requiredScopes?.length) return askForScopes(req, res, opts, e.requiredScopes);
        return forbid(req, res);
      case "ERR_KAKAO_API_UNAUTHORIZED":
      case "ERR_KAKAO_REFRESH_TOKEN_DEAD":
      case "ERR_KAKAO_NOT_SIGNED_IN":
        return askToSignIn(req, res, opts);
      case "ERR_KAKAO_REFRESH_RETRY":
        return upstreamFailure(req, res, 503, true);
      case "ERR_KAKAO_UNAVAILABLE":
        return upstreamFailure(req, res, e.status >= 502 && e.status <= 504 ? e.status : 503, false);
      case "ERR_KAKAO_SESSION_STORE":
        return sessionStoreDown(res);
      case "ERR_KAKAO_OAUTH":
        if (isDeadRefreshAnswer(err)) return askToSignIn(req, res, opts);
        // Kakao refused the app itself (KOE010 client secret, KOE101 key): a bad gateway, not the user's fault.
        return upstreamFailure(req, res, 502, false);
      default:
        return next(err);
    }
  };
}

function sessionStoreDown(res: Response): void {
  res.status(503).set("retry-after", "5").json({
    error: "session_store_unavailable",
    message: "Sessions are temporarily unavailable. Try again shortly.",
  });
}
