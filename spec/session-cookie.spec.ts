import type { SetCookie } from "cookie";
import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { decryptJwe, deriveJweKeys } from "../lib/authjs/jwe.js";
import { revokeKakaoUser, type KakaoAuthOptions } from "../lib/index.js";
import { signInAs } from "../lib/testing/index.js";
import { buildApp, SECRET, serverErrors } from "./support/app.js";
import { freezeDate, restoreRealDateAfterEach } from "./support/frozen-date.js";
import { useEmulator } from "./support/emulator.js";
import { flipChar, sealJwe } from "./support/jwe-forge.js";
import { LoginFlow } from "./support/login-flow.js";
import { listen, type Listening } from "./support/server.js";
import {
  applySetCookies,
  cookieValue,
  inBatches,
  listenWithHeaderLimit,
  setCookieNamed,
  signInBehindPublicOrigin,
  whoamiWith,
  withCookie,
} from "./support/session-requests.js";

const NAME = "authjs.session-token";
const SECURE_NAME = `__Secure-${NAME}`;
const NEW_SECRET = "session-spec-new-secret-0123456789abcd";
const OTHER_SECRET = "session-spec-other-secret-0123456789ab";
const HOUR = 3600;

const emu = useEmulator();
const running: Listening[] = [];
restoreRealDateAfterEach();
afterAll(async () => {
  await Promise.all(running.map((l) => l.close()));
});
afterEach(() => {
  expect(serverErrors).toEqual([]);
});

/** The fixture app with these options, served on 127.0.0.1. */
async function start(options: KakaoAuthOptions = {}) {
  const app = buildApp({ emulator: emu.get(), options });
  const listening = await listen(app);
  running.push(listening);
  return { app, url: listening.url, listening };
}

let userSeq = 0;
/** A fresh Kakao user id per test, so revocations never reach another test's user. */
const newUserId = () => `52000000${String(++userSeq).padStart(2, "0")}`;

/** Claims of a session token, decrypted with these secrets. */
const claimsOf = (token: string | undefined, secrets = [SECRET], name = NAME) =>
  token === undefined ? null : decryptJwe(token, deriveJweKeys(secrets, name));

/** The callback response of a browser login (its Set-Cookie lines are what a browser stores). */
const fetchLogin = (url: string, loginHint: string): Promise<Response> =>
  new LoginFlow(url).run({ login_hint: loginHint });

const cleared = (a: { setCookies: SetCookie[] }, name = NAME) =>
  a.setCookies.some((c) => c.name === name && c.value === "" && c.maxAge === 0);

describe("session cookie flags (SES-01)", () => {
  it("SES-01: on http the login sets authjs.session-token HttpOnly, SameSite=Lax, Path=/ and without Secure", async () => {
    const { url } = await start();
    const id = newUserId();
    emu.get().addUser({ id });
    const res = await fetchLogin(url, id);
    const cookie = setCookieNamed(res, NAME);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(cookie?.secure).toBeFalsy();
    expect(cookie?.expires?.getTime()).toBeGreaterThan(Date.now());
  });

  it("SES-01: with an https baseURL the login sets __Secure-authjs.session-token with Secure, HttpOnly, SameSite=Lax, Path=/", async () => {
    const served = await start({ baseURL: "https://app.example.com" });
    const id = newUserId();
    emu.get().addUser({ id });
    const { callback } = await signInBehindPublicOrigin(served.listening, id);
    expect(setCookieNamed(callback, SECURE_NAME)).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "lax",
      path: "/",
    });
    expect(setCookieNamed(callback, NAME)).toBeUndefined();
  });

  it("SES-01: with an https baseURL the session is read from the __Secure- cookie", async () => {
    const served = await start({ baseURL: "https://app.example.com" });
    const id = newUserId();
    emu.get().addUser({ id });
    const { jar } = await signInBehindPublicOrigin(served.listening, id);
    expect((await whoamiWith(served.url, jar.header())).user?.id).toBe(id);
  });

  it("SES-01: with an https baseURL the same token under the unprefixed name is anonymous", async () => {
    const served = await start({ baseURL: "https://app.example.com" });
    const id = newUserId();
    emu.get().addUser({ id });
    const { jar } = await signInBehindPublicOrigin(served.listening, id);
    const token = jar.get(SECURE_NAME)!;
    expect((await whoamiWith(served.url, `${NAME}=${token}`)).user).toBeNull();
  });

  it("SES-01: behind a trusted proxy answering X-Forwarded-Proto: https the session cookie is __Secure- and Secure", async () => {
    const app = buildApp({ emulator: emu.get(), routes: (a) => void a.set("trust proxy", "loopback") });
    const served = await listen(app);
    running.push(served);
    const id = newUserId();
    emu.get().addUser({ id });
    const headers = { "x-forwarded-proto": "https" };
    const { callback, jar } = await signInBehindPublicOrigin(served, id, { headers });
    expect(setCookieNamed(callback, SECURE_NAME)).toMatchObject({
      secure: true,
      httpOnly: true,
      sameSite: "lax",
      path: "/",
    });
    const me = await fetch(`${served.url}/whoami`, { headers: { ...headers, cookie: jar.header() } });
    expect(((await me.json()) as { user: { id: string } | null }).user?.id).toBe(id);
  });

  it("SES-01: without trust proxy a forged X-Forwarded-Proto does not make the cookie __Secure-", async () => {
    const { url } = await start();
    const id = newUserId();
    emu.get().addUser({ id });
    const res = await fetch(`${url}/auth/signin/kakao?login_hint=${id}`, {
      redirect: "manual",
      headers: { "x-forwarded-proto": "https" },
    });
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("redirect_uri")).toBe(
      `${url}/auth/callback/kakao`,
    );
    expect(res.headers.getSetCookie().every((line) => !line.startsWith("__Secure-"))).toBe(true);
  });

  it("SES-01: a renewed cookie carries the same flags, with Secure on https", async () => {
    const served = await start({ baseURL: "https://app.example.com", session: { updateAge: 0 } });
    const id = newUserId();
    emu.get().addUser({ id });
    const { jar } = await signInBehindPublicOrigin(served.listening, id);
    const renewed = setCookieNamed((await whoamiWith(served.url, jar.header())).setCookies, SECURE_NAME);
    expect(renewed).toMatchObject({ secure: true, httpOnly: true, sameSite: "lax", path: "/" });
  });

  it("SES-01: a renewed cookie on http is HttpOnly, SameSite=Lax, Path=/ without Secure", async () => {
    const { app, url } = await start({ session: { updateAge: 0 } });
    const cookie = await signInAs(app, newUserId());
    const renewed = setCookieNamed((await whoamiWith(url, cookie)).setCookies, NAME);
    expect(renewed).toMatchObject({ httpOnly: true, sameSite: "lax", path: "/" });
    expect(renewed?.secure).toBeFalsy();
  });

  it("SES-01: an expired session cookie is cleared with the same Path and flags, so the browser really drops it", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: { maxAge: HOUR } });
    const cookie = await signInAs(app, newUserId());
    clock.at(HOUR + 1);
    const answer = await whoamiWith(url, cookie);
    expect(setCookieNamed(answer.setCookies, NAME)).toMatchObject({
      value: "",
      maxAge: 0,
      path: "/",
      httpOnly: true,
      sameSite: "lax",
    });
  });
});

describe("tampered and foreign session cookies (SES-02, SES-03)", () => {
  it.each([
    [0, "protected header"],
    [1, "encrypted key"],
    [2, "IV"],
    [3, "ciphertext"],
    [4, "tag"],
  ])("SES-02: a session cookie with a changed byte in part %i (%s) is anonymous", async (part) => {
    const { app, url } = await start();
    const cookie = await signInAs(app, newUserId());
    const token = cookieValue(cookie, NAME)!;
    const answer = await whoamiWith(url, withCookie(cookie, NAME, flipChar(token, part)));
    expect(answer.status).toBe(200);
    expect(answer.user).toBeNull();
  });

  it("SES-02: a cookie it cannot decrypt is left alone (kakaoAuth() only deletes cookies it wrote)", async () => {
    const { app, url } = await start();
    const cookie = await signInAs(app, newUserId());
    const answer = await whoamiWith(url, withCookie(cookie, NAME, flipChar(cookieValue(cookie, NAME)!, 3)));
    expect(setCookieNamed(answer.setCookies, NAME)).toBeUndefined();
  });

  it.each([
    ["truncated by 10 characters", (t: string) => t.slice(0, -10)],
    ["cut to its first three parts", (t: string) => t.split(".").slice(0, 3).join(".")],
    [
      "with parts re-ordered",
      (t: string) => {
        const p = t.split(".");
        return [p[0], p[1], p[3], p[2], p[4]].join(".");
      },
    ],
    ["doubled", (t: string) => `${t}${t}`],
    ["percent-encoded garbage", () => "%E0%A4%A"],
  ])("SES-02: a session cookie %s is anonymous", async (_name, change) => {
    const { app, url } = await start();
    const cookie = await signInAs(app, newUserId());
    const answer = await whoamiWith(url, withCookie(cookie, NAME, change(cookieValue(cookie, NAME)!)));
    expect(answer).toMatchObject({ status: 200, user: null });
  });

  it("SES-02: a well-encrypted token that holds no Kakao session is anonymous", async () => {
    const { url } = await start();
    const key = deriveJweKeys([SECRET], NAME)[0]!;
    const exp = Math.floor(Date.now() / 1000) + HOUR;
    for (const claims of [
      { sub: "1", exp },
      { kakao: { user: { id: 1 } }, exp },
      { kakao: { user: { id: "1", scopes: [], authTime: 1 } }, exp },
    ]) {
      const token = sealJwe({ alg: "dir", enc: "A256CBC-HS512", kid: key.kid }, claims, key);
      expect((await whoamiWith(url, `${NAME}=${token}`)).user).toBeNull();
    }
  });

  it("SES-02: a well-encrypted session without exp is anonymous", async () => {
    const { url } = await start();
    const key = deriveJweKeys([SECRET], NAME)[0]!;
    const kakao = { user: { id: "5299999999", scopes: [], authTime: 1, emailVerified: false }, loginAt: Date.now() };
    const token = sealJwe({ alg: "dir", enc: "A256CBC-HS512", kid: key.kid }, { kakao }, key);
    expect((await whoamiWith(url, `${NAME}=${token}`)).user).toBeNull();
  });

  it("SES-03: a cookie from an app with another secret is anonymous", async () => {
    const other = await start({ secret: OTHER_SECRET });
    const cookie = await signInAs(other.app, newUserId());
    const { url } = await start();
    expect((await whoamiWith(url, cookie)).user).toBeNull();
  });
});

describe("secret rotation (SES-04)", () => {
  it("SES-04: with the old secret second in the list, cookies issued under the old secret are accepted", async () => {
    const old = await start({ secret: SECRET });
    const id = newUserId();
    const cookie = await signInAs(old.app, id);
    const rotated = await start({ secret: [NEW_SECRET, SECRET] });
    expect((await whoamiWith(rotated.url, cookie)).user?.id).toBe(id);
  });

  it("SES-04: new logins are encrypted with the first secret only", async () => {
    const rotated = await start({ secret: [NEW_SECRET, SECRET] });
    const token = cookieValue(await signInAs(rotated.app, newUserId()), NAME)!;
    expect(claimsOf(token, [NEW_SECRET])).not.toBeNull();
    expect(claimsOf(token, [SECRET])).toBeNull();
  });

  it("SES-04: an old cookie renewed after rotation is re-encrypted with the first secret", async () => {
    const old = await start({ secret: SECRET });
    const id = newUserId();
    const cookie = await signInAs(old.app, id);
    const rotated = await start({ secret: [NEW_SECRET, SECRET], session: { updateAge: 0 } });
    const renewed = setCookieNamed((await whoamiWith(rotated.url, cookie)).setCookies, NAME);
    expect(renewed).toBeDefined();
    expect(claimsOf(renewed!.value, [NEW_SECRET])).toMatchObject({ kakao: { user: { id } } });
    expect(claimsOf(renewed!.value, [SECRET])).toBeNull();
  });

  it("SES-04: once the old secret is dropped from the list, its cookies are anonymous", async () => {
    const old = await start({ secret: SECRET });
    const cookie = await signInAs(old.app, newUserId());
    const retired = await start({ secret: [NEW_SECRET] });
    expect((await whoamiWith(retired.url, cookie)).user).toBeNull();
  });
});

describe("session lifetime (SES-07, SES-08, SES-09)", () => {
  const lifetime = { maxAge: HOUR, updateAge: 600, absoluteDuration: 3 * HOUR };

  it("SES-07: a session used just before maxAge is still signed in", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    const cookie = await signInAs(app, id);
    clock.at(HOUR - 5);
    expect((await whoamiWith(url, cookie)).user?.id).toBe(id);
  });

  it("SES-07: a session idle for longer than maxAge is anonymous and cleared", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const cookie = await signInAs(app, newUserId());
    clock.at(HOUR + 1);
    const answer = await whoamiWith(url, cookie);
    expect(answer.user).toBeNull();
    expect(cleared(answer)).toBe(true);
  });

  it("SES-07: an idle timeout also holds for a cookie already in the decoded-session cache", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    const cookie = await signInAs(app, id);
    expect((await whoamiWith(url, cookie)).user?.id).toBe(id);
    clock.at(HOUR + 1);
    expect((await whoamiWith(url, cookie)).user).toBeNull();
  });

  it("SES-08: a session kept active ends at absoluteDuration after login", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    let cookie = await signInAs(app, id);
    for (const minutes of [50, 100, 150, 175]) {
      clock.at(minutes * 60);
      const answer = await whoamiWith(url, cookie);
      expect(answer.user?.id, `active at ${minutes} min`).toBe(id);
      cookie = applySetCookies(cookie, answer.setCookies);
    }
    clock.at(3 * HOUR + 1);
    const late = await whoamiWith(url, cookie);
    expect(late.user).toBeNull();
    expect(cleared(late)).toBe(true);
  });

  it("SES-08: a renewal never sets the cookie's expiry past the absolute lifetime", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    let cookie = await signInAs(app, newUserId());
    for (const minutes of [50, 100]) {
      clock.at(minutes * 60);
      cookie = applySetCookies(cookie, (await whoamiWith(url, cookie)).setCookies);
    }
    clock.at(150 * 60);
    const renewed = setCookieNamed((await whoamiWith(url, cookie)).setCookies, NAME);
    const absoluteEnd = Math.floor(clock.start / 1000) + 3 * HOUR;
    expect(renewed?.expires?.getTime()).toBe(absoluteEnd * 1000);
    expect(claimsOf(renewed!.value)?.exp).toBe(absoluteEnd);
  });

  it("SES-09: a request before updateAge gets no new cookie", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const cookie = await signInAs(app, newUserId());
    clock.at(599);
    expect(setCookieNamed((await whoamiWith(url, cookie)).setCookies, NAME)).toBeUndefined();
  });

  it("SES-09: a request after updateAge gets a renewed cookie with a later expiry", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    const cookie = await signInAs(app, id);
    const firstExp = claimsOf(cookieValue(cookie, NAME))!.exp as number;
    clock.at(601);
    const renewed = setCookieNamed((await whoamiWith(url, cookie)).setCookies, NAME);
    expect(renewed?.value).toBeTruthy();
    expect(renewed!.value).not.toBe(cookieValue(cookie, NAME));
    const claims = claimsOf(renewed!.value)!;
    expect(claims.exp).toBe(firstExp + 601);
    expect(renewed?.expires?.getTime()).toBe((claims.exp as number) * 1000);
  });

  it("SES-09: a renewed cookie keeps the user and the login time", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    const cookie = await signInAs(app, id);
    const before = claimsOf(cookieValue(cookie, NAME))!.kakao as { loginAt: number };
    expect(before.loginAt).toBe(clock.start); // milliseconds since epoch
    clock.at(601);
    const renewed = setCookieNamed((await whoamiWith(url, cookie)).setCookies, NAME)!;
    expect(claimsOf(renewed.value)!.kakao).toMatchObject({ user: { id }, loginAt: before.loginAt });
  });

  it("SES-09: the renewed cookie keeps an active user signed in past the first maxAge", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: lifetime });
    const id = newUserId();
    const cookie = await signInAs(app, id);
    clock.at(50 * 60);
    const next = applySetCookies(cookie, (await whoamiWith(url, cookie)).setCookies);
    clock.at(HOUR + 600);
    expect((await whoamiWith(url, next)).user?.id).toBe(id);
    expect((await whoamiWith(url, cookie)).user).toBeNull();
  });

  it("SES-09: with rolling off no cookie is renewed and the session ends maxAge after login", async () => {
    const clock = freezeDate();
    const { app, url } = await start({ session: { ...lifetime, rolling: false } });
    const id = newUserId();
    let cookie = await signInAs(app, id);
    clock.at(50 * 60);
    const active = await whoamiWith(url, cookie);
    expect(active.user?.id).toBe(id);
    expect(setCookieNamed(active.setCookies, NAME)).toBeUndefined();
    cookie = applySetCookies(cookie, active.setCookies);
    clock.at(HOUR + 1);
    expect((await whoamiWith(url, cookie)).user).toBeNull();
  });
});

describe("revoked users (SES-10)", () => {
  it("SES-10: after revokeKakaoUser the user's existing cookie is anonymous on the next request and cleared", async () => {
    const { app, url } = await start();
    const id = newUserId();
    const cookie = await signInAs(app, id);
    expect((await whoamiWith(url, cookie)).user?.id).toBe(id);
    await revokeKakaoUser(id);
    const answer = await whoamiWith(url, cookie);
    expect(answer.user).toBeNull();
    expect(cleared(answer)).toBe(true);
  });

  it("SES-10: revoking one user leaves other users signed in", async () => {
    const { app, url } = await start();
    const revoked = newUserId();
    const kept = newUserId();
    const keptCookie = await signInAs(app, kept);
    await signInAs(app, revoked);
    await revokeKakaoUser(revoked);
    expect((await whoamiWith(url, keptCookie)).user?.id).toBe(kept);
  });

  it("SES-10: a revocation reaches every kakaoAuth() instance in the process", async () => {
    const first = await start();
    const second = await start();
    const id = newUserId();
    const cookie = await signInAs(first.app, id);
    await revokeKakaoUser(id);
    expect((await whoamiWith(second.url, cookie)).user).toBeNull();
  });

  it("SES-10: a user who signs in again after the revocation gets a working session", async () => {
    const { app, url } = await start();
    const id = newUserId();
    await signInAs(app, id);
    await revokeKakaoUser(id);
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fresh = await signInAs(app, id);
    expect((await whoamiWith(url, fresh)).user?.id).toBe(id);
  });

  it("revokeKakaoUser throws at once for an id that is not a decimal string", () => {
    expect(() => revokeKakaoUser("abc")).toThrow(TypeError);
    expect(() => revokeKakaoUser(42 as unknown as string)).toThrow(TypeError);
  });
});

describe("concurrent users (SES-11)", () => {
  it("SES-11: 200 interleaved requests with two users' cookies each see only their own user", async () => {
    const { app, url } = await start();
    const [a, b] = [newUserId(), newUserId()];
    const cookies = { [a]: await signInAs(app, a), [b]: await signInAs(app, b) };
    const answers = await inBatches(200, 20, async (i) => {
      const expected = i % 2 === 0 ? a : b;
      const answer = await whoamiWith(url, cookies[expected]);
      return { expected, seen: answer.user?.id, status: answer.status };
    });
    expect(answers.filter((x) => x.seen !== x.expected || x.status !== 200)).toEqual([]);
  });
});

describe("oversized and chunked cookies (SES-12)", () => {
  let big: Listening;
  afterAll(async () => big?.close());

  /** The fixture app behind a 1 MB header limit, so the package (not Node) sees huge cookies. */
  async function startBig(options: KakaoAuthOptions = {}) {
    const app = buildApp({ emulator: emu.get(), options });
    big = await listenWithHeaderLimit(app, 1024 * 1024);
    return { app, url: big.url };
  }

  it("SES-12: a 100 KB Cookie header is answered 431 by Node, never 5xx", async () => {
    const { url } = await start();
    const answer = await whoamiWith(url, `${NAME}=${"A".repeat(100_000)}`);
    expect(answer.status).toBe(431);
  });

  it("SES-12: 64 chunks of 4 KB each past Node's header limit are anonymous", async () => {
    const { url } = await startBig();
    const chunks = Array.from({ length: 64 }, (_, i) => `${NAME}.${i}=${"B".repeat(4000)}`).join("; ");
    const answer = await whoamiWith(url, chunks);
    expect(answer).toMatchObject({ status: 200, user: null });
  });

  it("SES-12: a single 100 KB session cookie past Node's header limit is anonymous", async () => {
    const { url } = await startBig();
    expect(await whoamiWith(url, `${NAME}=${"C".repeat(100_000)}`)).toMatchObject({ status: 200, user: null });
  });

  it("SES-12: chunk names with indices out of range or not numbers are anonymous", async () => {
    const { url } = await start();
    const header = [".64", ".-1", ".1.5", ".abc", ".", ".1e1", ".0x1"].map((s) => `${NAME}${s}=AAAA`).join("; ");
    expect(await whoamiWith(url, header)).toMatchObject({ status: 200, user: null });
  });

  it("SES-12: a session too large for one cookie is written in chunks and read back", async () => {
    const { app, url } = await start();
    const id = newUserId();
    const nickname = "카".repeat(1200);
    const cookie = await signInAs(app, { id, nickname });
    expect(cookieValue(cookie, NAME)).toBeUndefined();
    expect(cookieValue(cookie, `${NAME}.1`)).toBeTruthy();
    const answer = await whoamiWith(url, cookie);
    expect(answer.user).toMatchObject({ id, nickname });
  });

  it("SES-12: chunks are joined by index whatever their order in the Cookie header", async () => {
    const { app, url } = await start();
    const id = newUserId();
    const cookie = await signInAs(app, { id, nickname: "카".repeat(1200) });
    const reversed = cookie.split("; ").reverse().join("; ");
    expect((await whoamiWith(url, reversed)).user?.id).toBe(id);
  });

  it("SES-12: a chunked session with a chunk missing is anonymous", async () => {
    const { app, url } = await start();
    const cookie = await signInAs(app, { id: newUserId(), nickname: "카".repeat(1200) });
    const withoutSecond = cookie
      .split("; ")
      .filter((p) => !p.startsWith(`${NAME}.1=`))
      .join("; ");
    expect((await whoamiWith(url, withoutSecond)).user).toBeNull();
  });
});

describe("fuzzed Cookie headers (IN-02)", () => {
  const printable = fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: 200,
  });
  const tokenish = fc.string({ unit: fc.constantFrom(..."ABCabc012-_.".split("")), maxLength: 300 });
  const cookieName = fc.oneof(
    fc.constantFrom(NAME, `${NAME}.0`, `${NAME}.1`, `${NAME}.63`, SECURE_NAME, "authjs.csrf-token", "connect.sid"),
    fc.string({ unit: fc.constantFrom(..."abcXYZ._-0123".split("")), minLength: 1, maxLength: 20 }),
  );
  const pair = fc.tuple(cookieName, fc.oneof(tokenish, printable)).map(([n, v]) => `${n}=${v}`);
  const header = fc.oneof(
    printable,
    fc.array(pair, { maxLength: 8 }).map((pairs) => pairs.join("; ")),
  );

  it("IN-02: arbitrary Cookie headers are anonymous and never 5xx", async () => {
    const { url } = await start();
    await fc.assert(
      fc.asyncProperty(header, async (cookie) => {
        const answer = await whoamiWith(url, cookie.trim());
        expect(answer.status).toBe(200);
        expect(answer.user).toBeNull();
      }),
      { numRuns: 150 },
    );
  });

  it("IN-02: a valid session cookie among arbitrary unrelated cookies is still signed in", async () => {
    const { app, url } = await start();
    const id = newUserId();
    const session = `${NAME}=${cookieValue(await signInAs(app, id), NAME)!}`;
    const unrelated = fc
      .tuple(fc.string({ unit: fc.constantFrom(..."abcXYZ_-0123".split("")), minLength: 1, maxLength: 12 }), tokenish)
      .map(([n, v]) => `x${n}=${v}`);
    await fc.assert(
      fc.asyncProperty(
        fc.array(unrelated, { maxLength: 5 }),
        fc.array(unrelated, { maxLength: 5 }),
        async (before, after) => {
          const answer = await whoamiWith(url, [...before, session, ...after].join("; "));
          expect(answer.user?.id).toBe(id);
        },
      ),
      { numRuns: 60 },
    );
  });
});
