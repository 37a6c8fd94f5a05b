import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

const REFRESH_AFTER_MS = 10 * 60 * 1000;
/** After a failed scheduled refresh: an outage costs one fetch per 30 s, not one per login. */
const REFRESH_RETRY_MS = 30 * 1000;
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 30 * 1000;

/**
 * Kakao's JWKS endpoint could not be reached or did not answer with a key set (network error,
 * timeout, non-2xx, not JSON, no `keys`), so an id_token could not be checked: Kakao is at fault,
 * not the token, and the user may simply try again.
 */
export class KakaoJwksUnavailableError extends Error {
  override readonly name = "KakaoJwksUnavailableError";
  readonly code = "ERR_KAKAO_JWKS_UNAVAILABLE";
}

export interface KakaoJwksOptions {
  /** Milliseconds since the epoch, for the refresh schedule and the backoff. Default `Date.now`; specs inject a clock. */
  now?: () => number;
}

/** One GET of the JWKS, turned into a local key set; every way it can fail is one error. */
async function fetchKeySet(url: string, fetchImpl: typeof fetch): Promise<JWTVerifyGetKey> {
  let res: Response;
  try {
    res = await fetchImpl(url, { headers: { accept: "application/json" } });
  } catch (cause) {
    throw new KakaoJwksUnavailableError(`Kakao's JWKS could not be fetched from ${url}`, { cause });
  }
  if (!res.ok) {
    await res.body?.cancel().catch(() => {});
    throw new KakaoJwksUnavailableError(`Kakao's JWKS endpoint answered ${res.status}`);
  }
  try {
    const jwks = (await res.json()) as JSONWebKeySet | null;
    if (!Array.isArray(jwks?.keys)) throw new Error("no keys array");
    return createLocalJWKSet(jwks);
  } catch (cause) {
    throw new KakaoJwksUnavailableError("Kakao's JWKS endpoint did not answer with a JSON Web Key Set", { cause });
  }
}

/**
 * Kakao's JWKS, cached and refreshed every 10 minutes; a failed refresh keeps the cached set.
 *
 * Kakao may sign with a new key before every JWKS answer lists it (rotation, CDN caches), and
 * jose's remote set waits 30 s before refetching for an unknown `kid` (authjs-notes.md), failing
 * every login in that window. Here an unknown `kid` refetches at once, and while it stays unknown
 * further refetches wait 1 s, 2 s, 4 s … up to 30 s, so a new key is picked up within seconds.
 * The backoff is one for all kids, so forged kids cannot make us hammer Kakao (kakao-api.md §6.2:
 * "cache them"). Concurrent verifications share one fetch.
 *
 * Throws {@link KakaoJwksUnavailableError} when a needed fetch fails; jose's own errors
 * (`JWKSNoMatchingKey`, `JWKSMultipleMatchingKeys`, which the provider iterates) pass through.
 */
export function kakaoJWKS(url: string, fetchImpl: typeof fetch, options: KakaoJwksOptions = {}): JWTVerifyGetKey {
  const now = options.now ?? Date.now;
  let keySet: JWTVerifyGetKey | undefined;
  let refreshAt = 0;
  let inflight: Promise<JWTVerifyGetKey> | undefined;
  let lastFailure: KakaoJwksUnavailableError | undefined;
  // Fetches a verification asks for (no set yet, unknown kid) start no earlier than this.
  let backoffUntil = 0;
  let backoff = FIRST_BACKOFF_MS;

  const fetchNow = (): Promise<JWTVerifyGetKey> =>
    (inflight ??= fetchKeySet(url, fetchImpl)
      .then(
        (fetched) => {
          keySet = fetched;
          refreshAt = now() + REFRESH_AFTER_MS;
          lastFailure = undefined;
          return fetched;
        },
        (err: KakaoJwksUnavailableError) => {
          lastFailure = err;
          throw err;
        },
      )
      .finally(() => {
        inflight = undefined;
      }));

  /** The set after a fetch a verification needs, or `undefined` when the backoff says not yet. */
  const fetchIfAllowed = async (): Promise<JWTVerifyGetKey | undefined> => {
    if (inflight) return inflight;
    const t = now();
    if (t < backoffUntil) return undefined;
    // Quiet for longer than the cap: whatever made us back off is over, so start again at 1 s.
    if (t - backoffUntil > MAX_BACKOFF_MS) backoff = FIRST_BACKOFF_MS;
    backoffUntil = t + backoff;
    backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    return fetchNow();
  };

  const recovered = () => {
    backoffUntil = 0;
    backoff = FIRST_BACKOFF_MS;
  };

  return async (header, token) => {
    let set = keySet;
    let fetched = false;
    if (!set) {
      set = await fetchIfAllowed();
      if (!set) throw lastFailure ?? new KakaoJwksUnavailableError("Kakao's JWKS has not been fetched yet");
      fetched = true;
    } else if (now() >= refreshAt) {
      const cached = set;
      set = await (inflight ?? fetchNow()).catch(() => {
        refreshAt = now() + REFRESH_RETRY_MS;
        return cached;
      });
    }
    try {
      const key = await set(header, token);
      if (fetched) recovered();
      return key;
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey) || fetched) throw err;
      // A fetch that ended since our lookup began is as fresh as one we would start now.
      const refetched = keySet !== set ? keySet : await fetchIfAllowed();
      if (!refetched) throw lastFailure ?? err;
      const key = await refetched(header, token);
      recovered();
      return key;
    }
  };
}
