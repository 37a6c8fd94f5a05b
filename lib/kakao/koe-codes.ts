/**
 * The KOE codes this package explains (kakao-api.md §2.6, §3.6), each written once: the fix a
 * developer reads in `KakaoOAuthError` messages and logs, and, for the codes a failed login can land
 * on the error page with, that page's title and text in Korean and English.
 */

/** What the error page shows for one code in one language. */
export interface PageText {
  title: string;
  text: (ctx: { redirectUri: string }) => string;
}

/** The error page's title and text, in each language the page speaks. */
export interface PageTexts {
  en: PageText;
  ko: PageText;
}

export interface KoeCode {
  /** What the developer changes, in words they can act on (KakaoOAuthError messages, logs). */
  fix: (ctx: { redirectUri?: string; clientId?: string }) => string;
  /** The error page for `?error=<KOE code>`; absent for codes that never end a login there. */
  page?: PageTexts;
}

export const KOE_CODES: Readonly<Record<string, KoeCode>> = {
  KOE006: {
    fix: (c) =>
      `The redirect URI ${c.redirectUri ?? ""} is not registered. Register it exactly under Kakao Developers → your app → Kakao Login → Redirect URI (카카오 로그인 → Redirect URI).`,
    page: {
      en: {
        title: "Redirect URI not registered (KOE006)",
        text: (c) => `Register ${c.redirectUri} under Kakao Developers → your app → Kakao Login → Redirect URI.`,
      },
      ko: {
        title: "등록되지 않은 Redirect URI (KOE006)",
        text: (c) =>
          `카카오 디벨로퍼스 → 내 애플리케이션 → 카카오 로그인 → Redirect URI에 ${c.redirectUri}를 등록하세요.`,
      },
    },
  },
  KOE010: {
    fix: () =>
      "Kakao rejected the client secret. Copy it from Kakao Login → Security (보안) → Client Secret into AUTH_KAKAO_SECRET, or switch Client Secret off there.",
    page: {
      en: {
        title: "Client secret rejected (KOE010)",
        text: () =>
          "The site's Kakao client secret is wrong or missing. The site owner must set AUTH_KAKAO_SECRET to the secret under Kakao Login → Security (보안).",
      },
      ko: {
        title: "클라이언트 시크릿 오류 (KOE010)",
        text: () =>
          "사이트의 카카오 Client Secret이 틀렸거나 없습니다. 사이트 운영자가 카카오 로그인 → 보안의 Client Secret을 AUTH_KAKAO_SECRET에 설정해야 합니다.",
      },
    },
  },
  KOE101: {
    fix: (c) =>
      `Kakao does not know the app key ${c.clientId ?? ""}. Set AUTH_KAKAO_ID to the REST API key from App Keys (앱 키).`,
    page: {
      en: {
        title: "Unknown app key (KOE101)",
        text: () =>
          "The site's Kakao REST API key is wrong. The site owner must set AUTH_KAKAO_ID to the REST API key under App Keys (앱 키).",
      },
      ko: {
        title: "알 수 없는 앱 키 (KOE101)",
        text: () =>
          "사이트의 카카오 REST API 키가 틀렸습니다. 사이트 운영자가 앱 키 메뉴의 REST API 키를 AUTH_KAKAO_ID에 설정해야 합니다.",
      },
    },
  },
  KOE205: {
    fix: () =>
      "A requested consent item is not configured for the app. Enable it under Kakao Login → Consent Items (동의항목), or remove it from `scopes`.",
    page: {
      en: {
        title: "Consent item not configured (KOE205)",
        text: () =>
          "A requested consent item is not enabled for this Kakao app. Enable it under Kakao Login → Consent Items (동의항목).",
      },
      ko: {
        title: "설정하지 않은 동의항목 (KOE205)",
        text: () => "요청한 동의항목이 이 카카오 앱에 설정되어 있지 않습니다. 카카오 로그인 → 동의항목에서 설정하세요.",
      },
    },
  },
  KOE303: {
    fix: (c) =>
      `The redirect URI sent to the token endpoint (${c.redirectUri ?? "unknown"}) differs from the one used at authorization. Set baseURL (AUTH_URL) so both use the same origin, and register ${c.redirectUri ?? "it"} under Kakao Login → Redirect URI.`,
    page: {
      en: {
        title: "Redirect URI mismatch (KOE303)",
        text: (c) =>
          `The redirect URI ${c.redirectUri} differs from the one used to start the login. Set baseURL (AUTH_URL) so the site always uses one origin, and register ${c.redirectUri} in the Kakao console.`,
      },
      ko: {
        title: "Redirect URI 불일치 (KOE303)",
        text: (c) =>
          `Redirect URI ${c.redirectUri}가 로그인을 시작할 때 쓴 것과 다릅니다. 사이트가 항상 한 오리진을 쓰도록 baseURL(AUTH_URL)을 설정하고, 카카오 디벨로퍼스에 ${c.redirectUri}를 등록하세요.`,
      },
    },
  },
  KOE320: {
    fix: () =>
      "The authorization code was already used or has expired. Start the sign-in again (a double-submitted callback causes this).",
    page: {
      en: {
        title: "Sign-in already used (KOE320)",
        text: () => "This sign-in link was already used or expired. Please sign in again.",
      },
      ko: {
        title: "이미 사용된 로그인 (KOE320)",
        text: () => "이 로그인 링크는 이미 사용되었거나 만료되었습니다. 다시 로그인해 주세요.",
      },
    },
  },
  KOE322: {
    fix: () => "The refresh token has expired or was replaced. The user must sign in again.",
    page: {
      en: { title: "Session expired (KOE322)", text: () => "Your Kakao session expired. Please sign in again." },
      ko: { title: "세션 만료 (KOE322)", text: () => "카카오 로그인 세션이 만료되었습니다. 다시 로그인해 주세요." },
    },
  },
  // Refresh and transient failures: they never end a login on the error page (no `page`).
  KOE319: { fix: () => "The refresh request carried no refresh token. Sign in again." },
  KOE237: { fix: () => "Kakao's per-user token rate limit was hit. Wait a few minutes before signing in again." },
  KOE003: { fix: () => "Kakao had a temporary error. Try again." },
};

/** The fix for a KOE code, or `undefined` for a code this package does not explain. */
export function koeFix(koe: string, ctx: { redirectUri?: string; clientId?: string }): string | undefined {
  return Object.hasOwn(KOE_CODES, koe) ? KOE_CODES[koe]!.fix(ctx) : undefined;
}

/** The error page texts for a KOE code, or `undefined` when the page does not explain it. */
export function koePage(koe: string): PageTexts | undefined {
  return Object.hasOwn(KOE_CODES, koe) ? KOE_CODES[koe]!.page : undefined;
}
