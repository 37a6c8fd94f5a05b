import { afterAll, describe, expect, it } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { useApp, whoami } from "../support/security.js";
import { signInNewUser } from "../support/sign-in-user.js";
import { afterDeferredWork, UnlinkRecorder } from "../support/unlink-hook.js";
import { paddedUnlinkBody, postUnlinkWebhook, type WebhookBodyKind } from "../support/webhook-requests.js";

const ADMIN_KEY = "webhook-body-admin-key-0123456789abcdef01";
/** Past the webhook's 16 KB body limit. */
const OVERSIZED = 17 * 1024;
const KINDS: WebhookBodyKind[] = ["form", "JSON"];

describe.each(EXPRESS_MAJORS)("the unlink webhook's request body on Express %i", (major) => {
  const emu = useEmulator({ adminKey: ADMIN_KEY });
  const unlinks = new UnlinkRecorder();
  const app = useApp(emu.get, { express: major, options: { adminKey: ADMIN_KEY, onUnlink: unlinks.hook } });
  afterAll(() => unlinks.dispose());
  expectNoServerErrorsAfterEach();

  it.each(KINDS)("answers a 17 KB %s body with the admin key 413 with a JSON error", async (kind) => {
    const res = await postUnlinkWebhook(app.url, {
      adminKey: ADMIN_KEY,
      kind,
      body: paddedUnlinkBody(kind, "4299999990", OVERSIZED),
    });
    expect(res.status).toBe(413);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: expect.any(String) as unknown });
  });

  it.each(KINDS)("keeps the user signed in and calls no onUnlink after a 17 KB %s body for them", async (kind) => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await postUnlinkWebhook(app.url, {
      adminKey: ADMIN_KEY,
      kind,
      body: paddedUnlinkBody(kind, userId, OVERSIZED),
    });
    expect(res.status).toBe(413);
    await afterDeferredWork();
    expect(unlinks.events.some((e) => e.userId === userId)).toBe(false);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it("answers a call without the admin key 401 before its body has arrived", async () => {
    const res = await postUnlinkWebhook(app.url, {
      kind: "form",
      body: "user_id=4299999991&pad=",
      declaredLength: 1_000_000,
    });
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ error: "unauthorized" });
  });

  it("answers a call with a wrong admin key 401 before its body has arrived", async () => {
    const res = await postUnlinkWebhook(app.url, {
      adminKey: "wrong-admin-key",
      kind: "form",
      body: "user_id=4299999992&pad=",
      declaredLength: 1_000_000,
    });
    expect(res.status).toBe(401);
  });

  it("waits for the rest of an unfinished body when the admin key is right (control for the two above)", async () => {
    const pending = postUnlinkWebhook(app.url, {
      adminKey: ADMIN_KEY,
      kind: "form",
      body: "user_id=42",
      declaredLength: 100,
      timeoutMs: 500,
    });
    await expect(pending).rejects.toThrow(/no complete answer/);
  });

  it("answers a malformed JSON body with the admin key 400 with a JSON error and no side effect", async () => {
    const before = unlinks.events.length;
    const res = await postUnlinkWebhook(app.url, { adminKey: ADMIN_KEY, kind: "JSON", body: '{"user_id":' });
    expect(res.status).toBe(400);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    expect(JSON.parse(res.body)).toMatchObject({ error: expect.any(String) as unknown });
    await afterDeferredWork();
    expect(unlinks.events.length).toBe(before);
  });

  it("accepts a well-formed JSON body with the admin key (control for the malformed one)", async () => {
    const { flow, userId } = await signInNewUser(app.url, emu.get());
    const res = await postUnlinkWebhook(app.url, {
      adminKey: ADMIN_KEY,
      kind: "JSON",
      body: JSON.stringify({ user_id: userId }),
    });
    expect(res.status).toBe(200);
    expect((await unlinks.calledFor(userId)).userId).toBe(userId);
    expect(await whoami(flow)).toBeNull();
  });
});
