// README "Users in your database", as written there: the SQL block is run as extracted; each ts
// block must equal, character for character, the recipe module under recipes/ that these specs
// import and drive (the only difference: that module imports the package from ../../../lib), so
// what runs here, and what tsc and eslint check, is the README's code.
import { readFile } from "node:fs/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KakaoUser } from "../../lib/index.js";
import { SECRET } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { postgresAvailable, usePostgres } from "../support/postgres.js";
import { listen, type Listening } from "../support/server.js";
import { withConcurrency } from "./concurrency.js";

const root = new URL("../../", import.meta.url);
const BIG_ID = "1376016924429759228";
const RECIPES = { pg: "users-pg.ts", drizzle: "users-drizzle.ts" } as const;

/** The README section "## Users in your database", up to the next section. */
async function usersSection(): Promise<string> {
  const readme = await readFile(new URL("README.md", root), "utf8");
  const start = readme.indexOf("\n## Users in your database\n");
  if (start === -1) throw new Error('README.md has no "## Users in your database" section');
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

function blocks(section: string, lang: string): string[] {
  return [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);
}

/** The recipe module as the README shows it: the package by its name. */
async function recipeAsInReadme(file: string): Promise<string> {
  const code = await readFile(new URL(`recipes/${file}`, import.meta.url), "utf8");
  return code.replaceAll('"../../../lib/index.js"', '"express-kakao-auth"');
}

interface Recipe {
  app: unknown;
  findOrCreateUser(user: KakaoUser): Promise<unknown>;
  close(): Promise<void>;
}

describe.skipIf(!postgresAvailable())('README "Users in your database"', () => {
  const db = usePostgres();
  const emu = useEmulator();
  let section = "";
  let pool: pg.Pool;
  const env = (): Record<string, string> => ({
    DATABASE_URL: db.get().url,
    AUTH_KAKAO_ID: emu.get().clientId,
    AUTH_KAKAO_SECRET: emu.get().clientSecret ?? "",
    AUTH_SECRET: SECRET,
    KAKAO_AUTH_ORIGIN: emu.get().url,
    KAKAO_API_ORIGIN: emu.get().url,
  });
  const savedEnv: Record<string, string | undefined> = {};
  const recipes: Partial<Record<keyof typeof RECIPES, Recipe>> = {};

  beforeAll(async () => {
    section = await usersSection();
    pool = db.get().pool();
    await pool.query(blocks(section, "sql")[0] ?? "-- the section has no sql block");
    // What a deployment sets; the recipes read it when imported, as an app's modules do.
    for (const [key, value] of Object.entries(env())) {
      savedEnv[key] = process.env[key];
      process.env[key] = value;
    }
    const viaPg = await import("./recipes/users-pg.js");
    recipes.pg = { ...viaPg, close: () => viaPg.pool.end() };
    const viaDrizzle = await import("./recipes/users-drizzle.js");
    recipes.drizzle = { ...viaDrizzle, close: () => viaDrizzle.db.$client.end() };
  });
  afterAll(async () => {
    await Promise.all(Object.values(recipes).map((r) => r.close()));
    for (const [key, value] of Object.entries(savedEnv)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it("creates the users table with its CREATE TABLE, run as written (in beforeAll)", async () => {
    expect(blocks(section, "sql")).toHaveLength(1);
    const columns = await pool.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'users' ORDER BY ordinal_position",
    );
    expect(columns.rows).toEqual([
      { column_name: "kakao_id", data_type: "text" },
      { column_name: "app_user_id", data_type: "bigint" },
      { column_name: "nickname", data_type: "text" },
      { column_name: "created_at", data_type: "timestamp with time zone" },
    ]);
  });

  it.each(Object.entries(RECIPES))("shows the %s recipe exactly as spec/database/recipes/%s", async (_name, file) => {
    const inReadme = blocks(section, "ts").filter((code) => code.includes("findOrCreateUser"));
    expect(inReadme).toContain(await recipeAsInReadme(file));
  });

  it("explains why: a bigint read as a JS number (pg.types.setTypeParser(20, Number)) rounds 1376016924429759228 to another id", async () => {
    const asNumber = new pg.Client({
      connectionString: db.get().url,
      types: { getTypeParser: ((oid: number) => (oid === 20 ? Number : pg.types.getTypeParser(oid))) as never },
    });
    await asNumber.connect();
    try {
      const { rows } = await asNumber.query(`SELECT ${BIG_ID}::bigint AS id, '${BIG_ID}'::text AS text_id`);
      expect(rows[0].id).toBe(1376016924429759200);
      expect(String(rows[0].id)).not.toBe(BIG_ID);
      expect(rows[0].text_id).toBe(BIG_ID);
    } finally {
      await asNumber.end();
    }
  });

  describe.each(Object.keys(RECIPES) as (keyof typeof RECIPES)[])("the %s recipe", (name) => {
    let app: Listening;
    beforeAll(async () => {
      await pool.query("TRUNCATE users RESTART IDENTITY");
      app = await listen(recipes[name]!.app);
    });
    afterAll(async () => app?.close());

    it("signs user 1376016924429759228 in with the row's app_user_id in the session, and GET /me finds the row by it", async () => {
      emu.get().addUser({ id: BIG_ID, nickname: "큰번호" });
      const flow = new LoginFlow(app.url);
      const res = await flow.run({ login_hint: BIG_ID, returnTo: "/me" });
      expect(res.headers.get("location")).toBe(`${app.url}/me`);

      const { rows } = await pool.query("SELECT kakao_id, app_user_id FROM users");
      expect(rows).toEqual([{ kakao_id: BIG_ID, app_user_id: expect.stringMatching(/^\d+$/) }]);
      const me = await (await flow.get("/me", { accept: "application/json" })).json();
      expect(me).toMatchObject(
        name === "pg"
          ? { kakao_id: BIG_ID, app_user_id: rows[0].app_user_id, nickname: "큰번호" }
          : { kakaoId: BIG_ID, appUserId: rows[0].app_user_id, nickname: "큰번호" },
      );
    });

    it("makes one row for 40 concurrent calls of findOrCreateUser for 10 new users", async () => {
      const ids = Array.from({ length: 10 }, (_, i) => String(9000000000000000000n + BigInt(i)));
      const calls = ids.flatMap((id) => [id, id, id, id]);
      await withConcurrency(calls, 20, (id) =>
        recipes[name]!.findOrCreateUser({ id, nickname: "동시", emailVerified: false, scopes: [], authTime: 0 }),
      );
      const { rows } = await pool.query("SELECT count(*)::int AS n FROM users WHERE kakao_id = ANY($1)", [ids]);
      expect(rows[0].n).toBe(10);
    });
  });
});
