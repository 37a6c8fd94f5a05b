import { KakaoOAuthError, type KakaoErrorCode } from "../errors.js";

/** What to change for each KOE code (kakao-api.md §2.6, §3.6), in words a developer can act on. */
const FIXES: Record<string, (ctx: { redirectUri?: string; clientId?: string }) => string> = {
  KOE006: (c) =>
    `The redirect URI ${c.redirectUri ?? ""} is not registered. Register it exactly under Kakao Developers → your app → Kakao Login → Redirect URI (카카오 로그인 → Redirect URI).`,
  KOE010: () =>
    "Kakao rejected the client secret. Copy it from Kakao Login → Security (보안) → Client Secret into AUTH_KAKAO_SECRET, or switch Client Secret off there.",
  KOE101: (c) =>
    `Kakao does not know the app key ${c.clientId ?? ""}. Set AUTH_KAKAO_ID to the REST API key from App Keys (앱 키).`,
  KOE205: () =>
    "A requested consent item is not configured for the app. Enable it under Kakao Login → Consent Items (동의항목), or remove it from `scopes`.",
  KOE303: (c) =>
    `The redirect URI sent to the token endpoint (${c.redirectUri ?? "unknown"}) differs from the one used at authorization. Set baseURL (AUTH_URL) so both use the same origin, and register ${c.redirectUri ?? "it"} under Kakao Login → Redirect URI.`,
  KOE320: () =>
    "The authorization code was already used or has expired. Start the sign-in again (a double-submitted callback causes this).",
  KOE319: () => "The refresh request carried no refresh token. Sign in again.",
  KOE322: () => "The refresh token has expired or was replaced. The user must sign in again.",
  KOE237: () => "Kakao's per-user token rate limit was hit. Wait a few minutes before signing in again.",
  KOE003: () => "Kakao had a temporary error. Try again.",
};

interface KauthErrorBody {
  error?: unknown;
  error_description?: unknown;
  error_code?: unknown;
}

/** Builds the `KakaoOAuthError` for a failed `kauth` answer. The description is Kakao's, never ours. */
export function kakaoOAuthError(
  status: number | undefined,
  body: unknown,
  ctx: { redirectUri?: string; clientId?: string; code?: KakaoErrorCode; timedOut?: boolean } = {},
): KakaoOAuthError {
  const b = (typeof body === "object" && body !== null ? body : {}) as KauthErrorBody;
  const error = typeof b.error === "string" ? b.error : "server_error";
  const koe = typeof b.error_code === "string" && /^KOE\d{3}$/.test(b.error_code) ? b.error_code : undefined;
  const fix = koe && FIXES[koe] ? FIXES[koe](ctx) : undefined;
  const description =
    typeof b.error_description === "string"
      ? b.error_description.slice(0, 200).replace(/(code=)[^\s,\]]+/g, "$1…")
      : undefined;
  const head = `Kakao token endpoint answered ${status ?? "no response"}${koe ? ` ${koe}` : ""} (${error}${description ? `: ${description}` : ""}).`;
  return new KakaoOAuthError({
    error,
    message: fix ? `${head} ${fix}` : head,
    ...(status === undefined ? {} : { kakaoStatus: status }),
    ...(koe ? { koe } : {}),
    ...(ctx.code ? { code: ctx.code } : {}),
    ...(ctx.timedOut ? { timedOut: true } : {}),
  });
}

/**
 * "The refresh token is dead": Kakao's KOE322 (expired, replaced by rotation, revoked) or KOE319
 * (none sent), or a plain OAuth `invalid_grant` from a token endpoint that sends no KOE code. The
 * one predicate the refresh, `req.kakao` and `kakaoErrorHandler()` all use.
 */
export function isDeadRefreshAnswer(err: { koe?: string | undefined; error?: string; code?: string }): boolean {
  if (err.code === "ERR_KAKAO_REFRESH_TOKEN_DEAD") return true;
  return (
    err.code === "ERR_KAKAO_OAUTH" && (err.koe === "KOE322" || err.koe === "KOE319" || err.error === "invalid_grant")
  );
}
