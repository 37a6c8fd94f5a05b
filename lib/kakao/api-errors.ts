import { KakaoApiError } from "../errors.js";

/** A call to Kakao that got no answer (timeout, network): `KakaoApiError` with kakaoCode 0. */
export function kakaoUnreachable(err: unknown, path: string, timeout: number): KakaoApiError {
  const timedOut = (err as Error).name === "TimeoutError";
  return new KakaoApiError({
    kakaoCode: 0,
    kakaoStatus: 0,
    timedOut,
    message: `Request to Kakao ${path} ${timedOut ? `timed out after ${timeout} ms` : "failed"}.`,
  });
}

/** Maps a failed `kapi` answer (`{ code, msg, required_scopes }`, kakao-api.md §1.2) to `KakaoApiError`. */
export function kakaoApiErrorFrom(status: number, text: string, path: string): KakaoApiError {
  let body: { code?: unknown; msg?: unknown; required_scopes?: unknown } = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === "object" && parsed !== null) body = parsed;
  } catch {
    // not JSON: keep the status only
  }
  const kakaoCode = typeof body.code === "number" ? body.code : status === 401 ? -401 : -1;
  const msg = typeof body.msg === "string" ? body.msg.slice(0, 200) : `HTTP ${status}`;
  const requiredScopes = Array.isArray(body.required_scopes)
    ? body.required_scopes.filter((s): s is string => typeof s === "string")
    : [];
  const advice =
    kakaoCode === -401
      ? " The access token is invalid or expired: refresh it or sign in again."
      : kakaoCode === -402
        ? ` The user has not agreed to: ${requiredScopes.join(", ") || "a required consent item"}; ask with additional consent.`
        : "";
  return new KakaoApiError({
    kakaoCode,
    kakaoStatus: status,
    message: `Kakao API ${path} answered ${status} (${kakaoCode}: ${msg}).${advice}`,
    requiredScopes,
  });
}
