import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { KakaoProfile } from "../kakao/profile.js";
import {
  issueSignInAsTicket,
  SIGN_IN_AS_HEADER,
  withdrawSignInAsTicket,
  type SignInAsTarget,
} from "../routes/sign-in-as.js";
import type { EmulatorUser, KakaoEmulator } from "./emulator/index.js";
import { emulatorFor } from "./registry.js";

type AppLike = (req: never, res: never) => void;

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

const jarHeader = (jar: Map<string, string>): string => [...jar].map(([k, v]) => `${k}=${v}`).join("; ");

async function listen(app: AppLike): Promise<Server> {
  const server = createServer(app as never);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

/** `/v2/user/me` as Kakao would answer it for this user (verified email unless said otherwise). */
function profileOf(user: Partial<EmulatorUser> & { id: string }): KakaoProfile {
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

/** One request carrying a ticket: what the `kakaoAuth()` it reached said, and its Set-Cookie pairs. */
async function ticketRequest(
  origin: string,
  path: string,
  profile: KakaoProfile,
  mode: "probe" | "write",
  freshLogin = false,
): Promise<{ target: SignInAsTarget; cookies: string[] }> {
  let settled: { target: SignInAsTarget; outcome: { ok: true } | { ok: false; reason: string } } | undefined;
  const id = issueSignInAsTicket({
    profile,
    mode,
    freshLogin,
    settle: (target, outcome) => (settled = { target, outcome }),
  });
  try {
    const res = await fetch(`${origin}${path}`, { redirect: "manual", headers: { [SIGN_IN_AS_HEADER]: id } });
    if (!settled)
      throw new Error(
        `signInAs(app): no kakaoAuth() saw a request to ${path} (answered ${res.status}). Mount kakaoAuth() in this app, or pass { path } where it is mounted.`,
      );
    if (!settled.outcome.ok) throw new Error(`signInAs(app): ${settled.outcome.reason}`);
    return { target: settled.target, cookies: cookiePairs(res) };
  } finally {
    withdrawSignInAsTicket(id);
  }
}

/** The real login routes against the emulator: authorize (auto-consent), then the callback. */
async function emulatorLogin(
  origin: string,
  target: SignInAsTarget,
  emulator: KakaoEmulator,
  user: Partial<EmulatorUser> & { id: string },
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
  if (start.status !== 302 || !authorize) throw new Error(`signInAs: sign-in answered ${start.status}`);
  const consent = await fetch(authorize, { redirect: "manual" });
  const callback = consent.headers.get("location");
  if (consent.status !== 302 || !callback)
    throw new Error(`signInAs: the emulator answered ${consent.status} at authorize`);
  const done = await fetch(callback, { redirect: "manual", headers: { cookie: jarHeader(jar) } });
  mergeJar(jar, cookiePairs(done));
  const landed = done.headers.get("location") ?? "";
  if (done.status !== 302 || /[?&]error=/.test(landed))
    throw new Error(`signInAs: the callback failed (${done.status} → ${landed})`);
  for (const name of [...jar.keys()]) if (TRANSACTION.test(name)) jar.delete(name);
  return jarHeader(jar);
}

/**
 * Signs `user` in to `app` and returns the `Cookie` header value for supertest:
 * `request(app).get("/me").set("Cookie", await signInAs(app, { id: "42" }))`.
 * When the app talks to a Kakao emulator started in this process, through its real login routes;
 * otherwise (an app configured from the environment) through the app's own session writer, with
 * its `profile` and `onSignIn` hooks, and without Kakao tokens.
 */
export async function signInAs(app: AppLike, user: SignInAsUser, options: SignInAsOptions = {}): Promise<string> {
  const who = typeof user === "string" ? { id: user } : user;
  if (typeof who.id !== "string" || !/^\d{1,20}$/.test(who.id))
    throw new TypeError('signInAs(app, user): user.id must be a Kakao user id as a decimal string, e.g. "4000000001"');
  const server = await listen(app);
  try {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const path = options.path ?? "/";
    const profile = profileOf(who);
    const { target } = await ticketRequest(origin, path, profile, "probe");
    const emulator = options.emulator ?? emulatorFor(target.authOrigin);
    const fresh = options.freshLogin ?? false;
    if (emulator) return await emulatorLogin(origin, target, emulator, who, options.returnTo ?? "/", fresh);
    const { cookies } = await ticketRequest(origin, path, profile, "write", fresh);
    const jar = new Map<string, string>();
    mergeJar(jar, cookies);
    for (const name of [...jar.keys()]) if (TRANSACTION.test(name)) jar.delete(name);
    return jarHeader(jar);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
