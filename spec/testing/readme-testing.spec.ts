import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const resolveFromRoot = createRequire(new URL("package.json", root)).resolve;

/** The README section "## Testing your app", up to the next section. */
async function testingSection(): Promise<string> {
  const readme = await readFile(new URL("README.md", root), "utf8");
  const start = readme.indexOf("\n## Testing your app\n");
  if (start === -1) throw new Error('README.md has no "## Testing your app" section');
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

/** The section's test file: the code block that imports express-kakao-auth/testing. */
function testFile(section: string): string {
  const blocks = [...section.matchAll(/```(?:js|javascript|mjs)\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const file = blocks.find((b) => b.includes('"express-kakao-auth/testing"'));
  if (!file) throw new Error("the Testing section has no js block importing express-kakao-auth/testing");
  return file;
}

/**
 * The snippet as a file outside the repo: the package's names point at the built `dist/`, other
 * packages at this repo's node_modules (a temp dir has none). Nothing else is changed.
 */
function runnable(code: string): string {
  const target = (specifier: string): string => {
    if (specifier === "express-kakao-auth") return new URL("dist/index.js", root).href;
    if (specifier === "express-kakao-auth/testing") return new URL("dist/testing/index.js", root).href;
    return pathToFileURL(resolveFromRoot(specifier)).href;
  };
  return code.replace(/(\bfrom\s+|\bimport\s+)"([^".][^"]*)"/g, (whole, lead: string, specifier: string) =>
    specifier.startsWith("node:") ? whole : `${lead}"${target(specifier)}"`,
  );
}

/** The environment without this package's variables: the snippet must not depend on any. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of Object.keys(env)) if (/^(AUTH_|KAKAO_|NODE_TEST_CONTEXT|VITEST)/.test(key)) delete env[key];
  return env;
}

describe('README "Testing your app"', () => {
  let section = "";
  let dir = "";
  beforeAll(async () => {
    section = await testingSection();
    dir = await mkdtemp(join(tmpdir(), "kakao-readme-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names the dev dependencies to install", () => {
    expect(section).toMatch(/npm install -D supertest/);
  });

  it("defines buildApp, uses a secret of at least 32 characters and closes the emulator in after()", () => {
    const code = testFile(section);
    expect(code).toMatch(/function buildApp\(/);
    const secret = /const secret = "([^"]*)"/.exec(code)?.[1] ?? "";
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(code).toMatch(/\bafter\(\s*\(\)\s*=>\s*emulator\.close\(\)\s*\)/);
  });

  it("passes as pasted under node --test, against the built package, and exits by itself", async () => {
    if (!existsSync(fileURLToPath(new URL("dist/testing/index.js", root))))
      throw new Error("dist/ is missing: run `npm run build` (npm test does it first)");
    const file = join(dir, "me.test.mjs");
    await writeFile(file, runnable(testFile(section)));
    const { code, stdout } = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--test", "--test-reporter=tap", file],
        { cwd: dir, env: cleanEnv(), timeout: 30_000 },
        (err, out) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out }),
      );
    });
    expect({ code, failed: /^# fail (\d+)/m.exec(stdout)?.[1] }, stdout).toEqual({ code: 0, failed: "0" });
    expect(Number(/^# pass (\d+)/m.exec(stdout)?.[1])).toBeGreaterThanOrEqual(3);
  });
});
