import { KakaoAuthConfigError } from "./errors.js";

/** What `app.use(kakaoAuth)` gets wrong: without the call, Express runs kakaoAuth(req, res, next). */
export const KAKAO_AUTH_NOT_CALLED = "kakaoAuth must be called: app.use(kakaoAuth()), not app.use(kakaoAuth).";

/**
 * True for what Express passes a middleware as its first argument (an `IncomingMessage`, on
 * Express 4 and 5 alike), so `app.use(kakaoAuth)` is told to call it rather than that `_events`
 * is not an option. No option of kakaoAuth() is called `method` or `headers`.
 */
export function looksLikeRequest(value: unknown): boolean {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    typeof v.method === "string" &&
    typeof v.headers === "object" &&
    v.headers !== null &&
    ("socket" in v || typeof v.url === "string")
  );
}

/**
 * Throws the config error for `option`: `problem` is the rest of a sentence whose subject is
 * the option (and its env variable), `fix` what to do, e.g. `kakaoAuth: option "timeout" is
 * "10s", not a positive whole number of milliseconds. Use a number of milliseconds, e.g. timeout: 10000.`
 */
export function fail(option: string, env: string | undefined, problem: string, fix: string): never {
  const subject = option === "options" ? "the argument of kakaoAuth()" : `option "${option}"`;
  const where = env ? ` (or env ${env})` : "";
  throw new KakaoAuthConfigError(option, `kakaoAuth: ${subject}${where} ${problem}. ${fix}`);
}

/** "a string", "an array", "null"…: what a wrong value is, without printing it (it may be a secret). */
export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (value instanceof URL) return "a URL object";
  const type = typeof value;
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Levenshtein distance; written here because it runs once, at startup, on a dozen short names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = row;
  }
  return previous[b.length]!;
}

/** The known name a typo most likely meant: the same name in another case, else one at most two edits away. */
function closestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  const sameLetters = known.find((k) => k.toLowerCase() === lower);
  if (sameLetters) return sameLetters;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const distance = editDistance(lower, k.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [k, distance];
  }
  return best;
}

export function failUnknown(
  prefix: string,
  key: string,
  known: readonly string[],
  problem: string,
  listName: string,
): never {
  const guess = closestName(key, known);
  const didYouMean = guess === undefined ? "" : `Did you mean "${prefix}${guess}"? `;
  fail(`${prefix}${key}`, undefined, problem, `${didYouMean}${listName}: ${known.join(", ")}.`);
}
