// Users in your database (DESIGN.md "Users in your database", issue 16): `profile` and `onSignIn`
// find or create the app's row on a real PostgreSQL, driven through the real login routes.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { KakaoAuthOptions, KakaoUser } from "../../lib/index.js";
import { buildApp, EXPRESS_MAJORS, serverErrors, type ExpressMajor } from "../support/app.js";
import { useEmulator } from "../support/emulator.js";
import { LoginFlow } from "../support/login-flow.js";
import { postgresAvailable, usePostgres } from "../support/postgres.js";
import { expectRefusedLogin } from "../support/refused-login.js";
import { expectNoSession } from "../support/security.js";
import { listen, type Listening } from "../support/server.js";
import { withConcurrency } from "./concurrency.js";
import { allUsers, findOrCreate, USERS_TABLE_SQL, type UserRow } from "./users-table.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1): a JS number would round it. */
const BIG_ID = "1376016924429759228";

interface Whoami {
  user: KakaoUser | null;
  authenticated: boolean;
}

async function whoami(flow: LoginFlow): Promise<{ raw: string; body: Whoami }> {
  const raw = await (await flow.get("/whoami", { accept: "application/json" })).text();
  return { raw, body: JSON.parse(raw) as Whoami };
}

describe.skipIf(!postgresAvailable())("users in your database (PostgreSQL)", () => {
  const db = usePostgres();
  const emu = useEmulator();
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = db.get().pool({ max: 20 });
    await pool.query(USERS_TABLE_SQL);
  });
  beforeEach(async () => {
    await pool.query("TRUNCATE users RESTART IDENTITY");
    serverErrors.length = 0;
  });
  afterEach(() => {
    expect(serverErrors, "5xx answered by the fixture app").toEqual([]);
  });

  /** The recipe: the row for this Kakao id, its app_user_id put in the session. */
  async function storeAppUserId({ user }: { user: KakaoUser }): Promise<KakaoUser> {
    const row = await findOrCreate(pool, user);
    return { ...user, appUserId: String(row.app_user_id) };
  }

  describe.each(EXPRESS_MAJORS)("on Express %i", (major: ExpressMajor) => {
    const apps: Listening[] = [];
    afterAll(async () => {
      await Promise.all(apps.map((app) => app.close()));
    });

    /** The fixture app with these options, on a free loopback port; its URL. */
    async function appWith(options: KakaoAuthOptions): Promise<string> {
      const app = await listen(buildApp({ express: major, emulator: emu.get(), options }));
      apps.push(app);
      return app.url;
    }

    describe("onSignIn returning the user with the row's app_user_id", () => {
      let url: string;
      beforeAll(async () => {
        url = await appWith({ onSignIn: storeAppUserId });
      });

      it("stores user 1376016924429759228 under the exact text key and puts the row's id in req.kakaoUser.appUserId", async () => {
        emu.get().addUser({ id: BIG_ID, nickname: "큰번호" });
        const flow = new LoginFlow(url);
        const res = await flow.run({ login_hint: BIG_ID, returnTo: "/whoami" });
        expect(res.headers.get("location")).toBe(`${url}/whoami`);

        const rows = await allUsers(pool);
        expect(rows).toEqual([
          {
            kakao_id: BIG_ID,
            app_user_id: expect.stringMatching(/^\d+$/),
            nickname: "큰번호",
            created_at: expect.any(Date),
          },
        ]);
        const byText = await pool.query("SELECT count(*)::int AS n FROM users WHERE kakao_id = '1376016924429759228'");
        expect(byText.rows[0].n).toBe(1);

        const me = await whoami(flow);
        expect(me.raw).toContain(`"id":"${BIG_ID}"`);
        expect(me.body.user).toMatchObject({ id: BIG_ID, nickname: "큰번호", appUserId: rows[0]!.app_user_id });
      });

      it("finds the same row at the user's next login and updates its nickname", async () => {
        emu.get().addUser({ id: BIG_ID, nickname: "큰번호" });
        const first = new LoginFlow(url);
        await first.run({ login_hint: BIG_ID });
        emu.get().addUser({ id: BIG_ID, nickname: "새이름" });
        const second = new LoginFlow(url);
        await second.run({ login_hint: BIG_ID });

        const rows = await allUsers(pool);
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ kakao_id: BIG_ID, nickname: "새이름" });
        expect((await whoami(first)).body.user?.appUserId).toBe(rows[0]!.app_user_id);
        expect((await whoami(second)).body.user).toMatchObject({ nickname: "새이름", appUserId: rows[0]!.app_user_id });
      });

      it("creates exactly 50 rows for 200 concurrent first logins of 50 users, and every login succeeds", async () => {
        const ids = Array.from({ length: 50 }, (_, i) => String(1376016924429760000n + BigInt(i)));
        for (const id of ids) emu.get().addUser({ id, nickname: `user-${id.slice(-2)}` });
        // A user's 4 logins side by side, so they are in flight together (20 at a time): the upsert races itself.
        const logins = ids.flatMap((id) => Array.from({ length: 4 }, () => ({ id, flow: new LoginFlow(url) })));

        const started = performance.now();
        const answers = await withConcurrency(logins, 20, ({ id, flow }) =>
          flow.run({ login_hint: id, returnTo: "/whoami" }),
        );
        const ms = Math.round(performance.now() - started);

        const rows = await allUsers(pool);
        console.log(`200 concurrent first logins of 50 users: ${rows.length} rows, ${ms} ms`);
        expect(answers.map((res) => res.headers.get("location"))).toEqual(logins.map(() => `${url}/whoami`));
        expect(rows.map((row) => row.kakao_id)).toEqual([...ids].sort());
        expect(new Set(rows.map((row) => row.app_user_id)).size).toBe(50);

        const rowOf = new Map(rows.map((row): [string, UserRow] => [row.kakao_id, row]));
        const sessions = await withConcurrency(logins, 20, async ({ flow }) => (await whoami(flow)).body.user);
        expect(sessions.map((user) => [user?.id, user?.appUserId])).toEqual(
          logins.map(({ id }) => [id, rowOf.get(id)?.app_user_id]),
        );
      });
    });

    describe("onSignIn that fails", () => {
      it("ends a login whose onSignIn throws inside a transaction on the error page (error=signin), with no session and the insert rolled back", async () => {
        let inserted = false;
        const url = await appWith({
          onSignIn: async ({ user }) => {
            const client = await pool.connect();
            try {
              await client.query("BEGIN");
              await findOrCreate(client, user);
              inserted = true;
              throw new Error("welcome mail queue is down");
            } catch (err) {
              await client.query("ROLLBACK");
              throw err;
            } finally {
              client.release();
            }
          },
        });
        emu.get().addUser({ id: BIG_ID, nickname: "큰번호" });
        const flow = new LoginFlow(url);
        const res = await flow.run({ login_hint: BIG_ID });

        await expectRefusedLogin(flow, res, ["signin"]);
        expect(inserted).toBe(true);
        expect(await allUsers(pool)).toEqual([]);
      });

      it("ends a login whose onSignIn throws synchronously on the error page (error=signin), with no session", async () => {
        const url = await appWith({
          onSignIn: () => {
            throw new Error("not async at all");
          },
        });
        emu.get().addUser({ id: BIG_ID });
        const flow = new LoginFlow(url);
        await expectRefusedLogin(flow, await flow.run({ login_hint: BIG_ID }), ["signin"]);
      });

      it("ends a login whose onSignIn outlasts timeout on the error page (error=signin) within a second, and its late answer creates no session", async () => {
        let hook: Promise<KakaoUser> | undefined;
        const url = await appWith({
          timeout: 300,
          onSignIn: ({ user }) => (hook = sleep(2000).then(() => ({ ...user, appUserId: "late" }))),
        });
        emu.get().addUser({ id: BIG_ID });
        const flow = new LoginFlow(url);
        await flow.start({ login_hint: BIG_ID });
        await flow.authorize();

        const started = performance.now();
        const res = await flow.callback();
        const ms = performance.now() - started;

        await expectRefusedLogin(flow, res, ["signin"]);
        expect(ms).toBeLessThan(1000);
        expect(hook).toBeDefined();
        await hook;
        await expectNoSession(flow);
      });
    });

    describe("the onSignIn event", () => {
      it("carries Kakao's raw profile and token answer beside the user", async () => {
        const seen: { profileId?: unknown; accessToken?: unknown; path?: string }[] = [];
        const url = await appWith({
          onSignIn: ({ profile, tokens, req }) => {
            seen.push({ profileId: profile.id, accessToken: tokens.access_token, path: req.path });
          },
        });
        emu.get().addUser({ id: BIG_ID });
        await new LoginFlow(url).run({ login_hint: BIG_ID });
        expect(seen).toEqual([{ profileId: BIG_ID, accessToken: expect.any(String), path: expect.any(String) }]);
      });
    });

    describe("an async profile option", () => {
      it("is awaited: onSignIn and the session get what it resolved to", async () => {
        const seenByOnSignIn: KakaoUser[] = [];
        const url = await appWith({
          profile: async (_profile, _tokens, defaults) => {
            await sleep(100);
            const { rows } = await pool.query<{ greeting: string }>("SELECT $1::text || '님' AS greeting", [
              defaults.nickname,
            ]);
            return { ...defaults, nickname: rows[0]!.greeting };
          },
          onSignIn: async (event) => {
            seenByOnSignIn.push(event.user);
            return storeAppUserId(event);
          },
        });
        emu.get().addUser({ id: BIG_ID, nickname: "큰번호" });
        const flow = new LoginFlow(url);
        await flow.run({ login_hint: BIG_ID });

        expect(seenByOnSignIn).toEqual([expect.objectContaining({ id: BIG_ID, nickname: "큰번호님" })]);
        const rows = await allUsers(pool);
        expect(rows).toEqual([expect.objectContaining({ kakao_id: BIG_ID, nickname: "큰번호님" })]);
        expect((await whoami(flow)).body.user).toMatchObject({ nickname: "큰번호님", appUserId: rows[0]!.app_user_id });
      });
    });
  });
});
