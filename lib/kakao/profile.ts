import type { KakaoTokenSet, KakaoUser } from "../types.js";

/** `kakao_account.profile` of `/v2/user/me` (kakao-api.md §4.2). */
export interface KakaoAccountProfile {
  /** Needs the `profile_nickname` (or legacy `profile`) consent item. */
  nickname?: string;
  /** 110×110 or 100×100; `http://` unless `secure_resource=true`. */
  thumbnail_image_url?: string;
  /** 640×640 or 480×480. */
  profile_image_url?: string;
  /** `true` when the user has no picture and Kakao's default avatar is shown. */
  is_default_image?: boolean;
  /** `true` when the nickname is Kakao's default one. */
  is_default_nickname?: boolean;
}

/** `kakao_account` of `/v2/user/me`: each value only when configured, agreed and present. */
export interface KakaoAccount {
  /** Legacy combined `profile` item (apps created before 2021-06-25). */
  profile_needs_agreement?: boolean;
  profile_nickname_needs_agreement?: boolean;
  profile_image_needs_agreement?: boolean;
  profile?: KakaoAccountProfile;
  name_needs_agreement?: boolean;
  /** Kakao Account name (`name` consent item). */
  name?: string;
  email_needs_agreement?: boolean;
  /** `false` when the address now belongs to another Kakao Account. */
  is_email_valid?: boolean;
  is_email_verified?: boolean;
  /** Trust only when `is_email_valid && is_email_verified`. */
  email?: string;
  age_range_needs_agreement?: boolean;
  /** e.g. `"20~29"` (tilde, not hyphen). */
  age_range?: string;
  birthyear_needs_agreement?: boolean;
  /** `YYYY`. */
  birthyear?: string;
  birthday_needs_agreement?: boolean;
  /** `MMDD`. */
  birthday?: string;
  /** `SOLAR` or `LUNAR`. */
  birthday_type?: "SOLAR" | "LUNAR";
  /** Lunar leap month. */
  is_leap_month?: boolean;
  gender_needs_agreement?: boolean;
  gender?: "female" | "male";
  phone_number_needs_agreement?: boolean;
  /** e.g. `+82 10-1234-5678`. */
  phone_number?: string;
  ci_needs_agreement?: boolean;
  /** Connecting information (partner permission). */
  ci?: string;
  ci_authenticated_at?: string;
  legal_name_needs_agreement?: boolean;
  legal_name?: string;
  legal_birth_date_needs_agreement?: boolean;
  /** `yyyyMMDD`. */
  legal_birth_date?: string;
  legal_gender_needs_agreement?: boolean;
  legal_gender?: string;
  is_korean_needs_agreement?: boolean;
  is_korean?: boolean;
  /** Deprecated "has value" flags Kakao still sends. */
  has_email?: boolean;
  has_age_range?: boolean;
  has_gender?: boolean;
  has_birthday?: boolean;
  has_phone_number?: boolean;
}

/** The `/v2/user/me` response, with the id as an exact decimal string. */
export interface KakaoProfile {
  /** 회원번호: Kakao sends a JSON number that can exceed 2^53; kept here as an exact decimal string. */
  id: string;
  /** Only for apps with auto-link off: `false` = preregistered. */
  has_signed_up?: boolean;
  /** RFC 3339, e.g. `2022-04-11T01:45:28Z`. */
  connected_at?: string;
  /** Kakao Sync simple-signup login time. */
  synched_at?: string;
  /** Custom user properties (plus legacy `nickname`, `profile_image`, `thumbnail_image`). */
  properties?: Record<string, string>;
  kakao_account?: KakaoAccount;
  /** With `talk_message` permission. */
  for_partner?: { uuid?: string };
  /** Group apps only. */
  group_user_token?: string;
}

/**
 * Parses a `/v2/user/me` body keeping the top-level integer `id` exact: `JSON.parse` alone rounds
 * ids past 2^53 (kakao-api.md §10.1), so the digits are quoted before parsing.
 */
export function parseKakaoProfileJSON(text: string): unknown {
  return JSON.parse(quoteTopLevelId(text));
}

function quoteTopLevelId(text: string): string {
  let depth = 0;
  let inString = false;
  let lastString = "";
  let stringStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') {
        inString = false;
        lastString = text.slice(stringStart + 1, i);
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
    else if (c === ":" && depth === 1 && lastString === "id") {
      const m = /^\s*(-?\d+)(?=\s*[,}])/.exec(text.slice(i + 1));
      if (m?.[1]) {
        const start = i + 1 + m[0].length - m[1].length;
        return `${text.slice(0, start)}"${m[1]}"${text.slice(start + m[1].length)}`;
      }
      return text;
    } else if (c === ",") lastString = "";
  }
  return text;
}

/** Validates the parsed profile: a Kakao profile must carry a numeric id. */
export function toKakaoProfile(value: unknown): KakaoProfile {
  if (typeof value !== "object" || value === null) throw new TypeError("Kakao profile is not an object");
  const id = (value as { id?: unknown }).id;
  if (typeof id !== "string" || !/^\d{1,20}$/.test(id)) throw new TypeError("Kakao profile has no valid id");
  return value as KakaoProfile;
}

/** Splits Kakao's scope strings: space-separated in token responses, commas elsewhere (§2.2). */
export function splitScopes(scope: string | undefined | null): string[] {
  if (!scope) return [];
  return [...new Set(scope.split(/[\s,+]+/).filter(Boolean))];
}

/** The default mapping from Kakao's profile to `req.kakaoUser`. */
export function defaultKakaoUser(profile: KakaoProfile, tokens: KakaoTokenSet, authTime: number): KakaoUser {
  const account = profile.kakao_account;
  const verified = account?.is_email_valid === true && account.is_email_verified === true && !!account.email;
  const user: KakaoUser = {
    id: profile.id,
    emailVerified: verified,
    scopes: splitScopes(tokens.scope),
    authTime,
  };
  const nickname = account?.profile?.nickname ?? profile.properties?.nickname;
  const image = account?.profile?.profile_image_url ?? profile.properties?.profile_image;
  const thumb = account?.profile?.thumbnail_image_url ?? profile.properties?.thumbnail_image;
  if (nickname) user.nickname = nickname;
  if (image) user.profileImage = image;
  if (thumb) user.thumbnailImage = thumb;
  if (verified) user.email = account.email;
  return user;
}
