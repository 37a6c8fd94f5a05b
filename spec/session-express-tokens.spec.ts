import { describe, expect, it } from "vitest";
import { useEmulator } from "./support/emulator.js";
import { useExpressSessionApp } from "./support/express-session-app.js";
import { kakaoContextRoutes } from "./support/kakao-routes.js";
import { expectNoServerErrorsAfterEach } from "./support/no-server-errors.js";
import { signInNewUser } from "./support/sign-in-user.js";

const JSON_ACCEPT = { accept: "application/json" };

describe("Kakao's tokens sealed in an express-session record", () => {
  const emu = useEmulator({ consentItems: ["profile_nickname", "talk_message"] });
  const app = useExpressSessionApp(emu.get, {
    routes: (express) => {
      kakaoContextRoutes(express);
      express.get("/kakao/refresh-scopes", (req, res, next) => {
        req.kakao.refreshScopes().then((scopes) => res.json({ scopes }), next);
      });
    },
  });
  expectNoServerErrorsAfterEach();

  it("keeps the user's access token across a scopes update of the session", async () => {
    const { flow } = await signInNewUser(app.url, emu.get());
    const before = (await (await flow.get("/kakao/token", JSON_ACCEPT)).json()) as { accessToken: string };
    expect((await flow.get("/kakao/refresh-scopes", JSON_ACCEPT)).status).toBe(200);
    const after = (await (await flow.get("/kakao/token", JSON_ACCEPT)).json()) as { accessToken: string };
    expect(after.accessToken).toBe(before.accessToken);
  });
});
