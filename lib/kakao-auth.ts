import { parse as parseCookies } from "cookie";
import { Router, type NextFunction, type Request, type Response } from "express";
import { KAKAO_AUTH_NOT_CALLED, looksLikeRequest, resolveConfig } from "./config.js";
import { KakaoContext } from "./context.js";
import { KakaoAuthConfigError } from "./errors.js";
import { smallBody } from "./http/request-body.js";
import { KakaoAuthInstance } from "./instance.js";
import { log } from "./log.js";
import { authjsActionRoute } from "./routes/authjs-action.js";
import { callbackRoute, SILENT_COOKIE } from "./routes/callback.js";
import { errorRoute } from "./routes/error.js";
import { onlyMethods, route, type RouteDeps } from "./routes/route.js";
import { sessionRoute } from "./routes/session.js";
import { answerSignInAs, SIGN_IN_AS_HEADER } from "./routes/sign-in-as.js";
import { signInRoute } from "./routes/signin.js";
import { signOutReturnRoute } from "./routes/signout-return.js";
import { signOutRoute } from "./routes/signout.js";
import { tokenExchangeRoute } from "./routes/token-exchange.js";
import { requireAdminKey, unlinkWebhookRoute } from "./routes/unlink-webhook.js";
import type { KakaoAuthOptions } from "./types.js";

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
function attachContext(instance: KakaoAuthInstance, req: Request, res: Response): void {
  const state = instance.loadState(req, res);
  const context = new KakaoContext(req, res, instance, state);
  req.kakao = context;
  if (state.session) {
    req.kakaoUser = state.session.user;
    instance.registry?.touch(state.session);
  }
  if (req.headers.cookie?.includes(SILENT_COOKIE)) readSilentFailure(req, res, context);
}

/** Whether `url` (relative to where the router is mounted) is under `base`, as Express matches `use(base)`. */
function underBase(url: string, base: string): boolean {
  if (url.length < base.length || url.slice(0, base.length).toLowerCase() !== base) return false;
  const next = url.charCodeAt(base.length);
  return Number.isNaN(next) || next === 47 /* / */ || next === 63; /* ? */
}

/** The auth routes, at their full paths under `base` (the prefix check runs before this router). */
function authRouter(deps: RouteDeps, base: string): Router {
  const auth = Router();
  const at = (path: string): string => `${base}${path}`;
  auth.get(at("/signin/kakao"), route(deps, signInRoute));
  // HEAD would run the callback (Express routes HEAD to GET) and burn the code: GET only (CB-11).
  auth.all(at("/callback/kakao"), onlyMethods(["GET"]), route(deps, callbackRoute));
  auth.all(at("/signout"), onlyMethods(["POST"]), smallBody(), route(deps, signOutRoute));
  auth.get(at("/signout/kakao"), route(deps, signOutReturnRoute));
  auth.get(at("/session"), route(deps, sessionRoute));
  auth.get(at("/csrf"), route(deps, authjsActionRoute("csrf")));
  auth.get(at("/providers"), route(deps, authjsActionRoute("providers")));
  auth.get(at("/error"), route(deps, errorRoute));
  if (deps.instance.config.clients.tokenExchange)
    auth.all(at("/token/kakao"), onlyMethods(["POST"]), smallBody(), route(deps, tokenExchangeRoute(deps)));
  if (deps.instance.config.adminKey)
    auth.all(
      at("/webhooks/kakao/unlink"),
      onlyMethods(["GET", "POST"]),
      requireAdminKey(deps),
      smallBody(),
      route(deps, unlinkWebhookRoute),
    );
  return auth;
}

/**
 * Kakao login for Express 4 and 5: mount once, before the routes that read the user.
 * Serves the auth routes under `basePath` and attaches `req.kakaoUser` / `req.kakao`.
 * Mounted under a path (`app.use("/api", kakaoAuth())`), its routes and every URL it builds
 * (redirect URI, sign-in links) start with that path.
 *
 * @example
 * app.use(kakaoAuth()); // AUTH_KAKAO_ID, AUTH_KAKAO_SECRET, AUTH_SECRET from the environment
 * app.get("/me", requireKakaoUser(), (req, res) => res.json(req.kakaoUser));
 */
export function kakaoAuth(options?: KakaoAuthOptions): Router {
  if (looksLikeRequest(options)) {
    // `app.use(kakaoAuth)`: Express calls this with (req, res, next). Say so on every request
    // instead of reading the request as options.
    // eslint-disable-next-line prefer-rest-params
    const next: unknown = arguments[2];
    const error = new KakaoAuthConfigError("options", KAKAO_AUTH_NOT_CALLED);
    if (typeof next === "function") (next as NextFunction)(error);
    return undefined as never;
  }
  const instance = new KakaoAuthInstance(resolveConfig(options));
  const deps: RouteDeps = { instance };
  const base = instance.config.basePath;
  const baseLower = base.toLowerCase();
  const auth = authRouter(deps, base);
  const router = Router();
  // Every request gets its context here; only requests under basePath enter the auth routes (a
  // prefix check, so the rest of the app pays a few µs, not Express's route matching).
  router.use((req, res, next) => {
    try {
      attachContext(instance, req, res);
    } catch (err) {
      return next(err);
    }
    if (req.headers[SIGN_IN_AS_HEADER] !== undefined && answerSignInAs(req, res, deps)) return;
    if (!underBase(req.url, baseLower)) return next();
    auth(req, res, next);
  });
  log.config("Kakao redirect URI to register: %s%s/callback/kakao", instance.config.origin ?? "<your origin>", base);
  return router;
}
