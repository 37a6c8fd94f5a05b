import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { requireKakaoScopes } from "../../lib/index.js";
import { buildApp } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { listen, type Listening } from "../support/server.js";

describe("incremental consent through the emulator", () => {
  const emu = useEmulator({ consentItems: ["profile_nickname", "profile_image", "account_email", "talk_message"] });
  let app: Listening;

  beforeAll(async () => {
    app = await listen(
      buildApp({
        emulator: emu.get(),
        routes: (a) => {
          a.get("/share", requireKakaoScopes("talk_message"), (req, res) =>
            res.json({ scopes: req.kakaoUser!.scopes }),
          );
          a.get("/scopes/refresh", async (req, res, next) => {
            try {
              res.json({ scopes: await req.kakao.refreshScopes() });
            } catch (err) {
              next(err);
            }
          });
        },
      }),
    );
  });
  afterAll(async () => app.close());
  expectNoServerErrorsAfterEach();

  async function signedInWithoutTalk(id: string): Promise<LoginFlow> {
    emu.get().addUser({ id, nickname: "동의", agreedScopes: ["profile_nickname"] });
    const flow = new LoginFlow(app.url);
    await flow.run({ login_hint: id });
    return flow;
  }

  it("sends a page lacking talk_message to sign-in asking for exactly that item", async () => {
    const flow = await signedInWithoutTalk("6200000001");
    const res = await flow.get("/share", { accept: "text/html" });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/signin/kakao?returnTo=%2Fshare&scope=talk_message");
  });

  it("asks Kakao for the missing item and comes back with it in req.kakaoUser.scopes", async () => {
    const flow = await signedInWithoutTalk("6200000002");
    const guard = await flow.get("/share", { accept: "text/html" });
    const query = Object.fromEntries(new URL(guard.headers.get("location")!, app.url).searchParams);
    await flow.start(query);
    expect(flow.authorizeUrl?.searchParams.get("scope")).toBe("talk_message");
    flow.authorizeUrl?.searchParams.set("login_hint", "6200000002");
    await flow.authorize();
    const back = await flow.callback();
    expect(back.headers.get("location")).toBe(`${app.url}/share`);
    const share = await flow.get("/share", { accept: "text/html" });
    expect(share.status).toBe(200);
    expect((await share.json()).scopes).toContain("talk_message");
  });

  it("refreshes req.kakaoUser.scopes from Kakao's /v2/user/scopes when asked", async () => {
    const flow = await signedInWithoutTalk("6200000003");
    emu.get().users.get("6200000003")!.agreedScopes = ["profile_nickname", "talk_message"];
    const res = await flow.get("/scopes/refresh");
    flow.jar.take(res);
    expect((await res.json()).scopes).toEqual(expect.arrayContaining(["profile_nickname", "talk_message"]));
    expect((await flow.get("/share")).status).toBe(200);
  });
});
