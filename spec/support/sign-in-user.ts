import type { EmulatorUser, KakaoEmulator } from "../../lib/testing/index.js";
import { LoginFlow } from "./login-flow.js";

let next = 0;

/** A fresh Kakao user in the emulator (distinct per call, so revocations and tokens do not mix). */
export function newKakaoUser(emulator: KakaoEmulator, user: Partial<EmulatorUser> = {}): EmulatorUser {
  next += 1;
  return emulator.addUser({ nickname: `사용자${next}`, ...user, id: user.id ?? String(4200000000 + next) });
}

/** Signs this user in through the emulator in a new browser; throws when no session results. */
export async function signInBrowser(appUrl: string, userId: string): Promise<LoginFlow> {
  const flow = new LoginFlow(appUrl);
  const res = await flow.run({ login_hint: userId });
  if (res.status !== 302 || !flow.hasSession())
    throw new Error(`login of ${userId} failed: ${res.status} ${res.headers.get("location") ?? ""}`);
  return flow;
}

/** A new user, signed in. */
export async function signInNewUser(
  appUrl: string,
  emulator: KakaoEmulator,
  user: Partial<EmulatorUser> = {},
): Promise<{ flow: LoginFlow; userId: string }> {
  const { id } = newKakaoUser(emulator, user);
  return { flow: await signInBrowser(appUrl, id), userId: id };
}
