import { isKakaoAuthError } from "./errors.js";
import { liveInstances } from "./instance.js";
import { kakaoAdmin, type KakaoAdmin } from "./kakao/admin.js";
import { log } from "./log.js";
import { revokeKakaoUser } from "./session/revocation.js";

/** What `withdrawKakaoUser()` did, and what is left to retry. */
export interface WithdrawResult {
  userId: string;
  /** Every session of the user is refused from now on (done first, whatever Kakao answers). */
  sessionsRevoked: true;
  /** `"unlinked"` now, `"already"` (Kakao says the user is not linked), or `"failed"` (retry). */
  kakao: "unlinked" | "already" | "failed";
  /** `onUnlink`: `"ran"`, `"skipped"` (this user was withdrawn here before), `"none"`, or `"failed"`. */
  onUnlink: "ran" | "skipped" | "none" | "failed";
  /** Set when something must be retried: what, in words. */
  retry?: string;
}

/** Users withdrawn in this process lately: a repeat, or Kakao's webhook afterwards, runs no hook twice. */
const withdrawn = new Map<string, number>();
const REMEMBER_MS = 24 * 60 * 60 * 1000;

/** Whether `withdrawKakaoUser()` already ran `onUnlink` for this user lately (the unlink webhook asks). */
export function recentlyWithdrawn(userId: string, now = Date.now()): boolean {
  const at = withdrawn.get(userId);
  return at !== undefined && now - at < REMEMBER_MS;
}

/**
 * A user's withdrawal (회원 탈퇴), also when their Kakao tokens are gone: every session of the user
 * is refused at once, the user is unlinked at Kakao with the admin key, and `onUnlink` runs.
 * Idempotent: a repeat, or Kakao's unlink webhook arriving afterwards, succeeds quietly. When Kakao
 * fails, the sessions stay revoked and the result says to retry.
 * Uses the admin key and `onUnlink` of the `kakaoAuth()` in this process (or `options.admin`).
 */
export async function withdrawKakaoUser(userId: string, options: { admin?: KakaoAdmin } = {}): Promise<WithdrawResult> {
  if (typeof userId !== "string" || !/^\d{1,20}$/.test(userId))
    throw new TypeError("withdrawKakaoUser(userId): userId must be a Kakao user id as a decimal string");
  await revokeKakaoUser(userId);
  const instance = liveInstances().find((i) => i.config.adminKey) ?? liveInstances()[0];
  const admin =
    options.admin ??
    kakaoAdmin({
      ...(instance?.config.adminKey ? { adminKey: instance.config.adminKey } : {}),
      ...(instance ? { apiOrigin: instance.config.apiOrigin, timeout: instance.config.timeout } : {}),
    });
  const result: WithdrawResult = { userId, sessionsRevoked: true, kakao: "unlinked", onUnlink: "none" };
  try {
    await admin.unlink(userId);
  } catch (err) {
    // -101: not linked to the app (already unlinked, by us or by the user in Kakao).
    if (isKakaoAuthError(err) && (err as { kakaoCode?: unknown }).kakaoCode === -101) result.kakao = "already";
    else {
      log.api("withdrawal: Kakao unlink failed for user %s: %s", userId, (err as Error).message);
      return {
        ...result,
        kakao: "failed",
        retry: `Kakao did not unlink the user (${(err as Error).message}). Call withdrawKakaoUser again.`,
      };
    }
  }
  const onUnlink = instance?.config.onUnlink;
  if (!onUnlink) return result;
  if (recentlyWithdrawn(userId)) return { ...result, onUnlink: "skipped" };
  try {
    await onUnlink({ userId, referrerType: "WITHDRAW" });
    withdrawn.set(userId, Date.now());
    if (withdrawn.size > 100_000) withdrawn.clear();
    return { ...result, onUnlink: "ran" };
  } catch (err) {
    log.api("withdrawal: onUnlink failed for user %s: %s", userId, (err as Error).message);
    return {
      ...result,
      onUnlink: "failed",
      retry: `onUnlink failed (${(err as Error).message}). Call withdrawKakaoUser again.`,
    };
  }
}
