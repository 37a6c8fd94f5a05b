import { describe, expect, it } from "vitest";
import { EXPRESS_MAJORS } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { expectNoServerErrorsAfterEach } from "../support/no-server-errors.js";
import { expectRefusedLogin } from "../support/refused-login.js";
import { setsSessionCookie, useApp, whoami } from "../support/security.js";
import { newKakaoUser } from "../support/sign-in-user.js";

/** Same-origin return paths that merely look like the error page (`/auth/error`). */
const ERROR_LOOKING_PATHS = ["/docs/auth/errors", "/search?q=/auth/error", "/auth/error-help"];

describe.each(EXPRESS_MAJORS)("a returnTo that looks like the error page on Express %i", (major) => {
  const emu = useEmulator();
  const app = useApp(emu.get, { express: major });
  const refusing = useApp(emu.get, { express: major, options: { onSignIn: () => false } });
  expectNoServerErrorsAfterEach();

  /** A new user's whole login in a new browser, asking to come back to `returnTo`. */
  async function login(appUrl: string, returnTo: string): Promise<{ flow: LoginFlow; userId: string; res: Response }> {
    const { id: userId } = newKakaoUser(emu.get());
    const flow = new LoginFlow(appUrl);
    const res = await flow.run({ returnTo, login_hint: userId });
    return { flow, userId, res };
  }

  it.each(ERROR_LOOKING_PATHS)("completes the login with returnTo=%s and redirects to exactly it", async (returnTo) => {
    const { res } = await login(app.url, returnTo);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`${app.url}${returnTo}`);
    expect(setsSessionCookie(res)).toBe(true);
  });

  it.each(ERROR_LOOKING_PATHS)("leaves the browser signed in after a login with returnTo=%s", async (returnTo) => {
    const { flow, userId } = await login(app.url, returnTo);
    expect(flow.hasSession()).toBe(true);
    expect((await whoami(flow))?.id).toBe(userId);
  });

  it.each(["/me", ...ERROR_LOOKING_PATHS])(
    "sends a login refused by onSignIn to the error page with error=refused, whatever returnTo=%s says",
    async (returnTo) => {
      const { flow, res } = await login(refusing.url, returnTo);
      await expectRefusedLogin(flow, res, ["refused"]);
    },
  );
});
