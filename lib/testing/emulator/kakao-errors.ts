import type { ServerResponse } from "node:http";
import { sendKapiError, sendKauthError } from "./http.js";

interface KoeSpec {
  status: number;
  error: string;
  description: (arg: string) => string;
  /** Title of the KOE HTML page when the code is shown on authorize. */
  title: string;
}

const ADMIN = "앱 관리자 설정 오류";
const BAD = "잘못된 요청";

/**
 * kauth error codes as the emulator answers them (kakao-api.md §2.6, §3.6). Statuses and descriptions
 * marked unconfirmed in the reference are best guesses.
 */
export const KOE: Record<string, KoeSpec> = {
  KOE003: { status: 400, error: "server_error", description: () => "temporary server error", title: BAD },
  KOE006: {
    status: 400,
    error: "invalid_request",
    description: (u) => `redirect_uri is not registered: ${u}`,
    title: ADMIN,
  },
  KOE007: {
    status: 400,
    error: "invalid_request",
    description: (u) => `logout_redirect_uri is not registered: ${u}`,
    title: ADMIN,
  },
  KOE009: {
    status: 400,
    error: "misconfigured",
    description: () => "invalid android_key_hash or ios_bundle_id or web_site_url",
    title: ADMIN,
  },
  KOE010: { status: 401, error: "invalid_client", description: () => "Bad client credentials", title: ADMIN },
  KOE101: { status: 401, error: "invalid_client", description: (id) => `Not exist client_id [${id}]`, title: ADMIN },
  KOE201: { status: 400, error: "invalid_request", description: (t) => `Unsupported response type: ${t}`, title: BAD },
  KOE202: { status: 400, error: "invalid_request", description: () => "Implicit grant is not supported", title: BAD },
  KOE205: { status: 400, error: "invalid_scope", description: (s) => `Invalid scope: ${s}`, title: BAD },
  KOE237: { status: 400, error: "invalid_request", description: () => "token request rate limit exceeded", title: BAD },
  KOE303: { status: 400, error: "invalid_grant", description: () => "Redirect URI mismatch.", title: BAD },
  /** Emulator's choice (Kakao's real code for a PKCE failure is unconfirmed). */
  KOE314: { status: 400, error: "invalid_grant", description: (d) => d || "invalid code_verifier", title: BAD },
  KOE310: {
    status: 400,
    error: "unsupported_grant_type",
    description: (g) => `unsupported grant_type: ${g}`,
    title: BAD,
  },
  KOE319: { status: 400, error: "invalid_grant", description: () => "refresh_token is required", title: BAD },
  KOE320: {
    status: 400,
    error: "invalid_grant",
    description: (c) => `authorization code not found for code=${c}`,
    title: BAD,
  },
  KOE400: { status: 400, error: "invalid_token", description: () => "invalid id_token", title: BAD },
  KOE322: { status: 400, error: "invalid_grant", description: () => "expired_or_invalid_refresh_token", title: BAD },
};

export function koeSpec(koe: string): KoeSpec {
  return KOE[koe] ?? { status: 400, error: "invalid_request", description: () => `emulated ${koe}`, title: BAD };
}

/** Sends a kauth JSON error for a KOE code. */
export function sendKoe(res: ServerResponse, koe: string, arg = "", status?: number): void {
  const spec = koeSpec(koe);
  sendKauthError(res, status ?? spec.status, spec.error, spec.description(arg), koe);
}

const KAPI: Record<number, { status: number; msg: string }> = {
  [-1]: { status: 400, msg: "internal error." },
  [-2]: { status: 400, msg: "invalid parameter." },
  [-3]: { status: 403, msg: "disabled feature." },
  [-5]: { status: 403, msg: "permission denied" },
  [-10]: { status: 400, msg: "API limit has been exceeded." },
  [-101]: { status: 400, msg: "NotRegisteredUserException" },
  [-401]: { status: 401, msg: "this access token does not exist" },
  [-402]: { status: 403, msg: "insufficient scopes." },
  [-9798]: { status: 503, msg: "service is under maintenance." },
};

/** Kakao's `api_type` for the -402 body, by path. */
export function apiType(path: string): string {
  const known: Record<string, string> = {
    "/v2/api/talk/memo/default/send": "TALK_MEMO_DEFAULT_SEND",
    "/v2/user/me": "USER_ME",
  };
  return (
    known[path] ??
    path
      .replace(/^\/v\d+\//, "")
      .replace(/\W+/g, "_")
      .toUpperCase()
  );
}

/** Sends a kapi error for a code; -402 carries `api_type`, `required_scopes`, `allowed_scopes`. */
export function sendKapi(
  res: ServerResponse,
  code: number,
  opts: { status?: number; msg?: string; path?: string; requiredScopes?: string[]; allowedScopes?: string[] } = {},
): void {
  const spec = KAPI[code] ?? { status: 400, msg: "emulated error" };
  const extra =
    code === -402
      ? {
          api_type: apiType(opts.path ?? ""),
          required_scopes: opts.requiredScopes ?? ["talk_message"],
          allowed_scopes: opts.allowedScopes ?? [],
        }
      : {};
  sendKapiError(res, opts.status ?? spec.status, code, opts.msg ?? spec.msg, extra);
}
