import type { KakaoAuthError } from "../errors.js";

/** KOE codes the error page explains by name; others show as a general callback failure. */
const KOE_PAGES = new Set(["KOE006", "KOE010", "KOE101", "KOE205", "KOE303", "KOE320", "KOE322"]);

/**
 * The stable reason a failed attempt is reported with (`?error=` of the error page), from the
 * failure recorded during the attempt or Auth.js's error type. Branches on codes, not classes.
 */
export function errorCodeFor(err: KakaoAuthError | undefined, authjsType: string | undefined): string {
  const koe = (err as { koe?: unknown } | undefined)?.koe;
  switch (err?.code) {
    case "ERR_KAKAO_OAUTH":
      return typeof koe === "string" && KOE_PAGES.has(koe) ? koe : "callback";
    case "ERR_KAKAO_UNAVAILABLE":
      return "kakao_unavailable";
    case "ERR_KAKAO_ID_TOKEN":
      return "id_token";
    case "ERR_KAKAO_SIGN_IN_HOOK":
      return "signin";
    case undefined:
      break;
    default:
      return "profile";
  }
  if (authjsType === "InvalidCheck") return "state";
  if (authjsType === "AccessDenied") return "refused";
  return "callback";
}
