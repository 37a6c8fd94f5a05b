import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";

const REFRESH_AFTER_MS = 10 * 60 * 1000;
const UNKNOWN_KID_MEMORY_MS = 60 * 1000;

/**
 * Kakao's JWKS, cached. jose's remote set waits 30 s before refetching for an unknown `kid`, so a
 * key rotation would fail logins for that long (authjs-notes.md); here an unknown `kid` triggers
 * one refetch at once (single-flight), and a `kid` still unknown afterwards is remembered for a
 * minute so forged kids cannot make us hammer Kakao (kakao-api.md §6.2: "cache them").
 */
export function kakaoJWKS(url: string, fetchImpl: typeof fetch): JWTVerifyGetKey {
  let local: JWTVerifyGetKey | undefined;
  let fetchedAt = 0;
  let inflight: Promise<void> | undefined;
  const unknownKids = new Map<string, number>();

  const refresh = (): Promise<void> => {
    inflight ??= (async () => {
      try {
        const res = await fetchImpl(url, { headers: { accept: "application/json" } });
        if (!res.ok) throw new Error(`JWKS endpoint answered ${res.status}`);
        const jwks = (await res.json()) as JSONWebKeySet;
        if (!Array.isArray(jwks?.keys)) throw new Error("JWKS response has no keys");
        local = createLocalJWKSet(jwks);
        fetchedAt = Date.now();
        unknownKids.clear();
      } finally {
        inflight = undefined;
      }
    })();
    return inflight;
  };

  return async (header, token) => {
    if (!local || Date.now() - fetchedAt > REFRESH_AFTER_MS) await refresh();
    try {
      return await local!(header, token);
    } catch (err) {
      if (!(err instanceof errors.JWKSNoMatchingKey)) throw err;
      const kid = header.kid ?? "";
      const seen = unknownKids.get(kid);
      if (seen !== undefined && Date.now() - seen < UNKNOWN_KID_MEMORY_MS) throw err;
      await refresh();
      unknownKids.set(kid, Date.now());
      return local!(header, token);
    }
  };
}
