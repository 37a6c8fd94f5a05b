import { createHash } from "node:crypto";
import type { Request, Response } from "express";
import { parse as parseCookies } from "cookie";
import { constantTimeEqual } from "./constant-time.js";
import { log } from "./log.js";
import { readSmallBody } from "./request-body.js";
import { sanitizeReturnTo } from "./return-to.js";
import type { Runtime } from "./runtime.js";
import { kakaoLogoutToken } from "./kakao-api.js";

const sha256hex = (s: string): string => createHash("sha256").update(s).digest("hex");

/** Auth.js's double-submit CSRF token: cookie `token|sha256(token + secret)`, body `csrfToken`. */
function csrfTokenValid(req: Request, runtime: Runtime, secure: boolean, bodyToken: string | undefined): boolean {
  if (!bodyToken) return false;
  const name = `${secure ? "__Host-" : ""}authjs.csrf-token`;
  const cookieValue = parseCookies(req.headers.cookie ?? "")[name];
  if (!cookieValue) return false;
  const [token = "", hash = ""] = cookieValue.split("|");
  const secrets = runtime.config.secrets;
  // Auth.js hashes with `${token}${options.secret}`: an array secret stringifies comma-joined.
  const hashOk = [secrets.join(","), ...secrets].some((s) => constantTimeEqual(sha256hex(`${token}${s}`), hash));
  return hashOk && constantTimeEqual(token, bodyToken);
}

function sameOrigin(req: Request, origin: string): boolean {
  const header = req.headers.origin;
  return typeof header === "string" && header === origin;
}

/** `POST {basePath}/signout`: CSRF-checked (token or same-origin `Origin`), ends the session. */
export async function handleSignOut(req: Request, res: Response, runtime: Runtime): Promise<void> {
  const state = runtime.readState(req, res);
  const origin = runtime.origin(req);
  const body = await readSmallBody(req);
  if (!origin || !(sameOrigin(req, origin) || csrfTokenValid(req, runtime, state.secure, body.csrfToken))) {
    log.session("sign-out refused: no valid CSRF token or same-origin Origin");
    res.status(403).json({
      error: "csrf",
      message: "Sign-out needs the csrfToken from GET " + runtime.config.basePath + "/csrf or a same-origin request.",
    });
    return;
  }
  const session = state.session;
  if (session && body.kakaoLogout === "true" && session.tokens) {
    await kakaoLogoutToken(runtime, session.tokens.accessToken).catch((err: unknown) =>
      log.session("Kakao logout failed: %s", (err as Error).message),
    );
  }
  await runtime.endSession(req, res);
  if (runtime.config.onSignOut) await runtime.config.onSignOut({ user: session?.user, req });
  const returnTo = sanitizeReturnTo(body.callbackUrl ?? body.returnTo, origin) ?? "/";
  const wantsHtml = (req.headers.accept ?? "").includes("text/html");
  if (body.kakaoAccountLogout === "true") {
    // Also end the browser's Kakao Account session (kakao-api.md §5.3): Kakao then returns to
    // {basePath}/signout/kakao, which must be registered as a Logout Redirect URI.
    const url = kakaoAccountLogoutUrl(runtime, origin, returnTo);
    res.set("cache-control", "no-store");
    if (wantsHtml) res.redirect(303, url);
    else res.json({ signedOut: true, url });
    return;
  }
  res.set("cache-control", "no-store");
  if (wantsHtml) res.redirect(303, returnTo);
  else res.json({ signedOut: true, url: returnTo });
}

/** Kakao Account logout: `{authOrigin}/oauth/logout`, coming back through `{basePath}/signout/kakao`. */
export function kakaoAccountLogoutUrl(runtime: Runtime, origin: string, returnTo: string): string {
  const q = new URLSearchParams({
    client_id: runtime.config.clientId,
    logout_redirect_uri: `${origin}${runtime.config.basePath}/signout/kakao`,
    state: returnTo,
  });
  return `${runtime.config.authOrigin}/oauth/logout?${q}`;
}

/** `GET {basePath}/signout/kakao`: where Kakao returns after Kakao Account logout; `state` carries returnTo. */
export function handleKakaoAccountLogoutReturn(req: Request, res: Response, runtime: Runtime): void {
  const origin = runtime.origin(req);
  const state = new URLSearchParams(req.originalUrl.split("?")[1] ?? "").get("state");
  res.set("cache-control", "no-store").redirect(302, (origin && sanitizeReturnTo(state, origin)) || "/");
}
