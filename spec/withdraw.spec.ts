import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoAdmin, KakaoApiError, withdrawKakaoUser } from "../lib/index.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { buildApp } from "./support/app.js";
import { useEmulator } from "./support/emulator.js";
import { listen, type Listening } from "./support/server.js";
import { newKakaoUser, signInBrowser } from "./support/sign-in-user.js";
import { afterDeferredWork, UnlinkRecorder } from "./support/unlink-hook.js";
import { whoami } from "./support/security.js";

const BIG_ID = "1376016924429759228";

describe("kakaoAdmin()", () => {
  const emu = useEmulator();
  const admin = () => kakaoAdmin({ adminKey: emu.get().adminKey, apiOrigin: emu.get().url });

  it("reads a user's profile with the admin key, the id exact past 2^53", async () => {
    const user = emu.get().addUser({ id: BIG_ID, nickname: "라이언", linked: true });
    expect((await admin().user(user.id)).id).toBe(BIG_ID);
  });

  it("sends the admin key as KakaoAK and target_id_type=user_id", async () => {
    const { id } = newKakaoUser(emu.get(), { linked: true });
    await admin().logout(id);
    const sent = emu.get().requestsTo("/v1/user/logout").at(-1)!;
    expect(sent.headers.authorization).toBe(`KakaoAK ${emu.get().adminKey}`);
    expect(sent.body).toMatchObject({ target_id_type: ["user_id"], target_id: [id] });
  });

  it("maps a user who is not linked to KakaoApiError -101", async () => {
    const { id } = newKakaoUser(emu.get());
    const err = await admin()
      .unlink(id)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KakaoApiError);
    expect((err as KakaoApiError).kakaoCode).toBe(-101);
  });

  it("never puts the admin key in an error message", async () => {
    const err = (await kakaoAdmin({ adminKey: "wrong-admin-key-123456", apiOrigin: emu.get().url })
      .unlink("4000000001")
      .catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain("wrong-admin-key-123456");
  });

  it("refuses at construction without an admin key, naming the option", () => {
    const saved = process.env.KAKAO_ADMIN_KEY;
    delete process.env.KAKAO_ADMIN_KEY;
    try {
      expect(() => kakaoAdmin({ apiOrigin: emu.get().url })).toThrow(/option "adminKey"/);
    } finally {
      if (saved !== undefined) process.env.KAKAO_ADMIN_KEY = saved;
    }
  });
});

describe("withdrawKakaoUser()", () => {
  const emu = useEmulator();
  const unlinks = new UnlinkRecorder();
  let app: Listening;

  beforeAll(async () => {
    app = await listen(
      buildApp({ emulator: emu.get(), options: { adminKey: emu.get().adminKey, onUnlink: unlinks.hook } }),
    );
  });
  afterAll(async () => {
    unlinks.dispose();
    await app.close();
  });
  expectNoServerErrorsAfterEach();

  it("unlinks the user at Kakao, ends their sessions and runs onUnlink", async () => {
    const { id } = newKakaoUser(emu.get());
    const flow = await signInBrowser(app.url, id);
    const result = await withdrawKakaoUser(id);
    expect(result).toMatchObject({ userId: id, sessionsRevoked: true, kakao: "unlinked", onUnlink: "ran" });
    expect(emu.get().users.get(id)?.linked).toBe(false);
    expect(await whoami(flow)).toBeNull();
    expect(unlinks.events.filter((e) => e.userId === id)).toHaveLength(1);
  });

  it("succeeds quietly when repeated, without running onUnlink again", async () => {
    const { id } = newKakaoUser(emu.get());
    await signInBrowser(app.url, id);
    await withdrawKakaoUser(id);
    const again = await withdrawKakaoUser(id);
    expect(again).toMatchObject({ kakao: "already", onUnlink: "skipped" });
    expect(again.retry).toBeUndefined();
    expect(unlinks.events.filter((e) => e.userId === id)).toHaveLength(1);
  });

  it("answers Kakao's unlink webhook arriving afterwards with 200 and runs no second onUnlink", async () => {
    const { id } = newKakaoUser(emu.get());
    await signInBrowser(app.url, id);
    await withdrawKakaoUser(id);
    const sent = await emu.get().sendUnlinkWebhook(`${app.url}/auth/webhooks/kakao/unlink`, { userId: id });
    expect(sent.status).toBe(200);
    await afterDeferredWork();
    expect(unlinks.events.filter((e) => e.userId === id)).toHaveLength(1);
  });

  it("leaves the sessions revoked and says what to retry when Kakao fails", async () => {
    const { id } = newKakaoUser(emu.get());
    const flow = await signInBrowser(app.url, id);
    emu.get().fail("/v1/user/unlink", { status: 500 });
    try {
      const result = await withdrawKakaoUser(id);
      expect(result).toMatchObject({ sessionsRevoked: true, kakao: "failed", onUnlink: "none" });
      expect(result.retry).toMatch(/withdrawKakaoUser again/);
      expect(await whoami(flow)).toBeNull();
    } finally {
      emu.get().clearFaults();
    }
    expect(await withdrawKakaoUser(id)).toMatchObject({ kakao: "unlinked", onUnlink: "ran" });
  });

  it("refuses an id that is not a Kakao user id", async () => {
    await expect(withdrawKakaoUser("12; DROP TABLE users")).rejects.toThrow(TypeError);
  });
});
