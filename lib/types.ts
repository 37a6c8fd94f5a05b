import type { AuthConfig } from "@auth/core";
import type { Request } from "express";

/** The signed-in Kakao user as the app sees it on `req.kakaoUser`. */
export interface KakaoUser {
  /** Kakao user id (회원번호) as a decimal string, exact even past 2^53. */
  id: string;
  /** `kakao_account.profile.nickname` (consent item `profile_nickname`). */
  nickname?: string;
  /** 640×640 profile image URL, https (consent item `profile_image`). */
  profileImage?: string;
  /** 110×110 thumbnail URL, https. */
  thumbnailImage?: string;
  /** Only when Kakao says the address is valid and verified (`is_email_valid && is_email_verified`). */
  email?: string;
  /** Whether `email` is set: Kakao said the address is valid and verified. */
  emailVerified: boolean;
  /** Consent items the user has agreed to, as far as known (token response `scope`). */
  scopes: string[];
  /**
   * Seconds since epoch of the last login known to have made the user authenticate at Kakao: with
   * OIDC the id_token's `auth_time`; without it, a login this package sent with `prompt=login`
   * (e.g. by `requireFreshLogin`). `0` when no such login is known (a silent or single sign-on login).
   */
  authTime: number;
}

/** Tokens kept in the session (never sent to the browser in clear: the cookie is encrypted). */
export interface KakaoTokens {
  /** The user's Kakao access token (use `req.kakao.accessToken()`, which refreshes it). */
  accessToken: string;
  /** Kakao rotates it in its last month; absent for sessions from an SDK access token. */
  refreshToken?: string;
  /** Access-token expiry, seconds since epoch. */
  expiresAt: number;
  /** Refresh-token expiry, seconds since epoch. */
  refreshTokenExpiresAt?: number;
}

/** What one session holds, in either store. */
export interface KakaoSessionData {
  /** What `req.kakaoUser` shows. */
  user: KakaoUser;
  /** Kakao's tokens; absent for sessions made without them (`signInAs` without an emulator, an SDK id_token alone). */
  tokens?: KakaoTokens;
  /** Milliseconds since epoch when this session was created (absolute expiry and revocation). */
  loginAt: number;
  /** Random id of this session, stable across renewals: sign-out revokes it (a copied cookie dies too). */
  sessionId?: string;
}

/** Token response values handed to the `profile` option. */
export interface KakaoTokenSet {
  /** The access token Kakao issued at this login. */
  access_token?: string;
  /** The refresh token (web logins). */
  refresh_token?: string;
  /** Access-token expiry, seconds since epoch. */
  expires_at?: number;
  /** The consent items granted, space separated as Kakao sends them. */
  scope?: string;
  /** With OIDC: the verified id_token. */
  id_token?: string;
  [key: string]: unknown;
}

/** `session` option of `kakaoAuth()`: where sessions live and how long they last. */
export interface KakaoSessionOptions {
  /** `"cookie"` (default): Auth.js encrypted JWT cookie. `"express-session"`: `req.session`. */
  store?: "cookie" | "express-session";
  /** Idle timeout in seconds (default 30 days); renewed while the user is active. */
  maxAge?: number;
  /** Seconds after login when the session ends however active (default 60 days). */
  absoluteDuration?: number;
  /** Renew the idle timeout on activity (default true). */
  rolling?: boolean;
  /** Renew the cookie at most this often, in seconds (default 1 day). */
  updateAge?: number;
  /** Decoded cookie sessions cached by token (default 10,000; 0 disables the cache). */
  cacheSize?: number;
  /**
   * Also accept `Authorization: Bearer <sessionToken>` (from `POST {basePath}/token/kakao`), read
   * like the session cookie: same encryption, expiry, cache and revocation. When a request's tokens
   * are refreshed, the new session token comes back in the `Kakao-Session-Token` response header.
   * @default false
   */
  bearer?: boolean;
  /**
   * At most this many sessions per user (중복 로그인 방지): signing in past the limit ends the
   * user's oldest sessions, on every instance. Needs `redis`.
   * @example session: { maxPerUser: 1 } // one device at a time
   */
  maxPerUser?: number;
}

/** What `req.kakao.signInUrl()` builds a sign-in link from. */
export interface SignInUrlOptions {
  /** Same-origin path to return to after login. */
  returnTo?: string;
  /** Extra consent items to ask for (incremental consent). */
  scopes?: string[];
  /**
   * Kakao's `prompt`: `"login"` asks for the password again (a fresh login), `"none"` signs in
   * silently or comes back with `silentSignInError`, `"select_account"` shows the account chooser,
   * `"create"` opens Kakao account sign-up.
   */
  prompt?: "login" | "none" | "select_account" | "create";
  /** Pre-fills Kakao's login form (an email or phone number). */
  loginHint?: string;
}

/** Options of `kakaoAuth()`; each falls back to the environment variable named in its doc. */
export interface KakaoAuthOptions {
  /** REST API key. Env `AUTH_KAKAO_ID`. */
  clientId?: string;
  /** Kakao Login client secret (sent `client_secret_post`). Env `AUTH_KAKAO_SECRET`. */
  clientSecret?: string;
  /** At least 32 characters; an array rotates (first encrypts, all decrypt). Env `AUTH_SECRET`. */
  secret?: string | string[];
  /** Public origin, optionally with the base path. Env `AUTH_URL`. */
  baseURL?: string;
  /** Where the auth routes live (default `/auth`). */
  basePath?: string;
  /** Extra consent items asked for at every sign-in (default none). */
  scopes?: string[];
  /** Use OpenID Connect (enable it in the Kakao console first). */
  oidc?: boolean;
  /**
   * Where sessions live and how long they last.
   * @default { store: "cookie", maxAge: 2592000, absoluteDuration: 5184000, rolling: true, updateAge: 86400, cacheSize: 10000 }
   * @example session: { store: "express-session", maxAge: 7 * 24 * 60 * 60 }
   */
  session?: KakaoSessionOptions;
  /** Kakao auth server origin. Env `KAKAO_AUTH_ORIGIN`, default `https://kauth.kakao.com`. */
  authOrigin?: string;
  /** Kakao API server origin. Env `KAKAO_API_ORIGIN`, default `https://kapi.kakao.com`. */
  apiOrigin?: string;
  /** Admin key: enables the unlink webhook. Env `KAKAO_ADMIN_KEY`. */
  adminKey?: string;
  /** App id: the unlink webhook then also requires it. Env `KAKAO_APP_ID`. */
  appId?: string;
  /** Shape what the session keeps from Kakao's `/v2/user/me` profile; `defaults` is what it would keep otherwise. */
  profile?: (
    profile: import("./kakao/profile.js").KakaoProfile,
    tokens: KakaoTokenSet,
    defaults: KakaoUser,
  ) => KakaoUser | Promise<KakaoUser>;
  /**
   * Called after Kakao login succeeded, before the session is written, bounded by `timeout`.
   * Return `false` to refuse the user, nothing to keep it, or the user with your own fields
   * (e.g. the `appUserId` of your users table, typed by declaration merging) to store in the
   * session. A throw ends the login on the error page (`error=signin`), with no session.
   * @example onSignIn: async ({ user }) => ({ ...user, appUserId: (await db.findOrCreate(user.id)).id })
   */
  onSignIn?: (event: {
    user: KakaoUser;
    profile: import("./kakao/profile.js").KakaoProfile;
    tokens: KakaoTokenSet;
    req: Request;
    /** Aborted when the hook outlives `timeout`: the login has failed, so roll back what it began. */
    signal: AbortSignal;
  }) => boolean | void | KakaoUser | Promise<boolean | void | KakaoUser>;
  /** Called after `POST {basePath}/signout` ended the session (`user` is who was signed in, if anyone). */
  onSignOut?: (event: { user: KakaoUser | undefined; req: Request }) => void | Promise<void>;
  /**
   * Called after Kakao's unlink webhook (the user withdrew from the app in Kakao), once the answer
   * is sent and the user's sessions are refused. Needs `adminKey`.
   * @example onUnlink: async ({ userId }) => db.users.deleteByKakaoId(userId)
   */
  onUnlink?: (event: {
    userId: string;
    referrerType: string;
    appId?: string;
    groupUserToken?: string;
  }) => void | Promise<void>;
  /**
   * Timeout for every call to Kakao, in milliseconds.
   * @default 10000
   */
  timeout?: number;
  /**
   * Shares revocations (`revokeKakaoUser`, unlink) between instances, e.g.
   * `redisRevocationStore(redisClient)`. Each instance polls it every `revocationPollInterval`.
   */
  revocationStore?: import("./session/revocation.js").RevocationStore;
  /** Seconds between polls of `revocationStore` (default 5): the window in which another instance may still accept a revoked session. */
  revocationPollInterval?: number;
  /**
   * A node-redis (`createClient()`, `createCluster()`) or ioredis (`Redis`, `Cluster`) client,
   * connected. Turns on, for several instances: one token refresh per session across all of them
   * (a lock and the new tokens shared briefly), revocations pushed to every instance at once
   * (pub/sub, with the poll as the fallback), and the per-user session registry
   * (`req.kakao.sessions()`, `signOutOthers()`, `revokeKakaoSession()`, `session.maxPerUser`).
   * When Redis is down, each instance falls back to working on its own; no user is signed out.
   * @example redis: createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true })
   */
  redis?: unknown;
  /**
   * Exact origins of your own frontends (e.g. an SPA on `https://app.example.com`) that `returnTo`
   * may name as absolute URLs and whose `Origin` header sign-out and token exchange accept.
   * Everything else stays same-origin only. No wildcards.
   * @example allowedOrigins: ["https://app.example.com"]
   */
  allowedOrigins?: string[];
  /**
   * Session cookie attributes. `domain` shares the cookie with sibling hosts (`app.` and `api.`
   * of one site); `sameSite: "none"` lets an SPA on another site send it with
   * `fetch(…, { credentials: "include" })`, needs an https `baseURL`, and keeps CSRF checks on every
   * state-changing route.
   * @default { sameSite: "lax" }
   */
  cookie?: { domain?: string; sameSite?: "lax" | "strict" | "none" };
  /**
   * Enables `POST {basePath}/token/kakao`: a mobile app or SPA that logged in with Kakao's SDK
   * exchanges its id_token (`aud` one of `audiences`) or access token (`app_id` must be `appId`) for
   * the same session a web login gets. Needs `appId`. `audiences` always includes `clientId`.
   * @example tokenExchange: { audiences: [process.env.KAKAO_NATIVE_APP_KEY!, process.env.KAKAO_JS_KEY!] }
   */
  tokenExchange?: boolean | { audiences?: string[] };
  /**
   * Extra `@auth/core` config merged in (callbacks, events, logger, …). `pages.error` sends failed
   * logins to the app's own page as `?error=<code>` instead of the built-in one.
   * @example authjs: { pages: { error: "/login-failed" } }
   */
  authjs?: Partial<AuthConfig>;
}

/** `req.kakao`: what a handler can do with the current user's Kakao session. */
export interface KakaoRequestContext {
  isAuthenticated(): boolean;
  /**
   * Set on the request right after a `prompt=none` sign-in came back without a user
   * (`"consent_required"`, `"login_required"`): show the sign-in button instead of trying again.
   */
  silentSignInError: string | undefined;
  /** A valid access token, refreshed when it expires within a minute. */
  accessToken(): Promise<string>;
  /** Calls `apiOrigin` with the user's token; Kakao errors become `KakaoApiError`. */
  api<T = unknown>(path: string, init?: RequestInit): Promise<T>;
  /** `/v2/user/me` (ids exact, as decimal strings). */
  me<T = unknown>(): Promise<T>;
  /** `/v2/user/scopes`: the app's consent items and whether the user agreed to each. */
  scopes<T = unknown>(): Promise<T>;
  /** Reloads the agreed consent items from Kakao (`/v2/user/scopes`) into the session and returns them. */
  refreshScopes(): Promise<string[]>;
  /** Logs the token out at Kakao and ends the local session. */
  logout(): Promise<void>;
  /** Unlinks the user from the app at Kakao and ends every session of the user. */
  unlink(): Promise<void>;
  /** The sign-in URL (relative to the site) for these options. */
  signInUrl(options?: SignInUrlOptions): string;
  /** The signed-in user's live sessions on every instance, oldest first (needs `redis`). */
  sessions(): Promise<import("./session/registry.js").KakaoSessionInfo[]>;
  /** Ends every other session of the signed-in user ("sign out other devices"); returns how many (needs `redis`). */
  signOutOthers(): Promise<number>;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      kakaoUser?: KakaoUser;
      kakao: KakaoRequestContext;
    }
  }
}
