import { KakaoOAuthError, type KakaoErrorCode } from "../errors.js";
import { koeFix } from "./koe-codes.js";

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
  // The fix for each KOE code is written once, in koe-codes.ts (the error page reads the same table).
  const fix = koe ? koeFix(koe, ctx) : undefined;
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
