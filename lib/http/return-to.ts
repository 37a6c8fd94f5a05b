/**
 * Keeps only same-origin relative paths (RFC 9700 §4.11: no open redirector). Anything doubtful
 * becomes `undefined`, and callers fall back to "/".
 */
export function sanitizeReturnTo(value: unknown, origin: string): string | undefined {
  if (typeof value !== "string" || value.length === 0 || value.length > 2048) return undefined;
  // Control characters (CR/LF header injection, tabs browsers strip) and backslashes (browsers read
  // "/\evil" as "//evil") are never part of a path we would send the user to.
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return undefined;
  let decoded = value;
  // Look through up to three layers of percent-encoding for "//", "\" or a scheme.
  for (let i = 0; i < 3; i++) {
    let next: string;
    try {
      next = decodeURIComponent(decoded);
    } catch {
      return undefined;
    }
    if (/[\u0000-\u001f\u007f\\]/.test(next) || /^\s*\/\s*\//.test(next) || /^[a-z][a-z0-9+.-]*:/i.test(next.trim()))
      return undefined;
    if (next === decoded) break;
    decoded = next;
  }
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    return undefined;
  }
  if (url.origin !== origin || !value.startsWith("/") || value.startsWith("//")) return undefined;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Dot segments collapse when parsed ("/.//evil.example" becomes "//evil.example", another host to a
  // browser; "/./%2f" becomes "/%2f"): the result must pass the same checks (security-tests RED-02, IN-04).
  // Parsing is idempotent, so this recurses at most once.
  return path === value ? path : sanitizeReturnTo(path, origin);
}

/** Accepts absolute same-origin URLs too (Auth.js hands those to its redirect callback). */
export function sameOriginPath(value: string, origin: string): string {
  if (value.startsWith("/")) return sanitizeReturnTo(value, origin) ?? "/";
  try {
    const url = new URL(value);
    if (url.origin !== origin) return "/";
    return sanitizeReturnTo(`${url.pathname}${url.search}${url.hash}`, origin) ?? "/";
  } catch {
    return "/";
  }
}

/**
 * Where to send the user back to: a same-origin path (as `sanitizeReturnTo`), or an absolute URL
 * on one of `allowedOrigins` (an SPA on another origin), whose path passes the same checks. The
 * origin is compared exactly after parsing, so look-alikes (`app.example.com.evil`, userinfo,
 * other ports or schemes) never match (RFC 9700 §4.11).
 */
export function returnTarget(value: unknown, origin: string, allowedOrigins: readonly string[]): string | undefined {
  if (typeof value !== "string") return undefined;
  if (allowedOrigins.length === 0 || value.startsWith("/")) return sanitizeReturnTo(value, origin);
  if (value.length > 2048 || /[\u0000-\u0020\u007f\\]/.test(value)) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.username || url.password || !allowedOrigins.includes(url.origin)) return undefined;
  if (!value.toLowerCase().startsWith(`${url.origin}/`) && value.toLowerCase() !== url.origin) return undefined;
  const path = sanitizeReturnTo(`${url.pathname}${url.search}${url.hash}`, url.origin);
  return path === undefined ? undefined : `${url.origin}${path}`;
}

/** `returnTarget` for URLs Auth.js hands back (absolute, same-origin ones included); "/" when refused. */
export function redirectTarget(value: string, origin: string, allowedOrigins: readonly string[]): string {
  if (!value.startsWith("/")) {
    try {
      const url = new URL(value);
      if (url.origin !== origin) return returnTarget(value, origin, allowedOrigins) ?? `${origin}/`;
    } catch {
      return `${origin}/`;
    }
  }
  return `${origin}${sameOriginPath(value, origin)}`;
}
