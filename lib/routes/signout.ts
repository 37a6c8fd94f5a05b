import type { Request, Response } from "express";
import { csrfTokenValid } from "../authjs/csrf.js";
import type { KakaoAuthInstance } from "../instance.js";
import { bodyFields } from "../http/request-body.js";
import { returnTarget } from "../http/return-to.js";
import { log } from "../log.js";
import type { RequestState } from "../session/request-state.js";
import { originOr400, type RouteDeps } from "./route.js";

/** `POST {basePath}/signout`: CSRF-checked (token or same-origin `Origin`), ends the session. */
export async function signOutRoute(req: Request, res: Response, state: RequestState, deps: RouteDeps): Promise<void> {
  const { instance } = deps;
  const body = bodyFields(req);
  const origin = originOr400(req, res, deps);
  if (!origin) return;
  const { allowedOrigins } = instance.config.clients;
  // The Origin a browser sends is trusted when it is this site or one of the app's own frontends.
  const trustedOrigin = req.headers.origin === origin || allowedOrigins.includes(req.headers.origin ?? "");
  // A bearer session that was read proves itself: another site cannot make a browser send this
  // app's token (a malformed or refused one proves nothing).
  const bearerSession = state.bearer && state.session !== undefined;
  if (!bearerSession && !trustedOrigin && !csrfTokenValid(req, instance.config.secrets, state.secure, body.csrfToken)) {
    log.session("sign-out refused: no valid CSRF token or same-origin Origin");
    res.status(403).json({
      error: "csrf",
      message: `Sign-out needs the csrfToken from GET ${instance.basePath(state)}/csrf or a same-origin request.`,
    });
    return;
  }
  const session = state.session;
  if (session && body.kakaoLogout === "true" && session.tokens) {
    await instance.client
      .logoutToken(session.tokens.accessToken)
      .catch((err: unknown) => log.session("Kakao logout failed: %s", (err as Error).message));
  }
  await instance.endSession(req, res, state);
  if (instance.config.onSignOut) await instance.config.onSignOut({ user: session?.user, req });
  const returnTo = returnTarget(body.callbackUrl ?? body.returnTo, origin, allowedOrigins) ?? "/";
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  // Also end the browser's Kakao Account session (kakao-api.md §5.3): Kakao then returns to
  // {basePath}/signout/kakao, which must be registered as a Logout Redirect URI.
  const url = body.kakaoAccountLogout === "true" ? kakaoAccountLogoutUrl(instance, state, origin, returnTo) : returnTo;
  res.set("cache-control", "no-store");
  if (wantsHtml) res.redirect(303, url);
  else res.json({ signedOut: true, url });
}

/** Kakao Account logout: `{authOrigin}/oauth/logout`, coming back through `{basePath}/signout/kakao`. */
export function kakaoAccountLogoutUrl(
  instance: KakaoAuthInstance,
  state: RequestState,
  origin: string,
  returnTo: string,
): string {
  const q = new URLSearchParams({
    client_id: instance.config.clientId,
    logout_redirect_uri: `${origin}${instance.basePath(state)}/signout/kakao`,
    state: returnTo,
  });
  return `${instance.config.authOrigin}/oauth/logout?${q}`;
}
