import type { AuthConfig } from "@auth/core";
import { fail, failUnknown, kindOf, KAKAO_AUTH_NOT_CALLED, looksLikeRequest } from "./config-errors.js";
import { KakaoAuthConfigError } from "./errors.js";
import { redisKind } from "./redis/adapter.js";
import { redisRevocationStore, type RedisLike } from "./session/revocation-redis.js";
import { resolveClientOptions, type ResolvedClientOptions } from "./config-clients.js";
import { resolveSession, wholeNumber, type ResolvedSessionConfig } from "./config-session.js";
import { log, warnOnce } from "./log.js";
import type { KakaoAuthOptions } from "./types.js";

export type { ResolvedSessionConfig } from "./config-session.js";

/** Options after env defaults and validation: everything below trusts this shape. */
export interface ResolvedConfig {
  clientId: string;
  clientSecret: string | undefined;
  secrets: string[];
  /** Public origin (no path) when configured; otherwise built per request. */
  origin: string | undefined;
  basePath: string;
  scopes: string[];
  oidc: boolean;
  session: ResolvedSessionConfig;
  authOrigin: string;
  apiOrigin: string;
  adminKey: string | undefined;
  appId: string | undefined;
  timeout: number;
  revocationStore: KakaoAuthOptions["revocationStore"];
  revocationPollInterval: number;
  profile: KakaoAuthOptions["profile"];
  onSignIn: KakaoAuthOptions["onSignIn"];
  onSignOut: KakaoAuthOptions["onSignOut"];
  onUnlink: KakaoAuthOptions["onUnlink"];
  authjs: Partial<AuthConfig>;
  /** A node-redis or ioredis client (standalone or Cluster): coordination across instances. */
  redis: unknown;
  /** SPAs on other origins and apps with Kakao's SDK (config-clients.ts). */
  clients: ResolvedClientOptions;
}

const KNOWN_OPTIONS = [
  "clientId",
  "clientSecret",
  "secret",
  "baseURL",
  "basePath",
  "scopes",
  "oidc",
  "session",
  "authOrigin",
  "apiOrigin",
  "adminKey",
  "appId",
  "profile",
  "onSignIn",
  "onSignOut",
  "onUnlink",
  "timeout",
  "authjs",
  "revocationStore",
  "allowedOrigins",
  "cookie",
  "tokenExchange",
  "redis",
  "revocationPollInterval",
];
/** String options and the env variable each falls back to. */
const STRING_OPTIONS: Record<string, string | undefined> = {
  clientId: "AUTH_KAKAO_ID",
  clientSecret: "AUTH_KAKAO_SECRET",
  baseURL: "AUTH_URL",
  basePath: undefined,
  authOrigin: "KAKAO_AUTH_ORIGIN",
  apiOrigin: "KAKAO_API_ORIGIN",
  adminKey: "KAKAO_ADMIN_KEY",
  appId: "KAKAO_APP_ID",
};
/** Kakao consent-item ids are lower-case words with underscores (kakao-api.md §7.1). */
export const CONSENT_ITEM = /^[a-z][a-z0-9_]{0,63}$/;

type Env = Record<string, string | undefined>;

export { KAKAO_AUTH_NOT_CALLED, looksLikeRequest } from "./config-errors.js";

function pick(value: string | undefined, envValue: string | undefined): string | undefined {
  const v = value ?? envValue;
  return v === undefined || v.trim() === "" ? undefined : v.trim();
}

function parseOrigin(option: string, env: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(option, env, `is "${value}", not an absolute URL`, `Use an origin such as "https://kauth.kakao.com".`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    fail(option, env, `is "${value}", not an http(s) URL`, `Use an origin such as "https://kauth.kakao.com".`);
  if ((url.pathname !== "/" && url.pathname !== "") || url.search || url.hash || url.username)
    fail(option, env, `is "${value}", not an origin: it has a path, query or credentials`, `Use "${url.origin}".`);
  return url.origin;
}

function normaliseBasePath(value: string): string {
  const trimmed = value.replace(/\/+$/, "");
  if (!/^(\/[A-Za-z0-9._~-]+)+$/.test(trimmed))
    fail(
      "basePath",
      undefined,
      `is "${value}", not a path like "/auth"`,
      `Use a path that starts with "/" and has no query, e.g. "/auth" or "/api/auth".`,
    );
  return trimmed;
}

function resolveSecrets(option: KakaoAuthOptions["secret"], env: Env): string[] {
  const raw = option ?? env.AUTH_SECRET;
  const list = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).filter((s) => s !== "");
  if (list.length === 0)
    fail(
      "secret",
      "AUTH_SECRET",
      "is not set",
      'Set AUTH_SECRET to a random string of at least 32 characters, e.g. the output of "openssl rand -base64 33".',
    );
  list.forEach((s, i) => {
    if (typeof s === "string" && s.length >= 32) return;
    const fault = typeof s === "string" ? "shorter than 32 characters" : `${kindOf(s)}, not a string`;
    fail(
      "secret",
      "AUTH_SECRET",
      list.length === 1 ? `is ${fault}` : `has secret #${i + 1}, which is ${fault}`,
      'Use a random string of at least 32 characters, e.g. the output of "openssl rand -base64 33".',
    );
  });
  return list;
}

function resolveBase(options: KakaoAuthOptions, env: Env): { origin: string | undefined; basePath: string } {
  const explicitBase = options.basePath === undefined ? undefined : normaliseBasePath(options.basePath);
  const rawURL = pick(options.baseURL, env.AUTH_URL);
  if (!rawURL) return { origin: undefined, basePath: explicitBase ?? "/auth" };
  let url: URL;
  try {
    url = new URL(rawURL);
  } catch {
    fail(
      "baseURL",
      "AUTH_URL",
      `is "${rawURL}", not an absolute URL`,
      'Use your public origin, e.g. "https://app.example.com".',
    );
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    fail(
      "baseURL",
      "AUTH_URL",
      `is "${rawURL}", not an http(s) URL`,
      'Use your public origin, e.g. "https://app.example.com".',
    );
  if (url.search || url.hash || url.username)
    fail(
      "baseURL",
      "AUTH_URL",
      `is "${rawURL}", which has a query, fragment or credentials`,
      `Use "${url.origin}${url.pathname}".`,
    );
  const urlPath = url.pathname.replace(/\/+$/, "");
  if (urlPath !== "") {
    const fromURL = normaliseBasePath(urlPath);
    if (explicitBase !== undefined && explicitBase !== fromURL)
      fail(
        "basePath",
        undefined,
        `is "${explicitBase}", which differs from the path "${fromURL}" in baseURL`,
        `Drop one of them, or make them equal.`,
      );
    return { origin: url.origin, basePath: fromURL };
  }
  return { origin: url.origin, basePath: explicitBase ?? "/auth" };
}

function resolveScopes(scopes: unknown, oidc: boolean): string[] {
  if (scopes === undefined) return [];
  if (!Array.isArray(scopes))
    fail(
      "scopes",
      undefined,
      `is ${kindOf(scopes)}, not an array of consent-item ids`,
      'E.g. scopes: ["account_email"].',
    );
  for (const s of scopes as unknown[]) {
    if (typeof s !== "string" || !CONSENT_ITEM.test(s))
      fail(
        "scopes",
        undefined,
        `has ${JSON.stringify(s)}, which is not a Kakao consent-item id`,
        'Use ids from the console\'s consent items (동의항목), e.g. "account_email", "profile_nickname".',
      );
    if (s === "openid" && !oidc)
      fail(
        "scopes",
        undefined,
        'has "openid", which is only valid with OpenID Connect',
        "Set oidc: true instead of listing openid.",
      );
  }
  return [...new Set(scopes as string[])].filter((s) => s !== "openid");
}

function isLocalhost(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === "localhost" || host === "127.0.0.1" || host === "[::1]";
}

/** Validates options once, at `kakaoAuth()` time, and fills env defaults. */
export function resolveConfig(options: KakaoAuthOptions = {}, env: Env = process.env): ResolvedConfig {
  // kakaoAuth() passes its argument straight here, so app.use(kakaoAuth) lands here with a request.
  if (looksLikeRequest(options)) throw new KakaoAuthConfigError("options", KAKAO_AUTH_NOT_CALLED);
  if (typeof options !== "object" || options === null || Array.isArray(options))
    fail(
      "options",
      undefined,
      `is ${kindOf(options)}, not an options object`,
      "Call kakaoAuth() or kakaoAuth({ ... }).",
    );
  for (const key of Object.keys(options))
    if (!KNOWN_OPTIONS.includes(key))
      failUnknown("", key, KNOWN_OPTIONS, "is not an option of kakaoAuth()", "Known options");
  // Otherwise `pick()` would throw a bare TypeError for e.g. a numeric clientId or a URL object.
  for (const [key, envName] of Object.entries(STRING_OPTIONS))
    if (
      options[key as keyof KakaoAuthOptions] !== undefined &&
      typeof options[key as keyof KakaoAuthOptions] !== "string"
    )
      fail(
        key,
        envName,
        `is ${kindOf(options[key as keyof KakaoAuthOptions])}, not a string`,
        `Pass a string${envName ? ` or set ${envName}` : ""}.`,
      );

  const clientId = pick(options.clientId, env.AUTH_KAKAO_ID);
  if (!clientId)
    fail(
      "clientId",
      "AUTH_KAKAO_ID",
      "is not set",
      "Copy the REST API key from Kakao Developers → your app → App Keys (앱 키) and set AUTH_KAKAO_ID.",
    );
  const clientSecret = pick(options.clientSecret, env.AUTH_KAKAO_SECRET);
  const secrets = resolveSecrets(options.secret, env);
  const oidc = options.oidc ?? false;
  if (typeof oidc !== "boolean")
    fail("oidc", undefined, `is ${kindOf(oidc)}, not true or false`, "Set oidc: true to use OpenID Connect.");
  const { origin, basePath } = resolveBase(options, env);
  const authOrigin = parseOrigin(
    "authOrigin",
    "KAKAO_AUTH_ORIGIN",
    pick(options.authOrigin, env.KAKAO_AUTH_ORIGIN) ?? "https://kauth.kakao.com",
  );
  const apiOrigin = parseOrigin(
    "apiOrigin",
    "KAKAO_API_ORIGIN",
    pick(options.apiOrigin, env.KAKAO_API_ORIGIN) ?? "https://kapi.kakao.com",
  );
  const redis = options.redis;
  if (redis !== undefined && !redisKind(redis))
    fail(
      "redis",
      undefined,
      `is ${kindOf(redis)}, not a Redis client`,
      "Pass a connected node-redis client (createClient() / createCluster()) or an ioredis Redis / Cluster.",
    );
  const store = options.revocationStore;
  if (
    store !== undefined &&
    (typeof store !== "object" || typeof store.revoke !== "function" || typeof store.changesSince !== "function")
  )
    fail(
      "revocationStore",
      undefined,
      "is not a revocation store: it needs revoke() and changesSince()",
      "Pass redisRevocationStore(redisClient) or an object with revoke() and changesSince().",
    );
  for (const hook of ["profile", "onSignIn", "onSignOut", "onUnlink"] as const)
    if (options[hook] !== undefined && typeof options[hook] !== "function")
      fail(hook, undefined, `is ${kindOf(options[hook])}, not a function`, `Pass a function or leave ${hook} out.`);

  const resolved: ResolvedConfig = {
    clientId,
    clientSecret,
    secrets,
    origin,
    basePath,
    scopes: resolveScopes(options.scopes, oidc),
    oidc,
    session: resolveSession(options.session, options.redis !== undefined),
    authOrigin,
    apiOrigin,
    adminKey: pick(options.adminKey, env.KAKAO_ADMIN_KEY),
    appId: pick(options.appId, env.KAKAO_APP_ID),
    timeout: wholeNumber("timeout", options.timeout, "milliseconds", 10_000),
    // With redis, revocations are shared (and pushed) through it unless the app brought its own store.
    revocationStore:
      options.revocationStore ?? (redis === undefined ? undefined : redisRevocationStore(redis as RedisLike)),
    redis,
    revocationPollInterval: wholeNumber("revocationPollInterval", options.revocationPollInterval, "seconds", 5),
    profile: options.profile,
    onSignIn: options.onSignIn,
    onSignOut: options.onSignOut,
    onUnlink: options.onUnlink,
    authjs: options.authjs ?? {},
    clients: resolveClientOptions(options, { clientId, origin, appId: pick(options.appId, env.KAKAO_APP_ID) }),
  };

  if (!clientSecret)
    warnOnce(
      "no-client-secret",
      "no client secret is set (option clientSecret or env AUTH_KAKAO_SECRET). That only works while " +
        "Client Secret is switched off in the Kakao console (Kakao Login → Security / 보안); otherwise logins fail with KOE010.",
    );
  if (origin && origin.startsWith("http:") && env.NODE_ENV === "production" && !isLocalhost(origin))
    warnOnce(
      "http-baseurl",
      `baseURL ${origin} is plain http in production: session cookies travel unencrypted. Use https.`,
    );
  log.config(
    "clientId=%s basePath=%s origin=%s oidc=%s store=%s",
    clientId,
    basePath,
    origin ?? "(per request)",
    oidc,
    resolved.session.store,
  );
  return resolved;
}
