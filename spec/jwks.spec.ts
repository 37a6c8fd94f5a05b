import { errors, jwtVerify } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { KakaoJwksUnavailableError, kakaoJWKS } from "../lib/kakao/jwks.js";
import {
  closedPortUrl,
  manualClock,
  signingKey,
  startJwksServer,
  type JwksAnswer,
  type JwksServer,
  type SigningKey,
} from "./support/jwks-server.js";

let oldKey: SigningKey;
let newKey: SigningKey;
beforeAll(async () => {
  [oldKey, newKey] = await Promise.all([signingKey("kakao-2024"), signingKey("kakao-2025")]);
});

const servers: JwksServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A JWKS server answering `first`, and a kakaoJWKS on it with real fetch and a manual clock. */
async function setup(first: JwksAnswer) {
  const server = await startJwksServer(first);
  servers.push(server);
  const clock = manualClock();
  return { server, clock, jwks: kakaoJWKS(server.url, fetch, { now: clock.now }) };
}

const serving = (...keys: SigningKey[]): JwksAnswer => ({ keys: keys.map((k) => k.jwk) });

/** A kakaoJWKS that has already fetched (and cached) a set holding only the old key. */
async function warmed(first: JwksAnswer = serving(oldKey)) {
  const s = await setup(first);
  await jwtVerify(await oldKey.sign(), s.jwks);
  expect(s.server.requests).toBe(1);
  return s;
}

const unavailable = { name: "KakaoJwksUnavailableError", code: "ERR_KAKAO_JWKS_UNAVAILABLE" };

describe("kakaoJWKS after Kakao rotates its signing key", () => {
  it("verifies a token with a new kid at its first sight, with one refetch", async () => {
    const { server, jwks } = await warmed();
    server.answer(serving(oldKey, newKey));
    await expect(jwtVerify(await newKey.sign(), jwks)).resolves.toBeTruthy();
    expect(server.requests).toBe(2);
  });

  it("verifies a token with a new kid a second after one refetch missed it, once the JWKS serves the key", async () => {
    const { server, clock, jwks } = await warmed();
    const token = await newKey.sign();
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    server.answer(serving(oldKey, newKey));
    clock.advance(1000);
    await expect(jwtVerify(token, jwks)).resolves.toBeTruthy();
    expect(server.requests).toBe(3);
  });

  it("does not refetch within the first second after a refetch missed the kid", async () => {
    const { server, clock, jwks } = await warmed();
    const token = await newKey.sign();
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    clock.advance(999);
    await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    expect(server.requests).toBe(2);
  });

  it("picks up the new key within a few seconds when several JWKS answers in a row miss it", async () => {
    const { server, clock, jwks } = await warmed();
    const token = await newKey.sign();
    for (const wait of [0, 1000, 2000]) {
      clock.advance(wait);
      await expect(jwtVerify(token, jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
    }
    server.answer(serving(oldKey, newKey));
    clock.advance(4000);
    await expect(jwtVerify(token, jwks)).resolves.toBeTruthy();
    expect(server.requests).toBe(5);
  });

  it("shares one fetch among concurrent verifications of an unknown kid", async () => {
    const { server, jwks } = await warmed();
    server.answer(serving(oldKey, newKey));
    const token = await newKey.sign();
    const results = await Promise.all(Array.from({ length: 20 }, () => jwtVerify(token, jwks)));
    expect(results).toHaveLength(20);
    expect(server.requests).toBe(2);
  });

  it("stops accepting a key the JWKS dropped once the 10-minute refresh ran", async () => {
    const { server, clock, jwks } = await warmed(serving(oldKey, newKey));
    server.answer(serving(newKey));
    clock.advance(10 * 60 * 1000);
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
  });
});

describe("kakaoJWKS against forged kids", () => {
  it("makes at most a handful of fetches for 200 verifications with forged kids over 20 s", async () => {
    const { server, clock, jwks } = await warmed();
    for (let i = 0; i < 200; i++) {
      await expect(jwtVerify(await oldKey.sign(`forged-${i}`), jwks)).rejects.toBeInstanceOf(errors.JWKSNoMatchingKey);
      clock.advance(100);
    }
    // One fetch per backoff step, whatever the kid: at 0, 1, 3, 7 and 15 s.
    expect(server.requests - 1).toBeLessThanOrEqual(5);
  });

  it("fetches at most once every 30 s under a sustained stream of forged kids", async () => {
    const { server, clock, jwks } = await warmed();
    clock.advance(60_000);
    const before = server.requests;
    for (let i = 0; i < 120; i++) {
      await jwtVerify(await oldKey.sign(`forged-${i}`), jwks).catch(() => {});
      clock.advance(5000);
    }
    // 10 simulated minutes: the 1+2+4+8+16 s warm-up, then 30 s steps (and one scheduled refresh).
    expect(server.requests - before).toBeLessThanOrEqual(5 + Math.ceil(600 / 30) + 1);
  });
});

describe("kakaoJWKS when Kakao's JWKS endpoint is down", () => {
  it("throws KakaoJwksUnavailableError when the endpoint answers 503", async () => {
    const { jwks } = await setup({ status: 503 });
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toMatchObject(unavailable);
  });

  it.each<[string, JwksAnswer]>([
    ["a body that is not JSON", "not json"],
    ["JSON without a keys array", "no keys"],
  ])("throws KakaoJwksUnavailableError when the endpoint answers %s", async (_name, answer) => {
    const { jwks } = await setup(answer);
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toBeInstanceOf(KakaoJwksUnavailableError);
  });

  it("throws KakaoJwksUnavailableError when nothing listens on the JWKS port", async () => {
    const jwks = kakaoJWKS(await closedPortUrl(), fetch, { now: manualClock().now });
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toMatchObject(unavailable);
  });

  it("throws KakaoJwksUnavailableError for an unknown kid when the refetch fails", async () => {
    const { server, jwks } = await warmed();
    server.answer({ status: 503 });
    await expect(jwtVerify(await newKey.sign(), jwks)).rejects.toBeInstanceOf(KakaoJwksUnavailableError);
  });

  it("answers from the last failure, without a fetch, until the backoff step has passed", async () => {
    const { server, clock, jwks } = await setup({ status: 503 });
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toBeInstanceOf(KakaoJwksUnavailableError);
    server.answer(serving(oldKey));
    await expect(jwtVerify(await oldKey.sign(), jwks)).rejects.toBeInstanceOf(KakaoJwksUnavailableError);
    expect(server.requests).toBe(1);
    clock.advance(1000);
    await expect(jwtVerify(await oldKey.sign(), jwks)).resolves.toBeTruthy();
  });

  it("keeps verifying with the cached set when the 10-minute refresh fails", async () => {
    const { server, clock, jwks } = await warmed();
    server.answer({ status: 503 });
    clock.advance(10 * 60 * 1000);
    await expect(jwtVerify(await oldKey.sign(), jwks)).resolves.toBeTruthy();
    expect(server.requests).toBe(2);
  });

  it("retries a failed refresh after 30 s, not on every verification", async () => {
    const { server, clock, jwks } = await warmed();
    server.answer({ status: 503 });
    clock.advance(10 * 60 * 1000);
    for (let i = 0; i < 10; i++) await jwtVerify(await oldKey.sign(), jwks);
    expect(server.requests).toBe(2);
    clock.advance(30_000);
    await jwtVerify(await oldKey.sign(), jwks);
    expect(server.requests).toBe(3);
  });
});

describe("kakaoJWKS and jose's errors", () => {
  it("lets JWKSMultipleMatchingKeys through for a token without kid when several keys match", async () => {
    const { jwks } = await setup(serving(oldKey, newKey));
    await expect(jwtVerify(await oldKey.sign(null), jwks)).rejects.toBeInstanceOf(errors.JWKSMultipleMatchingKeys);
  });
});
