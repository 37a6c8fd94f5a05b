import type { IncomingHttpHeaders } from "node:http";

/** A Kakao account known to the emulator. */
export interface EmulatorUser {
  /**
   * Service user id, a decimal string. May exceed 2^53 (e.g. `"1376016924429759228"`): it is written
   * as an exact JSON *number* in the kapi answers (`/v2/user/me`, logout, unlink, token info, scopes)
   * and as a string in the id_token `sub`, OIDC userinfo and webhooks.
   */
  id: string;
  nickname?: string;
  /** 640×640 profile image URL (use `http://` like Kakao; `secure_resource=true` turns it into https). */
  profileImage?: string;
  /** 110×110 thumbnail URL; the id_token `picture`. */
  thumbnailImage?: string;
  email?: string;
  /** Default true when `email` is set. */
  isEmailValid?: boolean;
  /** Default true when `email` is set. */
  isEmailVerified?: boolean;
  /**
   * Consent items agreed to. Before the first login this is what the (auto-)consent grants (default:
   * the app's consent items the user has data for: `profile_nickname`, `profile_image`,
   * `account_email`, legacy `profile`); afterwards it is the live consent state (requested scopes are
   * added at every authorize; unlink clears it; revoke removes items).
   */
  agreedScopes?: string[];
  /** RFC 3339 UTC, e.g. `"2022-04-11T01:45:28Z"`; default: the time of the first login. */
  connectedAt?: string;
  /**
   * Already linked to the app (has consented before), so `prompt=none` works without a first login.
   * Default false; set by every successful authorize, cleared by unlink. (Emulator extension.)
   */
  linked?: boolean;
}

export interface KakaoEmulatorOptions {
  /** Default 0 (a free port) on 127.0.0.1. */
  port?: number;
  /** REST API key; default a random `emu-rest-key-…`. */
  clientId?: string;
  /**
   * The app's JavaScript key (what Kakao's JS SDK logs in with, the `aud` of its id_tokens); default a
   * random `emu-js-key-…`. Must differ from `clientId` and `nativeAppKey`.
   */
  javascriptKey?: string;
  /**
   * The app's native app key (Kakao's Android/iOS SDKs; the `aud` of their id_tokens); default a
   * random `emu-native-key-…`. Must differ from `clientId` and `javascriptKey`.
   */
  nativeAppKey?: string;
  /** Default random; `null` = Client Secret switched off in the console (then not required). */
  clientSecret?: string | null;
  adminKey?: string;
  /** Numeric string; default a random 7-digit id. */
  appId?: string;
  /** Registered redirect URIs (exact match, else KOE006); default `"any"` (any http(s) URL). */
  redirectUris?: string[] | "any";
  /** Registered logout redirect URIs (exact match, else KOE007); default `"any"`. */
  logoutRedirectUris?: string[] | "any";
  /** Consent items configured in the app; default `["profile_nickname","profile_image","account_email"]`. */
  consentItems?: string[];
  /** Consent items configured as required (not revocable); default `["profile_nickname"]`. (Extension.) */
  requiredConsentItems?: string[];
  /** OIDC switched on in the console: every code exchange returns an id_token. */
  oidc?: boolean;
  /** Known users; default one user `4000000001` "카카오 사용자" with `user@example.com`. */
  users?: EmulatorUser[];
  /** true: `/oauth/authorize` renders a login/consent page; false (default): auto-consent. */
  interactive?: boolean;
  /** Base clock in ms (default `Date.now`); `emulator.clock` shifts it. */
  now?: () => number;
  /** Seconds, default 21599. */
  accessTokenTtl?: number;
  /** Seconds, default 5183999. */
  refreshTokenTtl?: number;
  /** Seconds, default 30 days: a refresh returns a new refresh token only when less than this remains. */
  refreshRotationThreshold?: number;
  /** Seconds, default 600. */
  codeTtl?: number;
}

/**
 * A fault to inject on a route (see `faults.ts` for the route names). Applied before the normal
 * handling of that route, once (or `times` times; `Infinity` for every request until `clearFaults`).
 */
export interface Fault {
  /** HTTP status; defaults to the status of `koe`/`kapiCode`, else 200 when `body` is given, else 500. */
  status?: number;
  /** Response body; objects are sent as JSON. */
  body?: string | object;
  /** Extra response headers (also added to the normal answer when only `delayMs` is set). */
  headers?: Record<string, string>;
  /** Wait this long first; alone (no status/body/koe/kapiCode/destroy) the normal answer follows. */
  delayMs?: number;
  /** How many requests this fault applies to; default 1. */
  times?: number;
  /** Answer with this KOE error as Kakao would (JSON on the token route, an HTML page on authorize). */
  koe?: string;
  /** Answer with this kapi error, e.g. -401 (with `WWW-Authenticate`) or -402 (with `requiredScopes`). */
  kapiCode?: number;
  /** For `kapiCode: -402`; default `["talk_message"]`. */
  requiredScopes?: string[];
  /** Content-Type for `body`. */
  contentType?: string;
  /** Destroy the socket without answering. */
  destroy?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string[]>;
  headers: IncomingHttpHeaders;
  /** Parsed form fields (also `{}` when there is no body), else the raw text. */
  body: Record<string, string[]> | string;
  /** Emulator clock (ms) at arrival. */
  at: number;
}

export interface SignIdTokenOptions {
  /** `undefined`: the current key's kid; `null`: no kid header; a string: that kid. */
  kid?: string | null;
  /** Default `RS256`. `none` = unsigned; `HS256/384/512` = HMAC keyed with the current public key's SPKI PEM
   * (algorithm confusion); `RS*`/`PS*` use the RSA key; `ES256` a throwaway EC key. */
  alg?: string;
  /** `unknown`: sign with a key that is not in the JWKS (its kid defaults to an unknown one). */
  key?: "current" | "unknown";
  /** Extra/overriding protected header fields. */
  header?: Record<string, unknown>;
}

export interface IdTokenOverrideOptions extends SignIdTokenOptions {
  /** How many issued id_tokens this applies to; default 1 (`Infinity` for all). */
  times?: number;
}

export interface UnlinkWebhookParams {
  userId: string;
  /** Default `UNLINK_FROM_APPS`. */
  referrerType?: string;
  /** Default `POST` (form body); `GET` sends the query string. */
  method?: "GET" | "POST";
  /** `undefined`: the emulator's admin key; `null`: no Authorization header; a string: that key. */
  adminKey?: string | null;
  /** Default the emulator's app id. */
  appId?: string;
  headers?: Record<string, string>;
  /** Also unlink the user inside the emulator first, as Kakao does (default true). */
  unlink?: boolean;
  /** Abort after this many ms (default 10000). */
  timeoutMs?: number;
}

export type AuthorizeOutcome = { deny?: true } | { error: string; errorDescription?: string };

/** The platform keys of the app under test (all belong to `emulator.appId`). */
export interface EmulatorAppKeys {
  /** REST API key (= `emulator.clientId`): web logins through `/oauth/authorize` and `/oauth/token`. */
  rest: string;
  /** JavaScript key: logins through Kakao's JS SDK. */
  javascript: string;
  /** Native app key: logins through Kakao's Android/iOS SDKs. */
  native: string;
}

/**
 * A second, unrelated Kakao app known to the emulator (random ids). Its tokens are genuine Kakao tokens
 * (`/v2/user/me` answers with the user) but `/v1/user/access_token_info` answers its `appId`, and its
 * id_tokens carry its keys as `aud`: what a token-substitution attack presents. It only issues tokens
 * through `emulator.sdkLogin(user, { app: "other-native" | "other-javascript" })`; `/oauth/authorize`
 * and `/oauth/token` know only the app under test.
 */
export interface EmulatorOtherApp {
  /** Numeric string, never equal to `emulator.appId`. */
  appId: string;
  restKey: string;
  javascriptKey: string;
  nativeAppKey: string;
}

/**
 * The app key an SDK login used: this app's `native`, `javascript` or `rest` key, or one of
 * `emulator.otherApp`'s keys (`other-native`, `other-javascript`).
 */
export type SdkLoginApp = "native" | "javascript" | "rest" | "other-native" | "other-javascript";

export interface SdkLoginOptions {
  /** Default `"native"`. */
  app?: SdkLoginApp;
  /** Passed to the SDK's login call: put in the id_token (and implies `oidc`). */
  nonce?: string;
  /**
   * Consent items requested on top of the user's current consent. For this app's keys they must be
   * configured `consentItems` (or `openid`, which implies `oidc`), else a TypeError like KOE205; the
   * other app accepts any. Default none.
   */
  scopes?: string[];
  /** Also return an id_token. Default: the emulator's `oidc` option, or true when `nonce` is given or `openid` requested. */
  oidc?: boolean;
  /**
   * Merged over the id_token's claims before signing (a key set to `undefined` removes that claim):
   * e.g. `{ exp: 0 }`, `{ iss: "https://evil.example" }`, `{ aud: "someone-else" }`. Applied before
   * a pending `setIdTokenOverride`, which SDK id_tokens also consume.
   */
  idTokenOverrides?: Record<string, unknown>;
}

/** What Kakao's SDK hands the app after a login (then posted to the backend's token exchange). */
export interface SdkLoginTokens {
  /** A live emulator access token bound to the app of the key used (see `access_token_info`'s `app_id`). */
  accessToken: string;
  refreshToken: string;
  /** Seconds (the emulator's `accessTokenTtl`). */
  expiresIn: number;
  /** RS256 with the emulator's JWKS key; `aud` = the app key used. Only with `oidc`. */
  idToken?: string;
}

export interface EmulatorClock {
  now(): number;
  advance(seconds: number): void;
  set(ms: number): void;
}

export interface KakaoEmulator {
  /** `http://127.0.0.1:PORT` — both the kauth and the kapi origin, and the OIDC issuer. */
  url: string;
  /** Ready for `kakaoAuth({...emulator.options, secret})`; `clientSecret` omitted when null. */
  options: { clientId: string; clientSecret?: string; authOrigin: string; apiOrigin: string };
  clientId: string;
  clientSecret: string | null;
  adminKey: string;
  appId: string;
  /** This app's REST (= `clientId`), JavaScript and native app keys. */
  appKeys: EmulatorAppKeys;
  /** Another Kakao app, whose tokens a substitution attack would present. */
  otherApp: EmulatorOtherApp;
  users: Map<string, EmulatorUser>;
  addUser(user: EmulatorUser): EmulatorUser;
  /** Who consents at the next authorize without a matching `login_hint` (default: the first user). */
  setCurrentUser(idOrUser: string | EmulatorUser): void;
  /** One-shot: the next authorize that passes validation redirects with this error. */
  nextAuthorize(outcome: AuthorizeOutcome): void;
  fail(route: string, fault: Fault): void;
  clearFaults(): void;
  requests: RecordedRequest[];
  requestsTo(path: string): RecordedRequest[];
  clock: EmulatorClock;
  rotateSigningKey(opts?: { dropOld?: boolean }): Promise<void>;
  signIdToken(claims: Record<string, unknown>, opts?: SignIdTokenOptions): Promise<string>;
  setIdTokenOverride(
    fn: ((claims: Record<string, unknown>) => Record<string, unknown>) | null,
    opts?: IdTokenOverrideOptions,
  ): void;
  sendUnlinkWebhook(url: string, p: UnlinkWebhookParams): Promise<{ status: number; ms: number; body: string }>;
  /**
   * As if Kakao's native or JavaScript SDK logged the user in on the device with that app key: no HTTP
   * request, no fault applies. Returns a new live grant (usable at `/v2/user/me`, `access_token_info`,
   * logout, unlink and — for this app's keys — refresh with the REST key), plus an id_token with `oidc`.
   * For this app's keys the user consents and is linked, as after a web login; for `other-*` keys the
   * user's consent to the other app is kept apart (this app's consent and link are untouched). The
   * user id is the same in both apps (an emulator simplification that lets a substituted token pass
   * for the victim when nothing checks `app_id`). `userIdOrUser`: a known id, or a user (added when new).
   */
  sdkLogin(userIdOrUser: string | EmulatorUser, opts?: SdkLoginOptions): Promise<SdkLoginTokens>;
  /** Currently valid tokens of a user for this app (any of its keys; not `otherApp`'s). */
  tokensOf(userId: string): { accessTokens: string[]; refreshTokens: string[] };
  close(): Promise<void>;
}
