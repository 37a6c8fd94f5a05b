import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { MOBILE_USER, playMobileApp, type MobileFlowResult } from "../../examples/mobile/play.js";
import { useEmulator } from "../support/emulator.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("examples/mobile/play.ts: a mobile app signing in with Kakao's SDK tokens", () => {
  const emu = useEmulator({ users: [MOBILE_USER] });
  const lines: string[] = [];
  let result: MobileFlowResult;

  beforeAll(async () => {
    result = await playMobileApp({ emulator: emu.get(), log: (line) => lines.push(line) });
  });

  it("exchanges the native SDK's tokens for the exact user, a session token and its expiry", () => {
    expect(result.exchange.user).toMatchObject({ id: MOBILE_USER.id, nickname: MOBILE_USER.nickname });
    expect(result.exchange.sessionToken).toMatch(/^[A-Za-z0-9._-]{40,}$/);
    expect(Date.parse(result.exchange.expiresAt)).toBeGreaterThan(Date.now());
  });

  it("reads GET /me with Authorization: Bearer <sessionToken> as that user", () => {
    expect(result.me).toEqual(result.exchange.user);
  });

  it("refuses an access token Kakao issued to another app with 401 invalid_token", () => {
    expect(result.substituted).toEqual({ status: 401, error: "invalid_token" });
  });

  it("prints each step in order", () => {
    expect(lines.map((line) => /^\d\./.exec(line)?.[0]).filter(Boolean)).toEqual(["1.", "2.", "3.", "4."]);
    expect(lines.find((line) => line.startsWith("3."))).toContain(`${MOBILE_USER.nickname} (${MOBILE_USER.id})`);
  });

  it("runs as `npx tsx examples/mobile/play.ts`, printing the user and exiting 0", async () => {
    // execFile rejects on a non-zero exit, so resolving is the exit-0 check.
    const { stdout } = await promisify(execFile)("npx", ["tsx", "examples/mobile/play.ts"], {
      cwd: ROOT,
      timeout: 20_000,
      env: { ...process.env, DEBUG: "" },
    });
    expect(stdout).toContain(`GET /me with Authorization: Bearer → 200: ${MOBILE_USER.nickname} (${MOBILE_USER.id})`);
    expect(stdout.trimEnd().split("\n").at(-1)).toBe("Mobile app flow: OK");
  });
});
