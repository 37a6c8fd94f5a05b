import type { RequestHandler } from "express";
import type { KakaoUser } from "../../lib/index.js";
import type { LoginFlow } from "./login-flow.js";

/** The cookie that marks a sign-in attempt started with `prompt=login`. */
export const FRESH_LOGIN_COOKIE = "kakao-auth.fresh-login";

/** Answers what a guard let through: `{ ok, id, authTime }`. */
export const passedWithAuthTime: RequestHandler = (req, res) =>
  void res.json({ ok: true, id: req.kakaoUser?.id, authTime: req.kakaoUser?.authTime });

/** Seconds since the epoch, the unit of `auth_time` and `KakaoUser.authTime`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** The user `/whoami` reports for this browser, with every field (null when anonymous). */
export async function kakaoUserOf(flow: LoginFlow): Promise<KakaoUser | null> {
  const res = await flow.get("/whoami", { accept: "application/json" });
  return ((await res.json()) as { user: KakaoUser | null }).user;
}

/**
 * Starts sign-in the way a browser does, sending the cookies it already holds (a session from an
 * earlier login); `LoginFlow.start` sends none.
 */
export async function startWithCookies(flow: LoginFlow, query: Record<string, string>): Promise<Response> {
  const res = await fetch(`${flow.appUrl}${flow.basePath}/signin/kakao?${new URLSearchParams(query)}`, {
    redirect: "manual",
    headers: flow.jar.cookies.size ? { cookie: flow.jar.header() } : {},
  });
  flow.jar.take(res);
  const location = res.headers.get("location");
  if (location) flow.authorizeUrl = new URL(location);
  return res;
}

/** A whole login in a browser that may already be signed in; throws unless it lands signed in. */
export async function loginInSameBrowser(flow: LoginFlow, query: Record<string, string>): Promise<Response> {
  await startWithCookies(flow, query);
  await flow.authorize();
  const res = await flow.callback();
  if (res.status !== 302 || !flow.hasSession())
    throw new Error(`login failed: ${res.status} ${res.headers.get("location") ?? ""}`);
  return res;
}

/** Follows a guard's 302 to sign-in (a path on the app) through Kakao and back, in this browser. */
export async function followSignInRedirect(
  flow: LoginFlow,
  guardAnswer: Response,
  loginHint: string,
): Promise<Response> {
  const location = guardAnswer.headers.get("location");
  if (guardAnswer.status !== 302 || !location) throw new Error(`not a redirect: ${guardAnswer.status}`);
  const url = new URL(location, flow.appUrl);
  if (url.pathname !== `${flow.basePath}/signin/kakao`) throw new Error(`not a sign-in redirect: ${location}`);
  const query = Object.fromEntries(url.searchParams);
  return loginInSameBrowser(flow, { ...query, login_hint: loginHint });
}
