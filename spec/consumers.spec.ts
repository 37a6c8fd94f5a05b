import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const built = existsSync(fileURLToPath(new URL("../dist/index.cjs", import.meta.url)));

/** Runs a consumer app in a plain `node` process against the built package (`npm test` builds first). */
async function consume(file: string): Promise<{ status: number; body: string }> {
  if (!built) throw new Error("dist/ is missing: run `npm run build` (npm test does it first)");
  const { stdout } = await run(process.execPath, [fixture(file)], { timeout: 20_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!) as { status: number; body: string };
}

describe("the built package", () => {
  it("runs a Kakao login in an ESM app on Express 5 with import", async () => {
    const out = await consume("consumer-esm.mjs");
    expect(out.status).toBe(200);
    expect(out.body).toContain('"id":"1376016924429759228"');
  });

  it("runs a Kakao login in a CommonJS app on Express 4 with require", async () => {
    const out = await consume("consumer-cjs.cjs");
    expect(out.status).toBe(200);
    expect(out.body).toContain('"id":"1376016924429759228"');
  });
});
