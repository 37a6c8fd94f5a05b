import fc from "fast-check";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { constantTimeEqual } from "../lib/http/constant-time.js";
import { hasAdminKey } from "../lib/routes/unlink-webhook.js";
import { useEmulator } from "./support/emulator.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { useApp, whoami } from "./support/security.js";
import { signInNewUser } from "./support/sign-in-user.js";
import { afterDeferredWork, UnlinkRecorder } from "./support/unlink-hook.js";

const ADMIN_KEY = "emu-admin-key-0123456789abcdef0123456789";
const APP_ID = "1234567";
const WEBHOOK = "/auth/webhooks/kakao/unlink";

/** A raw call to the webhook route, for shapes the emulator's sender does not produce. */
function callWebhook(
  appUrl: string,
  init: { method?: string; query?: string; body?: string; headers?: Record<string, string> },
): Promise<Response> {
  return fetch(`${appUrl}${WEBHOOK}${init.query ? `?${init.query}` : ""}`, {
    method: init.method ?? "POST",
    redirect: "manual",
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { "content-type": "application/x-www-form-urlencoded;charset=utf-8" };

describe("the unlink webhook", () => {
  const emu = useEmulator({ adminKey: ADMIN_KEY, appId: APP_ID });
  const unlinks = new UnlinkRecorder();
  const app = useApp(() => emu.get(), { options: { adminKey: ADMIN_KEY, appId: APP_ID, onUnlink: unlinks.hook } });
  const url = () => `${app.url}${WEBHOOK}`;

  afterEach(() => {
    unlinks.slowMs = 0;
  });
  afterAll(() => unlinks.dispose());
  expectNoServerErrorsAfterEach();

  it("revokes the user's sessions and calls onUnlink for Kakao's POST form", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, method: "POST" });
    expect(res.status).toBe(200);
    expect(await unlinks.calledFor(userId)).toEqual({ userId, referrerType: "UNLINK_FROM_APPS", appId: APP_ID });
    expect(await whoami(flow)).toBeNull();
  });

  it("revokes the user's sessions and calls onUnlink for Kakao's GET form", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, method: "GET", referrerType: "ACCOUNT_DELETE" });
    expect(res.status).toBe(200);
    expect(await unlinks.calledFor(userId)).toMatchObject({ userId, referrerType: "ACCOUNT_DELETE" });
    expect(await whoami(flow)).toBeNull();
  });

  it("WH-01: a call without Authorization gets 401 and changes nothing", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, adminKey: null, unlink: false });
    expect(res.status).toBe(401);
    await afterDeferredWork();
    expect(unlinks.events.some((e) => e.userId === userId)).toBe(false);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it("WH-02: a call with a wrong admin key gets 401 and changes nothing", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, adminKey: "wrong", unlink: false });
    expect(res.status).toBe(401);
    await afterDeferredWork();
    expect(unlinks.events.some((e) => e.userId === userId)).toBe(false);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it.each(["Bearer", "KakaoAk", "Basic"])("WH-02: the admin key under the %s scheme gets 401", async (scheme) => {
    const res = await callWebhook(app.url, {
      body: form({ app_id: APP_ID, user_id: "4299999999" }),
      headers: { ...FORM, authorization: `${scheme} ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(401);
  });

  it("WH-04: a valid call for a user never seen is answered 200", async () => {
    const res = await emu.get().sendUnlinkWebhook(url(), { userId: "9007199254740993123" });
    expect(res.status).toBe(200);
    expect((await unlinks.calledFor("9007199254740993123")).userId).toBe("9007199254740993123");
  });

  it("WH-05: a 10 s onUnlink hook does not delay the 200 beyond 3 s, and the hook still runs", async () => {
    unlinks.slowMs = 10_000;
    const { userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, timeoutMs: 3_000 });
    expect(res.status).toBe(200);
    expect(res.ms).toBeLessThan(3_000);
    expect((await unlinks.calledFor(userId)).userId).toBe(userId);
  });

  it.each([
    ["no user_id", { app_id: APP_ID, referrer_type: "UNLINK_FROM_APPS" }],
    ["an empty user_id", { app_id: APP_ID, user_id: "" }],
    ["a non-numeric user_id", { app_id: APP_ID, user_id: "abc" }],
    ["a negative user_id", { app_id: APP_ID, user_id: "-4000000001" }],
    ["a huge user_id", { app_id: APP_ID, user_id: "9".repeat(5_000) }],
    ["a huge referrer_type", { app_id: APP_ID, user_id: "4299999998", referrer_type: "X".repeat(5_000) }],
  ])("WH-06: a body with %s gets a 4xx without side effect", async (_name, fields) => {
    const before = unlinks.events.length;
    const res = await callWebhook(app.url, {
      body: form(fields),
      headers: { ...FORM, authorization: `KakaoAK ${ADMIN_KEY}` },
    });
    expect(res.status).toBe(400);
    await afterDeferredWork();
    expect(unlinks.events.length).toBe(before);
  });

  it("WH-06: a body that is not a form or JSON gets a 4xx without side effect", async () => {
    const before = unlinks.events.length;
    const res = await callWebhook(app.url, {
      body: "\u0000\u00ff{{{",
      headers: { "content-type": "application/octet-stream", authorization: `KakaoAK ${ADMIN_KEY}` },
    });
    expect([400, 401]).toContain(res.status); // without a readable app_id the call is not for this app
    await afterDeferredWork();
    expect(unlinks.events.length).toBe(before);
  });

  it("WH-07: a call for another app_id gets 401 and changes nothing", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await emu.get().sendUnlinkWebhook(url(), { userId, appId: "7654321", unlink: false });
    expect(res.status).toBe(401);
    await afterDeferredWork();
    expect(unlinks.events.some((e) => e.userId === userId)).toBe(false);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it("IN-03: fuzzed calls without the admin key are never answered 5xx and change nothing", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const before = unlinks.events.length;
    const printable = fc.string({
      unit: fc.constantFrom(
        ..." !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~",
      ),
      maxLength: 80,
    });
    const authorization = fc.oneof(
      fc.constant(undefined),
      printable,
      printable.map((s) => `KakaoAK ${s}`),
      fc.constantFrom(
        `Bearer ${ADMIN_KEY}`,
        `KakaoAK ${ADMIN_KEY}x`,
        `KakaoAK ${ADMIN_KEY.slice(1)}`,
        `KakaoAK  ${ADMIN_KEY.toUpperCase()}`,
      ),
    );
    const fields = fc.dictionary(
      fc.constantFrom("user_id", "app_id", "referrer_type", "group_user_token", "x"),
      fc.oneof(fc.string({ maxLength: 40 }), fc.constant(userId)),
    );
    const body = fc.oneof(fields.map(form), fc.string({ maxLength: 200 }), fc.constant(undefined));
    const contentType = fc.constantFrom(
      "application/x-www-form-urlencoded",
      "application/json",
      "text/plain",
      undefined,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("GET", "POST", "PUT", "DELETE"),
        authorization,
        body,
        contentType,
        fields.map(form),
        async (method, auth, text, type, query) => {
          const headers: Record<string, string> = {};
          if (auth !== undefined) headers.authorization = auth;
          if (type !== undefined) headers["content-type"] = type;
          const res = await callWebhook(app.url, {
            method,
            query,
            headers,
            ...(method === "GET" ? {} : { body: text }),
          });
          await res.arrayBuffer();
          expect(res.status).toBeLessThan(500);
          expect([401, 405]).toContain(res.status);
        },
      ),
      { numRuns: 150 },
    );
    await afterDeferredWork();
    expect(unlinks.events.length).toBe(before);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it("IN-03: fuzzed bodies with the admin key are never answered 5xx", async () => {
    const digits = fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: 1, maxLength: 25 });
    const fields = fc.record(
      {
        user_id: fc.oneof(digits, fc.string({ maxLength: 30 })),
        app_id: fc.oneof(fc.constant(APP_ID), fc.string({ maxLength: 10 })),
        referrer_type: fc.string({ maxLength: 70 }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("GET", "POST"), fields, async (method, f) => {
        const encoded = form(f);
        const res = await callWebhook(app.url, {
          method,
          ...(method === "GET" ? { query: encoded } : { body: encoded }),
          headers: { ...FORM, authorization: `KakaoAK ${ADMIN_KEY}` },
        });
        await res.arrayBuffer();
        expect(res.status).toBeLessThan(500);
        const wellFormed =
          f.app_id === APP_ID && /^\d{1,20}$/.test(f.user_id ?? "") && (f.referrer_type ?? "").length <= 64;
        expect(res.status).toBe(wellFormed ? 200 : f.app_id === APP_ID ? 400 : 401);
      }),
      { numRuns: 100 },
    );
  });
});

describe("the unlink webhook without an admin key", () => {
  const emu = useEmulator();
  const app = useApp(() => emu.get());

  it("is not mounted (404)", async () => {
    expect(process.env.KAKAO_ADMIN_KEY).toBeUndefined();
    const res = await emu.get().sendUnlinkWebhook(`${app.url}${WEBHOOK}`, { userId: "4000000001", unlink: false });
    expect(res.status).toBe(404);
  });
});

describe("WH-03: admin key comparison", () => {
  it("constantTimeEqual tells equal strings from different ones of any length", () => {
    expect(constantTimeEqual(ADMIN_KEY, ADMIN_KEY)).toBe(true);
    expect(constantTimeEqual(ADMIN_KEY, `${ADMIN_KEY.slice(0, -1)}x`)).toBe(false);
    expect(constantTimeEqual(ADMIN_KEY, ADMIN_KEY.slice(0, 5))).toBe(false);
    expect(constantTimeEqual("", ADMIN_KEY)).toBe(false);
  });

  it("hasAdminKey accepts only `KakaoAK <adminKey>`", () => {
    expect(hasAdminKey(`KakaoAK ${ADMIN_KEY}`, ADMIN_KEY)).toBe(true);
    for (const header of [
      undefined,
      "",
      "KakaoAK",
      `KakaoAK ${ADMIN_KEY}x`,
      `Bearer ${ADMIN_KEY}`,
      `kakaoak ${ADMIN_KEY}`,
      `KakaoAK ${ADMIN_KEY} extra`,
      ADMIN_KEY,
    ])
      expect(hasAdminKey(header, ADMIN_KEY), String(header)).toBe(false);
  });
});
