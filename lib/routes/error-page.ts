import type { Request, Response } from "express";
import { koePage, type PageTexts } from "../kakao/koe-codes.js";

type Language = keyof PageTexts;

/**
 * The codes the error page explains besides KOE codes (lib/authjs/error-codes.ts and the callback
 * route produce them); anything else in `?error=` shows the generic text and is never echoed.
 */
const MESSAGES: Readonly<Record<string, PageTexts>> = {
  access_denied: {
    en: { title: "Sign-in cancelled", text: () => "You cancelled Kakao login. Nothing was shared with this site." },
    ko: { title: "로그인 취소", text: () => "카카오 로그인을 취소했습니다. 이 사이트에 공유된 정보는 없습니다." },
  },
  // Kakao refused the request itself (kakao-api.md §2.5: only "User denied access" is the user's
  // Cancel), so the page must not tell the user they cancelled.
  kakao_refused: {
    en: {
      title: "Kakao refused the sign-in",
      text: () =>
        "Kakao refused this sign-in request, for example because no consent item could be asked for or because of the site's Kakao app settings. You did nothing wrong. The site owner can find the reason in the server logs.",
    },
    ko: {
      title: "카카오가 로그인을 거부함",
      text: () =>
        "카카오가 이 로그인 요청을 거부했습니다. 예를 들어 요청할 수 있는 동의항목이 없거나 사이트의 카카오 앱 설정 때문일 수 있습니다. 사용자의 잘못이 아닙니다. 사이트 운영자는 서버 로그에서 원인을 확인할 수 있습니다.",
    },
  },
  consent_required: {
    en: {
      title: "Consent needed",
      text: () => "Kakao needs your consent before signing you in. Try signing in again.",
    },
    ko: { title: "동의 필요", text: () => "로그인하려면 카카오에서 동의가 필요합니다. 다시 로그인해 주세요." },
  },
  login_required: {
    en: { title: "Sign-in needed", text: () => "Kakao needs you to sign in. Try again." },
    ko: { title: "로그인 필요", text: () => "카카오 로그인이 필요합니다. 다시 시도해 주세요." },
  },
  state: {
    en: {
      title: "Sign-in expired",
      text: () =>
        "This sign-in attempt is no longer valid (it expired, was already used, or started in another browser). Please sign in again.",
    },
    ko: {
      title: "로그인 시도 만료",
      text: () =>
        "이 로그인 시도는 더 이상 유효하지 않습니다(만료되었거나, 이미 사용되었거나, 다른 브라우저에서 시작됨). 다시 로그인해 주세요.",
    },
  },
  signin: {
    en: {
      title: "Sign-in could not be completed",
      text: () =>
        "Kakao signed you in, but this site could not finish setting up your account, so you are not signed in. Please try again in a moment.",
    },
    ko: {
      title: "로그인을 마치지 못함",
      text: () =>
        "카카오 로그인은 되었지만 이 사이트가 계정 준비를 마치지 못해 로그인되지 않았습니다. 잠시 후 다시 시도해 주세요.",
    },
  },
  refused: {
    en: { title: "Access refused", text: () => "This site does not allow your account to sign in." },
    ko: { title: "접근 거부", text: () => "이 사이트는 이 계정의 로그인을 허용하지 않습니다." },
  },
  id_token: {
    en: {
      title: "Sign-in could not be verified",
      text: () => "Kakao's identity token failed verification. Please try again.",
    },
    ko: { title: "로그인 확인 실패", text: () => "카카오 ID 토큰 검증에 실패했습니다. 다시 시도해 주세요." },
  },
  profile: {
    en: { title: "Profile unavailable", text: () => "Kakao did not return a usable profile. Please try again." },
    ko: {
      title: "프로필을 받을 수 없음",
      text: () => "카카오에서 사용할 수 있는 프로필을 받지 못했습니다. 다시 시도해 주세요.",
    },
  },
  kakao_unavailable: {
    en: { title: "Kakao is unavailable", text: () => "Kakao did not answer in time. Please try again in a moment." },
    ko: { title: "카카오 응답 없음", text: () => "카카오가 제때 응답하지 않았습니다. 잠시 후 다시 시도해 주세요." },
  },
  Configuration: {
    en: {
      title: "Configuration problem",
      text: () =>
        "The site's Kakao login is misconfigured. The site owner can find details in the server logs (DEBUG=express-kakao-auth:*).",
    },
    ko: {
      title: "설정 문제",
      text: () =>
        "이 사이트의 카카오 로그인 설정에 문제가 있습니다. 사이트 운영자는 서버 로그(DEBUG=express-kakao-auth:*)에서 자세한 내용을 확인할 수 있습니다.",
    },
  },
};

/** Any failure without a more precise code (`callback`, or a code the page does not know). */
const GENERIC: PageTexts = {
  en: { title: "Sign-in failed", text: () => "Kakao login could not be completed. Please try again." },
  ko: { title: "로그인 실패", text: () => "카카오 로그인을 완료하지 못했습니다. 다시 시도해 주세요." },
};

const CHROME: Readonly<Record<Language, { again: string; home: string; code: string }>> = {
  en: { again: "Sign in with Kakao again", home: "Home", code: "Error code" },
  ko: { again: "카카오로 다시 로그인", home: "홈", code: "오류 코드" },
};

/** The page texts for a code, when the page explains it (a KOE code from the one KOE table). */
function pageFor(code: string): PageTexts | undefined {
  if (code === "callback") return GENERIC;
  return Object.hasOwn(MESSAGES, code) ? MESSAGES[code] : koePage(code);
}

/**
 * Korean when `Accept-Language` prefers it, English otherwise (no header, `*`, other languages).
 * `req.acceptsLanguages` is Express's (the `negotiator` package): q-values, then header order.
 */
function pageLanguage(req: Request): Language {
  return req.acceptsLanguages("en", "ko") === "ko" ? "ko" : "en";
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** A readable error page: no stack, no secret, nothing from the query echoed but a known code. */
export function sendErrorPage(
  req: Request,
  res: Response,
  code: string | undefined,
  ctx: { redirectUri: string; signInUrl: string },
): void {
  const lang = pageLanguage(req);
  const texts = code === undefined ? undefined : pageFor(code);
  const entry = (texts ?? GENERIC)[lang];
  const chrome = CHROME[lang];
  const shownCode =
    texts && code !== undefined ? `<p><small>${chrome.code}: <code>${escapeHtml(code)}</code></small></p>` : "";
  const html = `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(entry.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#191919}a.button{display:inline-block;background:#FEE500;color:#191919;padding:.6rem 1rem;border-radius:.4rem;text-decoration:none;font-weight:600}code{background:#f4f4f4;padding:0 .2rem}</style>
</head><body><h1>${escapeHtml(entry.title)}</h1><p>${escapeHtml(entry.text(ctx))}</p>${shownCode}
<p><a class="button" href="${escapeHtml(ctx.signInUrl)}">${chrome.again}</a> <a href="/">${chrome.home}</a></p></body></html>`;
  res
    .status(400)
    .set({
      "content-type": "text/html; charset=utf-8",
      "cache-control": "no-store",
      "referrer-policy": "no-referrer",
      vary: "Accept-Language",
    })
    .send(html);
}
