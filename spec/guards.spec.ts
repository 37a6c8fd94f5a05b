import express5, { type ErrorRequestHandler, type RequestHandler } from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  KakaoApiError,
  KakaoAuthConfigError,
  kakaoChecks,
  KakaoOAuthError,
  requireFreshLogin,
  requireKakaoScopes,
  requireKakaoUser,
  requireKakaoUserWhere,
  type KakaoUser,
} from "../lib/index.js";
import { signInAs } from "../lib/testing/index.js";
import { buildApp, EXPRESS_MAJORS, serverErrors } from "./support/app.js";
import { useEmulator } from "./support/emulator.js";
import { freezeDate, restoreRealDateAfterEach } from "./support/frozen-date.js";
import {
  answerLabel,
  expectGuardAnswer,
  REQUEST_KINDS,
  send,
  signInLocation,
  type GuardAnswer,
  type RequestKind,
} from "./support/guard-requests.js";
import { listen, type Listening } from "./support/server.js";

/** Agreed to talk_message, with a verified example.com address. */
const FULL = {
  id: "5400000001",
  nickname: "모두",
  email: "full@Example.com",
  agreedScopes: ["profile_nickname", "account_email", "talk_message"],
};
/** Only the nickname. */
const PLAIN = { id: "5400000002", nickname: "조금", agreedScopes: ["profile_nickname"] };

const ok: RequestHandler = (req, res) => void res.json({ ok: true, id: req.kakaoUser?.id });
/** Route-level error handler: shows which error a guard passed to next(err). */
const caught: ErrorRequestHandler = (err: Error, _req, res, _next) =>
  void res.status(418).json({ caught: err.message });

/** The guarded routes of the fixture app; every method reaches each guard. */
function guardedRoutes(app: express5.Express): void {
  app.all("/user", requireKakaoUser(), ok);
  app.all("/user-redirect", requireKakaoUser({ redirect: true }), ok);
  app.all("/user-no-redirect", requireKakaoUser({ redirect: false }), ok);
  app.all("/scoped", requireKakaoScopes("talk_message"), ok);
  app.all("/scoped-two", requireKakaoScopes("talk_message", "friends", { redirect: false }), ok);
  app.all("/where", requireKakaoUserWhere(kakaoChecks.idIn([FULL.id])), ok);
  app.all(
    "/where-async",
    requireKakaoUserWhere(async (user) => {
      await new Promise((resolve) => setTimeout(resolve, 2));
      return user.id === FULL.id;
    }),
    ok,
  );
  app.all("/where-domain", requireKakaoUserWhere(kakaoChecks.emailDomain("example.com")), ok);
  app.all(
    "/where-req",
    requireKakaoUserWhere((_user, req) => req.query.role === "admin"),
    ok,
  );
  app.all(
    "/where-throws",
    requireKakaoUserWhere(() => {
      throw new Error("sync check failed");
    }),
    ok,
    caught,
  );
  app.all(
    "/where-rejects",
    requireKakaoUserWhere(() => Promise.reject(new Error("async check failed"))),
    ok,
    caught,
  );
  app.all("/fresh", requireFreshLogin(300), ok);
  const fail =
    (err: Error): RequestHandler =>
    (_req, _res, next) =>
      next(err);
  app.get(
    "/throws-402",
    fail(
      new KakaoApiError({
        kakaoCode: -402,
        kakaoStatus: 403,
        message: "insufficient scopes",
        requiredScopes: ["talk_message"],
      }),
    ),
  );
  app.get("/throws-401", fail(new KakaoApiError({ kakaoCode: -401, kakaoStatus: 401, message: "invalid token" })));
  app.get(
    "/throws-koe322",
    fail(new KakaoOAuthError({ error: "invalid_grant", koe: "KOE322", message: "refresh token expired" })),
  );
  app.get("/throws-other", fail(new KakaoApiError({ kakaoCode: -500, kakaoStatus: 500, message: "kakao down" })));
}

type UserState = "anonymous" | "full" | "plain";

describe.each(EXPRESS_MAJORS)("guards on Express %i", (major) => {
  const emu = useEmulator({
    consentItems: ["profile_nickname", "profile_image", "account_email", "talk_message", "friends"],
  });
  let served: Listening;
  const cookies: Record<UserState, string> = { anonymous: "", full: "", plain: "" };

  beforeAll(async () => {
    const app = buildApp({ express: major, emulator: emu.get(), routes: guardedRoutes });
    served = await listen(app);
    cookies.full = await signInAs(app, FULL, { freshLogin: true });
    cookies.plain = await signInAs(app, PLAIN);
  });
  afterAll(async () => served?.close());
  afterEach(() => {
    expect(serverErrors).toEqual([]);
  });
  restoreRealDateAfterEach();

  const KIND_LABEL: Record<RequestKind, string> = {
    "html-get": "an HTML GET",
    "json-get": "a JSON GET",
    head: "a HEAD",
    post: "a POST",
  };
  const STATE_LABEL: Record<UserState, string> = {
    anonymous: "an anonymous browser",
    full: "user FULL",
    plain: "user PLAIN",
  };
  /** Rows `[kind label, state label, answer label, kind, state, path, expected]` for it.each. */
  const matrix = (path: string, expected: Partial<Record<UserState, GuardAnswer>>) =>
    REQUEST_KINDS.flatMap((kind) =>
      (Object.keys(expected) as UserState[]).map((state) => {
        const answer = expected[state]!;
        return [KIND_LABEL[kind], STATE_LABEL[state], answerLabel(kind, answer), kind, state, path, answer] as const;
      }),
    );
  const check = async (kind: RequestKind, state: UserState, path: string, expected: GuardAnswer) =>
    expectGuardAnswer(await send(served.url, kind, path, cookies[state]), kind, path, expected);
  const checkRow = (
    _k: string,
    _s: string,
    _a: string,
    kind: RequestKind,
    state: UserState,
    path: string,
    expected: GuardAnswer,
  ) => check(kind, state, path, expected);

  const signIn: GuardAnswer = { kind: "sign-in" };
  const pass: GuardAnswer = { kind: "pass" };

  describe("requireKakaoUser", () => {
    it.each(matrix("/user?tab=2", { anonymous: signIn, full: pass, plain: pass }))(
      "answers %s from %s with %s",
      checkRow,
    );

    it("answers a GET accepting anything but HTML (e.g. curl's */*) with 401", async () => {
      const res = await fetch(`${served.url}/user`, { headers: { accept: "*/*" }, redirect: "manual" });
      expect(res.status).toBe(401);
    });

    it("with { redirect: true } redirects a JSON GET to sign-in", async () => {
      const res = await send(served.url, "json-get", "/user-redirect");
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe(signInLocation("/user-redirect"));
    });

    it.each(["head", "post"] as const)("with { redirect: true } still answers a %s request with 401", async (kind) => {
      expect((await send(served.url, kind, "/user-redirect")).status).toBe(401);
    });

    it("with { redirect: false } answers an HTML GET with 401 JSON", async () => {
      await expectGuardAnswer(
        await send(served.url, "json-get", "/user-no-redirect"),
        "json-get",
        "/user-no-redirect",
        signIn,
      );
      const res = await send(served.url, "html-get", "/user-no-redirect");
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: "unauthorized" });
    });

    it("lets the handler read the signed-in user", async () => {
      const res = await send(served.url, "json-get", "/user", cookies.full);
      expect(await res.json()).toEqual({ ok: true, id: FULL.id });
    });
  });

  describe("requireKakaoScopes", () => {
    const scopes: GuardAnswer = { kind: "scopes", scopes: ["talk_message"] };
    it.each(matrix("/scoped", { anonymous: signIn, full: pass, plain: scopes }))(
      "answers %s from %s with %s",
      checkRow,
    );

    it("lists only the missing scopes, and forced { redirect: false } answers 403 for pages", async () => {
      const res = await send(served.url, "html-get", "/scoped-two", cookies.full);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: "insufficient_scope", required_scopes: ["friends"] });
    });

    it("needs at least one scope when it is built", () => {
      expect(() => requireKakaoScopes()).toThrow(KakaoAuthConfigError);
      expect(() => requireKakaoScopes({ redirect: true })).toThrow(KakaoAuthConfigError);
    });
  });

  describe("requireKakaoUserWhere", () => {
    const forbidden: GuardAnswer = { kind: "forbidden" };
    it.each(matrix("/where", { anonymous: signIn, full: pass, plain: forbidden }))(
      "answers %s from %s with %s (kakaoChecks.idIn)",
      checkRow,
    );

    it.each(matrix("/where-async", { anonymous: signIn, full: pass, plain: forbidden }))(
      "awaits an async check: answers %s from %s with %s",
      checkRow,
    );

    it("kakaoChecks.emailDomain lets a verified address in the domain through, case-insensitively", async () => {
      await check("json-get", "full", "/where-domain", pass);
      await check("json-get", "plain", "/where-domain", forbidden);
    });

    it("passes the request to the check", async () => {
      await check("json-get", "plain", "/where-req?role=admin", pass);
      await check("json-get", "plain", "/where-req?role=user", forbidden);
    });

    it("sends a check that throws to next(err)", async () => {
      const res = await send(served.url, "json-get", "/where-throws", cookies.full);
      expect(res.status).toBe(418);
      expect(await res.json()).toEqual({ caught: "sync check failed" });
    });

    it("sends a check that rejects to next(err)", async () => {
      const res = await send(served.url, "json-get", "/where-rejects", cookies.full);
      expect(res.status).toBe(418);
      expect(await res.json()).toEqual({ caught: "async check failed" });
    });

    it("does not call the check for an anonymous request", async () => {
      const res = await send(served.url, "json-get", "/where-throws");
      expect(res.status).toBe(401);
    });

    it("needs a function when it is built", () => {
      expect(() => requireKakaoUserWhere("admin" as unknown as () => boolean)).toThrow(KakaoAuthConfigError);
    });
  });

  describe("requireFreshLogin", () => {
    const stale: GuardAnswer = { kind: "sign-in", prompt: "login" };
    it.each(matrix("/fresh", { anonymous: signIn, full: pass }))(
      "answers %s from %s who signed in just now with %s",
      checkRow,
    );

    it.each(REQUEST_KINDS)(
      "asks a %s request whose login is older than the limit to sign in again with prompt=login",
      async (kind) => {
        const clock = freezeDate();
        clock.advance(301);
        await check(kind, "full", "/fresh", stale);
      },
    );

    it("needs a positive number of seconds when it is built", () => {
      expect(() => requireFreshLogin(0)).toThrow(KakaoAuthConfigError);
      expect(() => requireFreshLogin(Number.NaN)).toThrow(KakaoAuthConfigError);
    });
  });

  describe("kakaoErrorHandler", () => {
    it("turns a thrown -402 into the requireKakaoScopes answer for a JSON request", async () => {
      await check("json-get", "full", "/throws-402", { kind: "scopes", scopes: ["talk_message"] });
    });

    it("turns a thrown -402 into a consent redirect for a page", async () => {
      await check("html-get", "full", "/throws-402", { kind: "scopes", scopes: ["talk_message"] });
    });

    it("turns a thrown -401 into the requireKakaoUser answer", async () => {
      await check("json-get", "full", "/throws-401", signIn);
      await check("html-get", "full", "/throws-401", signIn);
    });

    it("turns a dead refresh token (KOE322) into the sign-in answer", async () => {
      await check("json-get", "full", "/throws-koe322", signIn);
    });

    it("passes any other error on to the next error handler", async () => {
      const res = await send(served.url, "json-get", "/throws-other", cookies.full);
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: "kakao_unavailable" });
      expect(serverErrors.splice(0)).toEqual([]);
    });
  });
});

describe("guards without kakaoAuth() mounted", () => {
  let served: Listening;
  const errors: unknown[] = [];

  beforeAll(async () => {
    const app = express5();
    app.get("/user", requireKakaoUser(), ok);
    app.get("/scoped", requireKakaoScopes("talk_message"), ok);
    app.get(
      "/where",
      requireKakaoUserWhere(() => true),
      ok,
    );
    app.get("/fresh", requireFreshLogin(60), ok);
    app.use(((err, _req, res, _next) => {
      errors.push(err);
      res.status(500).json({ error: "server_error" });
    }) as ErrorRequestHandler);
    served = await listen(app);
  });
  afterAll(async () => served?.close());

  it.each(["/user", "/scoped", "/where", "/fresh"])(
    "%s fails with a KakaoAuthConfigError telling to mount kakaoAuth() first",
    async (path) => {
      errors.length = 0;
      const res = await fetch(`${served.url}${path}`);
      expect(res.status).toBe(500);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(KakaoAuthConfigError);
      expect((errors[0] as Error).message).toContain("app.use(kakaoAuth())");
    },
  );
});

describe("kakaoChecks", () => {
  const user = (over: Partial<KakaoUser>): KakaoUser => ({
    id: "1",
    emailVerified: false,
    scopes: [],
    authTime: 0,
    ...over,
  });

  it("idIn matches exact id strings only", () => {
    const check = kakaoChecks.idIn(["1376016924429759228"]);
    expect(check(user({ id: "1376016924429759228" }))).toBe(true);
    expect(check(user({ id: "1376016924429759200" }))).toBe(false);
  });

  it("emailDomain needs a verified address in exactly that domain", () => {
    const check = kakaoChecks.emailDomain("Example.com");
    expect(check(user({ email: "a@example.COM", emailVerified: true }))).toBe(true);
    expect(check(user({ email: "a@example.com", emailVerified: false }))).toBe(false);
    expect(check(user({ email: "a@sub.example.com", emailVerified: true }))).toBe(false);
    expect(check(user({ email: "a@evilexample.com", emailVerified: true }))).toBe(false);
    expect(check(user({ emailVerified: true }))).toBe(false);
  });
});
