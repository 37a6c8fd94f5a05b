import { Auth } from "@auth/core";
import { parse as parseCookies } from "cookie";
import { Router, type NextFunction, type Request, type RequestHandler, type Response } from "express";
import { sendWebResponse, toAuthRequest } from "./authjs-bridge.js";
import { resolveConfig } from "./config.js";
import { KakaoContext } from "./context.js";
import { sendErrorPage } from "./error-page.js";
import { log, warnOnce } from "./log.js";
import { tagRouter } from "./middleware-state.js";
import { queryParams } from "./origin.js";
import { handleCallback, SILENT_COOKIE } from "./route-callback.js";
import { handleSignIn } from "./route-signin.js";
import { handleKakaoAccountLogoutReturn, handleSignOut } from "./route-signout.js";
import { Runtime } from "./runtime.js";
import type { KakaoAuthOptions } from "./types.js";
import { handleUnlinkWebhook } from "./webhooks.js";

type Handler = (req: Request, res: Response, runtime: Runtime) => Promise<void> | void;
type Handle = (req: Request, res: Response, next: NextFunction) => void;

/** Express 4 ignores rejected promises: every async route forwards its errors. */
function route(runtime: Runtime, handler: Handler): RequestHandler {
  return (req, res, next) => {
    Promise.resolve()
      .then(() => handler(req, res, runtime))
      .catch(next);
  };
}

function onlyMethods(methods: string[]): RequestHandler {
  return (req, res, next) => {
    if (methods.includes(req.method)) return next();
    res.status(405).set("Allow", methods.join(", ")).json({ error: "method_not_allowed" });
  };
}

/** One-shot flag from a failed `prompt=none` attempt: exposed on this request, then cleared. */
function readSilentFailure(req: Request, res: Response, context: KakaoContext): void {
  const value = parseCookies(req.headers.cookie ?? "")[SILENT_COOKIE];
  if (value && /^[a-z_]{1,40}$/.test(value)) context.silentSignInError = value;
  res.append("Set-Cookie", `${SILENT_COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax`);
}

/**
 * Reads the session once and attaches `req.kakao` (and `req.kakaoUser` when signed in): the only
 * writes to `req`, since each new property on an Express request costs ~1.5 µs (bench/RESULTS.md).
 */
function attachContext(runtime: Runtime, req: Request, res: Response): void {
  const context = new KakaoContext(req, res, runtime, runtime.loadState(req, res));
  req.kakao = context;
  if (context.state.session) req.kakaoUser = context.state.session.user;
  if (req.headers.cookie?.includes(SILENT_COOKIE)) readSilentFailure(req, res, context);
}

/** Whether `url` (relative to where the router is mounted) is under `base`, as Express matches `use(base)`. */
function underBase(url: string, base: string): boolean {
  if (url.length < base.length || url.slice(0, base.length).toLowerCase() !== base) return false;
  const next = url.charCodeAt(base.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63; /* ? */
}

/** `GET {basePath}/session`: answered from the fast path (Auth.js's own action rewrites the cookie each call). */
function sessionRoute(req: Request, res: Response, runtime: Runtime): void {
  const state = runtime.readState(req, res);
  res.set("cache-control", "no-store");
  if (!state.session) {
    res.json(null);
    return;
  }
  const user = state.session.user;
  const exp = typeof state.claims?.exp === "number" ? state.claims.exp : undefined;
  res.json({
    user: { name: user.nickname ?? null, email: user.email ?? null, image: user.profileImage ?? null },
    kakaoUser: user,
    expires: exp ? new Date(exp * 1000).toISOString() : null,
  });
}

/** Auth.js's own JSON actions (`/csrf`, `/providers`), passed through. */
async function authjsAction(req: Request, res: Response, runtime: Runtime): Promise<void> {
  const origin = runtime.origin(req);
  if (!origin) {
    res.status(400).json({ error: "bad_request" });
    return;
  }
  const action = req.path.split("/").pop();
  const web = await Auth(
    toAuthRequest(req, `${origin}${runtime.config.basePath}/${action}`, { method: "GET" }),
    runtime.authConfig,
  );
  await sendWebResponse(res, web);
}

function errorRoute(req: Request, res: Response, runtime: Runtime): void {
  const origin = runtime.origin(req) ?? "";
  sendErrorPage(res, queryParams(req).get("error") ?? undefined, {
    redirectUri: runtime.redirectUri(origin),
    signInUrl: runtime.signInPath(),
  });
}

/**
 * Kakao login for Express 4 and 5: mount once, before the routes that read the user.
 * Serves the auth routes under `basePath` and attaches `req.kakaoUser` / `req.kakao`.
 */
export function kakaoAuth(options?: KakaoAuthOptions): Router {
  const config = resolveConfig(options);
  const runtime = new Runtime(config);
  const base = config.basePath;
  const router = Router();
  tagRouter(router, runtime);
  const baseLower = base.toLowerCase();
  // Every request gets the context here; only requests under basePath (or a router the app added
  // routes to) enter Express's routing machinery, the rest go straight on (a few µs per request).
  // `handle` is what both Express 4's and 5's router function calls; its types leave it out.
  const internals = router as unknown as { handle: Handle; stack: unknown[] };
  const routerHandle = internals.handle.bind(router);
  internals.handle = (req, res, next) => {
    try {
      attachContext(runtime, req, res);
    } catch (err) {
      return next(err);
    }
    if (internals.stack.length === 1 && !underBase(req.url, baseLower)) return next();
    if (req.baseUrl)
      warnOnce(
        "mounted-under-path",
        `kakaoAuth() is mounted under "${req.baseUrl}", but its URLs (redirect URI, sign-in links) are built from basePath alone. ` +
          `Mount it at the root and set basePath: "${req.baseUrl}${base}" instead.`,
      );
    routerHandle(req, res, next);
  };
  const auth = Router();
  auth.get("/signin/kakao", route(runtime, handleSignIn));
  // HEAD would run the callback (Express routes HEAD to GET) and burn the code: GET only (CB-11).
  auth.all("/callback/kakao", onlyMethods(["GET"]), route(runtime, handleCallback));
  auth.all("/signout", onlyMethods(["POST"]), route(runtime, handleSignOut));
  auth.get("/signout/kakao", route(runtime, handleKakaoAccountLogoutReturn));
  auth.get("/session", route(runtime, sessionRoute));
  auth.get("/csrf", route(runtime, authjsAction));
  auth.get("/providers", route(runtime, authjsAction));
  auth.get("/error", route(runtime, errorRoute));
  if (config.adminKey)
    auth.all("/webhooks/kakao/unlink", onlyMethods(["GET", "POST"]), route(runtime, handleUnlinkWebhook));
  router.use(base, auth);
  log.config("Kakao redirect URI to register: %s%s/callback/kakao", config.origin ?? "<your origin>", base);
  return router;
}
