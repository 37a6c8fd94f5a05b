import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KakaoProfile } from "../kakao/profile.js";
import {
  issueSignInAsTicket,
  SIGN_IN_AS_HEADER,
  withdrawSignInAsTicket,
  type SignInAsOutcome,
  type SignInAsTarget,
} from "../routes/sign-in-as.js";
import type { EmulatorUser, KakaoEmulator } from "./emulator/index.js";
import { emulatorFor } from "./registry.js";

/** An Express app (4 or 5), any `(req, res)` request listener, or an `http.Server` serving one. */
export type SignInAsApp = ((req: never, res: never) => void) | Server;

/** The user to sign in: an id, or the fields Kakao's `/v2/user/me` would report. */
export type SignInAsUser = string | (Partial<EmulatorUser> & { id: string });

export interface SignInAsOptions {
  /** Use this emulator (default: the one started in this process at the app's `authOrigin`, if any). */
  emulator?: KakaoEmulator;
  /** Where to land after the emulator login (default "/"). */
  returnTo?: string;
  /** A path that reaches `kakaoAuth()` (default "/"; e.g. "/api" when it is mounted there). */
  path?: string;
  /**
   * Sign in as a login that made the user authenticate just now (sent with `prompt=login`), which
   * `requireFreshLogin` accepts. Default false: like a plain login, whose `authTime` is not known.
   */
  freshLogin?: boolean;
}

type User = Partial<EmulatorUser> & { id: string };

function cookiePairs(res: Response): string[] {
  return res.headers.getSetCookie().map((c) => c.split(";")[0]!);
}

/** Applies Set-Cookie pairs as a browser would: an empty value deletes. */
function mergeJar(jar: Map<string, string>, pairs: string[]): void {
  for (const p of pairs) {
    const i = p.indexOf("=");
    const name = p.slice(0, i);
    const value = p.slice(i + 1);
    if (value === "") jar.delete(name);
    else jar.set(name, value);
  }
}

/** Auth.js's per-login transaction cookies and the package's own: useless once signed in. */
const TRANSACTION = /authjs\.(state|pkce\.code_verifier|nonce|callback-url|csrf-token)|kakao-auth\./;

/** The `Cookie` header a browser would send after these responses, without the login's transaction cookies. */
function sessionCookie(jar: Map<string, string>): string {
  return [...jar]
    .filter(([name]) => !TRANSACTION.test(name))
    .map(([k, v]) => `${k}=${v}`)
    .join("; ");
}

const jarHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function listen(app: SignInAsApp): Promise<Server> {
  // A Server the test already made (`http.createServer(app)`): serve its handler on a port of our own.
  const handler = typeof app === "function" ? app : (app.listeners("request")[0] as RequestListener | undefined);
  if (typeof handler !== "function")
    throw new TypeError("signInAs(app): app must be an Express app or an http.Server with a request handler");
  const server = createServer(handler as RequestListener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** The consent items Kakao's default consent grants a user with this data (the emulator's default). */
function grantedScopes(user: User): string[] {
  if (user.agreedScopes) return user.agreedScopes;
  const scopes: string[] = [];
  if (user.nickname) scopes.push("profile_nickname");
  if (user.profileImage || user.thumbnailImage) scopes.push("profile_image");
  if (user.email) scopes.push("account_email");
  return scopes;
}

/** `/v2/user/me` as Kakao would answer it for this user (verified email unless said otherwise). */
function profileOf(user: User): KakaoProfile {
  const profile: NonNullable<KakaoProfile["kakao_account"]>["profile"] = {};
  if (user.nickname) profile.nickname = user.nickname;
  if (user.profileImage) profile.profile_image_url = user.profileImage;
  if (user.thumbnailImage) profile.thumbnail_image_url = user.thumbnailImage;
  const account: NonNullable<KakaoProfile["kakao_account"]> = { profile };
  if (user.email) {
    account.email = user.email;
    account.is_email_valid = user.isEmailValid ?? true;
    account.is_email_verified = user.isEmailVerified ?? true;
  }
  return { id: user.id, kakao_account: account };
}

/** Why no `kakaoAuth()` answered the ticket, from what the app answered instead. */
function unreached(path: string, status: number): Error {
  if (status >= 500)
    return new Error(
      `signInAs(app): the request to ${path} failed with ${status} before kakaoAuth() could sign the user in; see the app's error output.`,
    );
  return new Error(
    `signInAs(app): no kakaoAuth() saw a request to ${path} (the app answered ${status}). Mount kakaoAuth() in this app (app.use(kakaoAuth(...))), or pass { path } where it is mounted, e.g. signInAs(app, user, { path: "/api" }).`,
  );
}

/** One request carrying a ticket: what the `kakaoAuth()` it reached said, and its Set-Cookie pairs. */
async function ticketRequest(
  origin: string,
  path: string,
  user: User,
  mode: "probe" | "write",
  freshLogin = false,
): Promise<{ target: SignInAsTarget; cookies: string[] }> {
  let settled: { target: SignInAsTarget; outcome: SignInAsOutcome } | undefined;
  const id = issueSignInAsTicket({
    profile: profileOf(user),
    scopes: grantedScopes(user),
    mode,
    freshLogin,
    settle: (target, outcome) => (settled = { target, outcome }),
  });
  try {
    const res = await fetch(`${origin}${path}`, { redirect: "manual", headers: { [SIGN_IN_AS_HEADER]: id } });
    await res.arrayBuffer();
    if (!settled) throw unreached(path, res.status);
    const { outcome } = settled;
    if (!outcome.ok)
      throw new Error(`signInAs(app): ${outcome.reason}`, outcome.cause === undefined ? {} : { cause: outcome.cause });
    return { target: settled.target, cookies: cookiePairs(res) };
  } finally {
    withdrawSignInAsTicket(id);
  }
}

/** A URL the app handed out, pointed at the local server (an app with `baseURL` names its public origin). */
const local = (origin: string, url: string): string => {
  const u = new URL(url, origin);
  return `${origin}${u.pathname}${u.search}`;
};

/** The real login routes against the emulator: authorize (auto-consent), then the callback. */
async function emulatorLogin(
  origin: string,
  target: SignInAsTarget,
  emulator: KakaoEmulator,
  user: User,
  returnTo: string,
  freshLogin: boolean,
): Promise<string> {
  const existing = emulator.users.get(user.id);
  emulator.addUser({ ...(existing ?? {}), ...user });
  const jar = new Map<string, string>();
  const q = new URLSearchParams({ login_hint: user.id, returnTo });
  if (freshLogin) q.set("prompt", "login");
  const start = await fetch(`${origin}${target.basePath}/signin/kakao?${q}`, { redirect: "manual" });
  mergeJar(jar, cookiePairs(start));
  const authorize = start.headers.get("location");
  if (start.status !== 302 || !authorize) throw new Error(`signInAs(app): sign-in answered ${start.status}`);
  const consent = await fetch(authorize, { redirect: "manual" });
  const callback = consent.headers.get("location");
  if (consent.status !== 302 || !callback)
    throw new Error(`signInAs(app): the emulator answered ${consent.status} at authorize`);
  const done = await fetch(local(origin, callback), { redirect: "manual", headers: { cookie: jarHeader(jar) } });
  mergeJar(jar, cookiePairs(done));
  const landed = done.headers.get("location") ?? "";
  if (done.status !== 302 || /[?&]error=/.test(landed)) {
    if (/[?&]error=refused\b/.test(landed))
      throw new Error(`signInAs(app): onSignIn returned false for user ${user.id}: no session was created`);
    throw new Error(`signInAs(app): the login callback failed (${done.status} → ${landed})`);
  }
  return sessionCookie(jar);
}

/**
 * Signs `user` in to `app` and returns the `Cookie` header value for supertest:
 * `request(app).get("/me").set("Cookie", await signInAs(app, { id: "42" }))`.
 *
 * When the app talks to a Kakao emulator started in this process, through the app's real login
 * routes against it. Otherwise (say an app configured from the environment for real Kakao) through
 * the app's own session store, with its `profile` and `onSignIn` hooks, and without Kakao tokens:
 * no network is touched, and `req.kakao.accessToken()` has nothing to give.
 * Rejects when no `kakaoAuth()` is reached, or when `onSignIn` refuses the user.
 */
export async function signInAs(app: SignInAsApp, user: SignInAsUser, options: SignInAsOptions = {}): Promise<string> {
  const who: User = typeof user === "string" ? { id: user } : user;
  if (typeof who.id !== "string" || !/^\d{1,20}$/.test(who.id))
    throw new TypeError('signInAs(app, user): user.id must be a Kakao user id as a decimal string, e.g. "4000000001"');
  const path = options.path ?? "/";
  if (!path.startsWith("/")) throw new TypeError(`signInAs(app): options.path must start with "/" (got "${path}")`);
  const server = await listen(app);
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const fresh = options.freshLogin ?? false;
    const { target } = await ticketRequest(origin, path, who, "probe");
    const emulator = options.emulator ?? emulatorFor(target.authOrigin);
    if (emulator) return await emulatorLogin(origin, target, emulator, who, options.returnTo ?? "/", fresh);
    const { cookies } = await ticketRequest(origin, path, who, "write", fresh);
    const jar = new Map<string, string>();
    mergeJar(jar, cookies);
    return sessionCookie(jar);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
