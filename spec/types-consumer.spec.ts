import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const tsc = fileURLToPath(new URL("../node_modules/typescript/bin/tsc", import.meta.url));
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Type-checks a user's app against the *built* package's declarations, as a consumer would. */
async function typecheck(file: string): Promise<{ ok: boolean; output: string }> {
  try {
    await run(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--skipLibCheck",
        fixture(file),
      ],
      { timeout: 60_000 },
    );
    return { ok: true, output: "" };
  } catch (err) {
    return { ok: false, output: String((err as { stdout?: string }).stdout ?? err) };
  }
}

describe("types in a user's TypeScript app", () => {
  it("type-checks req.kakaoUser, req.kakao and a KakaoUser extended by declaration merging, without casts", async () => {
    expect(await typecheck("augment.ts")).toEqual({ ok: true, output: "" });
  });

  it("rejects treating the Kakao id as a number", async () => {
    const result = await typecheck("augment-wrong.ts");
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/Type 'string \| undefined' is not assignable to type 'number \| undefined'/);
  });
});
