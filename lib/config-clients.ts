import { fail, kindOf } from "./config-errors.js";
import type { KakaoAuthOptions } from "./types.js";

/** The options for SPAs on other origins and mobile apps with Kakao's SDK, validated. */
export interface ResolvedClientOptions {
  /** Exact origins (`https://app.example.com`) that `returnTo` may name and whose `Origin` is trusted. */
  allowedOrigins: readonly string[];
  cookie: { domain: string | undefined; sameSite: "lax" | "strict" | "none" };
  /** `POST {basePath}/token/kakao`, when set: the app keys an SDK id_token may be issued to. */
  tokenExchange: { audiences: readonly string[] } | undefined;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function resolveAllowedOrigins(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value))
    fail(
      "allowedOrigins",
      undefined,
      `is ${kindOf(value)}, not an array of origins`,
      'E.g. allowedOrigins: ["https://app.example.com"].',
    );
  return (value as unknown[]).map((v) => {
    if (typeof v !== "string")
      fail("allowedOrigins", undefined, `has ${kindOf(v)}, not an origin string`, 'E.g. "https://app.example.com".');
    if (v === "*" || v.includes("*"))
      fail(
        "allowedOrigins",
        undefined,
        `has "${v}": wildcards would let any site receive users after sign-in`,
        'List each origin exactly, e.g. "https://app.example.com".',
      );
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      fail(
        "allowedOrigins",
        undefined,
        `has "${v}", which is not an absolute URL`,
        'Use an origin such as "https://app.example.com".',
      );
    }
    if ((url.protocol !== "https:" && url.protocol !== "http:") || url.origin !== v.replace(/\/$/, ""))
      fail(
        "allowedOrigins",
        undefined,
        `has "${v}", which is not a bare http(s) origin`,
        `Use "${url.protocol === "https:" || url.protocol === "http:" ? url.origin : "https://app.example.com"}" (scheme, host and port only).`,
      );
    return url.origin;
  });
}

function resolveCookie(value: unknown, origin: string | undefined): ResolvedClientOptions["cookie"] {
  if (value === undefined) return { domain: undefined, sameSite: "lax" };
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(
      "cookie",
      undefined,
      `is ${kindOf(value)}, not an object`,
      'E.g. cookie: { domain: "example.com", sameSite: "lax" }.',
    );
  const { domain, sameSite = "lax", ...rest } = value as { domain?: unknown; sameSite?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown)
    fail(`cookie.${unknown}`, undefined, "is not a cookie option", "Known cookie options: domain, sameSite.");
  if (domain !== undefined && (typeof domain !== "string" || !HOSTNAME.test(domain.replace(/^\./, ""))))
    fail(
      "cookie.domain",
      undefined,
      "is not a host name",
      'Use the parent domain the app and API share, e.g. "example.com".',
    );
  if (sameSite !== "lax" && sameSite !== "strict" && sameSite !== "none")
    fail("cookie.sameSite", undefined, `is ${JSON.stringify(sameSite)}`, 'Use "lax" (default), "strict" or "none".');
  // Browsers drop SameSite=None cookies that are not Secure, and a cross-site cookie over http is
  // readable on the way: "none" needs a known https origin.
  if (sameSite === "none" && !origin?.startsWith("https:"))
    fail(
      "cookie.sameSite",
      undefined,
      'is "none", which needs an https baseURL (AUTH_URL)',
      'Set baseURL to your https origin, or keep sameSite "lax" and put the SPA and API on one site (app.example.com, api.example.com).',
    );
  return { domain: typeof domain === "string" ? domain.replace(/^\./, "") : undefined, sameSite };
}

function resolveTokenExchange(
  value: unknown,
  ctx: { clientId: string; appId: string | undefined },
): ResolvedClientOptions["tokenExchange"] {
  if (value === undefined || value === false) return undefined;
  const given = value === true ? {} : value;
  if (typeof given !== "object" || given === null || Array.isArray(given))
    fail(
      "tokenExchange",
      undefined,
      `is ${kindOf(value)}, not true or an object`,
      "E.g. tokenExchange: { audiences: [restKey, nativeAppKey] }.",
    );
  const { audiences, ...rest } = given as { audiences?: unknown };
  const unknown = Object.keys(rest)[0];
  if (unknown) fail(`tokenExchange.${unknown}`, undefined, "is not a tokenExchange option", "Known: audiences.");
  if (
    audiences !== undefined &&
    (!Array.isArray(audiences) || audiences.some((a) => typeof a !== "string" || a === ""))
  )
    fail(
      "tokenExchange.audiences",
      undefined,
      "is not an array of app keys",
      "List the app's REST API, JavaScript and native app keys an SDK id_token may be issued to.",
    );
  // An access token is only ours when Kakao says it was issued to this app (the substitution attack).
  if (!ctx.appId)
    fail(
      "tokenExchange",
      "KAKAO_APP_ID",
      "needs appId, to refuse access tokens Kakao issued to another app",
      "Set appId (env KAKAO_APP_ID) to the app ID on the console's Summary (요약정보) tab.",
    );
  return { audiences: [...new Set([ctx.clientId, ...((audiences as string[] | undefined) ?? [])])] };
}

/** Validates `allowedOrigins`, `cookie` and `tokenExchange` once, at construction. */
export function resolveClientOptions(
  options: KakaoAuthOptions,
  ctx: { clientId: string; origin: string | undefined; appId: string | undefined },
): ResolvedClientOptions {
  return {
    allowedOrigins: resolveAllowedOrigins(options.allowedOrigins),
    cookie: resolveCookie(options.cookie, ctx.origin),
    tokenExchange: resolveTokenExchange(options.tokenExchange, ctx),
  };
}
