/**
 * Every error this package throws carries a stable `code` from {@link KAKAO_ERROR_CODES}, so callers
 * branch on codes, not on messages or `instanceof` (an app that loads both the ESM and the CommonJS
 * build has two copies of each class). Messages say what to fix and never contain secrets or tokens.
 */
export const KAKAO_ERROR_CODES = {
  ERR_KAKAO_CONFIG: "A kakaoAuth() option is missing or malformed, or the package is mounted wrongly.",
  ERR_KAKAO_OAUTH: "Kakao's auth server (kauth) refused a request; `koe` holds its KOE code when it sent one.",
  ERR_KAKAO_REFRESH_TOKEN_DEAD:
    "Kakao refused the session's refresh token (expired, replaced or revoked): sign in again.",
  ERR_KAKAO_REFRESH_RETRY:
    "A token refresh lost a race with another instance that refreshed the same session: retry the request.",
  ERR_KAKAO_UNAVAILABLE: "Kakao did not answer in time, could not be reached, or answered with a server error.",
  ERR_KAKAO_API: "A Kakao API (kapi) call failed; `kakaoCode` holds Kakao's negative code.",
  ERR_KAKAO_API_UNAUTHORIZED: "Kakao refused the access token (-401) even after a refresh.",
  ERR_KAKAO_API_INSUFFICIENT_SCOPE: "The user has not agreed to a consent item the API needs (-402): ask again.",
  ERR_KAKAO_API_PATH: 'req.kakao.api(path) needs a path that starts with "/".',
  ERR_KAKAO_NOT_SIGNED_IN: "No Kakao user is signed in on this request.",
  ERR_KAKAO_ID_TOKEN: "Kakao's id_token failed verification.",
  ERR_KAKAO_PROFILE: "Kakao's profile was unusable, or the profile option threw.",
  ERR_KAKAO_SIGN_IN_HOOK: "onSignIn threw, rejected, took longer than timeout, or returned another user.",
  ERR_KAKAO_SESSION_STORE: "The session store (e.g. Redis behind express-session) failed.",
} as const;

/** One of the stable codes above. */
export type KakaoErrorCode = keyof typeof KAKAO_ERROR_CODES;

/** Whether `err` is one of this package's errors (from either build), by its code. */
export function isKakaoAuthError(err: unknown): err is KakaoAuthError {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === "string" && Object.hasOwn(KAKAO_ERROR_CODES, code);
}

export class KakaoAuthError extends Error {
  /** Stable machine-readable code, e.g. `ERR_KAKAO_CONFIG`. */
  readonly code: KakaoErrorCode;
  /**
   * The HTTP status an app should answer with (what Express's final handler uses). Never Kakao's
   * own status, which is `kakaoStatus` on the subclasses that have one.
   */
  readonly status: number;

  constructor(code: KakaoErrorCode, message: string, options?: { cause?: unknown; status?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = options?.status ?? 500;
  }
}

/** A missing or malformed option, thrown by `kakaoAuth()` at construction time. */
export class KakaoAuthConfigError extends KakaoAuthError {
  /** The option at fault, e.g. `clientId`. */
  readonly option: string;

  constructor(option: string, message: string) {
    super("ERR_KAKAO_CONFIG", message);
    this.option = option;
  }
}

/** The answer an app should give for a Kakao failure of this kind (bad gateway, unavailable, timeout). */
function upstreamStatus(kakaoStatus: number | undefined, timedOut: boolean): number {
  if (timedOut) return 504;
  if (kakaoStatus === undefined || kakaoStatus === 0) return 503;
  return 502;
}

/** An error from Kakao's auth server (`kauth`), e.g. a KOE code from the token endpoint. */
export class KakaoOAuthError extends KakaoAuthError {
  /** Kakao's `error_code` (e.g. `KOE303`) when it sent one. */
  readonly koe: string | undefined;
  /** The OAuth `error` value (e.g. `invalid_grant`, `access_denied`). */
  readonly error: string;
  /** HTTP status of Kakao's answer; `undefined` when none came (timeout, network). */
  readonly kakaoStatus: number | undefined;

  constructor(
    init: {
      error: string;
      koe?: string;
      kakaoStatus?: number;
      message: string;
      code?: KakaoErrorCode;
      timedOut?: boolean;
    },
    options?: { cause?: unknown },
  ) {
    const unavailable = init.timedOut === true || init.error === "temporarily_unavailable";
    const code = init.code ?? (unavailable ? "ERR_KAKAO_UNAVAILABLE" : "ERR_KAKAO_OAUTH");
    super(code, init.message, { ...options, status: upstreamStatus(init.kakaoStatus, init.timedOut ?? false) });
    this.koe = init.koe;
    this.error = init.error;
    this.kakaoStatus = init.kakaoStatus;
  }
}

/** An error from Kakao's API server (`kapi`): `{ code, msg }` bodies such as -401 and -402. */
export class KakaoApiError extends KakaoAuthError {
  /** Kakao's negative API error code, e.g. -401 or -402 (0 when no answer came: timeout or network). */
  readonly kakaoCode: number;
  /** HTTP status of Kakao's answer (0 when no answer came). */
  readonly kakaoStatus: number;
  /** For -402: the consent items the call needs. */
  readonly requiredScopes: string[];

  constructor(init: {
    kakaoCode: number;
    kakaoStatus: number;
    message: string;
    requiredScopes?: string[];
    timedOut?: boolean;
  }) {
    const code: KakaoErrorCode =
      init.kakaoCode === -401
        ? "ERR_KAKAO_API_UNAUTHORIZED"
        : init.kakaoCode === -402
          ? "ERR_KAKAO_API_INSUFFICIENT_SCOPE"
          : init.kakaoStatus === 0 || init.kakaoStatus >= 500
            ? "ERR_KAKAO_UNAVAILABLE"
            : "ERR_KAKAO_API";
    const status =
      init.kakaoCode === -401
        ? 401
        : init.kakaoCode === -402
          ? 403
          : upstreamStatus(init.kakaoStatus, init.timedOut ?? false);
    super(code, init.message, { status });
    this.kakaoCode = init.kakaoCode;
    this.kakaoStatus = init.kakaoStatus;
    this.requiredScopes = init.requiredScopes ?? [];
  }
}

/** The session store (e.g. Redis behind express-session) failed; answered with 503. */
export class KakaoSessionStoreError extends KakaoAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_KAKAO_SESSION_STORE", message, { ...options, status: 503 });
  }
}
