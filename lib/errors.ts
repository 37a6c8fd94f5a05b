/**
 * Every error this package throws or shows carries a stable `code`, so callers branch on codes,
 * not on messages. Messages say what to fix and never contain secrets or tokens.
 */
export class KakaoAuthError extends Error {
  /** Stable machine-readable code, e.g. `ERR_KAKAO_CONFIG`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
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

/** An error from Kakao's auth server (`kauth`), e.g. a KOE code from the token endpoint. */
export class KakaoOAuthError extends KakaoAuthError {
  /** Kakao's `error_code` (e.g. `KOE303`) when it sent one. */
  readonly koe: string | undefined;
  /** The OAuth `error` value (e.g. `invalid_grant`, `access_denied`). */
  readonly error: string;
  /** HTTP status of Kakao's answer, when there was one. */
  readonly status: number | undefined;

  constructor(init: { error: string; koe?: string; status?: number; message: string }, options?: { cause?: unknown }) {
    super(init.koe ? `ERR_KAKAO_${init.koe}` : "ERR_KAKAO_OAUTH", init.message, options);
    this.koe = init.koe;
    this.error = init.error;
    this.status = init.status;
  }
}

/** An error from Kakao's API server (`kapi`): `{ code, msg }` bodies such as -401 and -402. */
export class KakaoApiError extends KakaoAuthError {
  /** Kakao's negative API error code, e.g. -401 or -402. */
  readonly kakaoCode: number;
  /** HTTP status of Kakao's answer (0 when no answer came: timeout or network). */
  readonly status: number;
  /** For -402: the consent items the call needs. */
  readonly requiredScopes: string[];

  constructor(init: { kakaoCode: number; status: number; message: string; requiredScopes?: string[] }) {
    super(`ERR_KAKAO_API_${init.kakaoCode}`, init.message);
    this.kakaoCode = init.kakaoCode;
    this.status = init.status;
    this.requiredScopes = init.requiredScopes ?? [];
  }
}

/** The session store (e.g. Redis behind express-session) failed; answered with 503. */
export class KakaoSessionStoreError extends KakaoAuthError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ERR_KAKAO_SESSION_STORE", message, options);
  }
}
