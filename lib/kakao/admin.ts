import { KakaoAuthConfigError } from "../errors.js";
import { timedFetch } from "../http/timed-fetch.js";
import { log } from "../log.js";
import { kakaoApiErrorFrom, kakaoUnreachable } from "./api-errors.js";
import { parseKakaoProfileJSON, toKakaoProfile, type KakaoProfile } from "./profile.js";

/** Options of `kakaoAdmin()`; each falls back like `kakaoAuth()`'s. */
export interface KakaoAdminOptions {
  /** The app's admin key. Env `KAKAO_ADMIN_KEY`. Never logged, never in an error. */
  adminKey?: string;
  /** Kakao API server. Env `KAKAO_API_ORIGIN`. @default "https://kapi.kakao.com" */
  apiOrigin?: string;
  /** Milliseconds per call. @default 10000 */
  timeout?: number;
}

/** Kakao's admin-key APIs for one user, for when the user's own tokens are gone (withdrawal, support). */
export interface KakaoAdmin {
  /** `/v2/user/me` for this user (exact id). */
  user(userId: string): Promise<KakaoProfile>;
  /** `/v1/user/logout`: expires every token of the user for this app. */
  logout(userId: string): Promise<void>;
  /** `/v1/user/unlink`: unlinks the user from the app (Kakao's withdrawal). */
  unlink(userId: string): Promise<void>;
}

function checkUserId(method: string, userId: unknown): string {
  if (typeof userId !== "string" || !/^\d{1,20}$/.test(userId))
    throw new TypeError(`kakaoAdmin().${method}(userId): userId must be a Kakao user id as a decimal string`);
  return userId;
}

/**
 * Kakao's `KakaoAK <admin key>` APIs with `target_id_type=user_id` (kakao-api.md §5). Errors are
 * `KakaoApiError`s mapped like `req.kakao.api()`'s; the admin key appears in no message or log.
 * @example const admin = kakaoAdmin(); await admin.unlink("1376016924429759228");
 */
export function kakaoAdmin(options: KakaoAdminOptions = {}): KakaoAdmin {
  const adminKey = (options.adminKey ?? process.env.KAKAO_ADMIN_KEY ?? "").trim();
  if (!adminKey)
    throw new KakaoAuthConfigError(
      "adminKey",
      'kakaoAdmin: option "adminKey" (or env KAKAO_ADMIN_KEY) is not set. Copy the Admin key from App Keys (앱 키) in the Kakao console.',
    );
  const apiOrigin = (options.apiOrigin ?? process.env.KAKAO_API_ORIGIN ?? "https://kapi.kakao.com").replace(/\/+$/, "");
  const timeout = options.timeout ?? 10_000;
  if (!Number.isInteger(timeout) || timeout <= 0)
    throw new KakaoAuthConfigError(
      "timeout",
      'kakaoAdmin: option "timeout" must be a positive number of milliseconds, e.g. 10000.',
    );
  const fetchKakao = timedFetch(timeout);

  async function call(path: string, userId: string, method: "GET" | "POST"): Promise<string> {
    const body = new URLSearchParams({ target_id_type: "user_id", target_id: userId });
    const url = method === "GET" ? `${apiOrigin}${path}?${body}` : `${apiOrigin}${path}`;
    let res: Response;
    try {
      res = await fetchKakao(url, {
        method,
        headers: {
          authorization: `KakaoAK ${adminKey}`,
          ...(method === "POST" ? { "content-type": "application/x-www-form-urlencoded;charset=utf-8" } : {}),
        },
        ...(method === "POST" ? { body } : {}),
      });
    } catch (err) {
      throw kakaoUnreachable(err, path, timeout);
    }
    const text = await res.text();
    if (!res.ok) throw kakaoApiErrorFrom(res.status, text, path);
    log.api("admin %s for user %s: %s", path, userId, res.status);
    return text;
  }

  return {
    async user(userId) {
      const text = await call("/v2/user/me", checkUserId("user", userId), "GET");
      return toKakaoProfile(parseKakaoProfileJSON(text));
    },
    async logout(userId) {
      await call("/v1/user/logout", checkUserId("logout", userId), "POST");
    },
    async unlink(userId) {
      await call("/v1/user/unlink", checkUserId("unlink", userId), "POST");
    },
  };
}
