import { expect } from "vitest";
import type { LoginFlow } from "./login-flow.js";
import { expectNoSession, setsSessionCookie } from "./security.js";

/**
 * A login the app refused: a 302 to `{basePath}/error?error=<one of codes>` (no 5xx, no stack), no
 * session cookie set or held, and the next request is anonymous.
 */
export async function expectRefusedLogin(
  flow: LoginFlow,
  res: Response,
  codes: string[] = ["id_token"],
): Promise<void> {
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get("location") ?? "", flow.appUrl);
  expect(location.pathname).toBe(`${flow.basePath}/error`);
  expect(codes).toContain(location.searchParams.get("error"));
  expect(setsSessionCookie(res)).toBe(false);
  await expectNoSession(flow, res);
}
