// kakaoProvider() in ExpressAuth with @auth/pg-adapter on a real PostgreSQL (issue 16 §6): the
// adapter's users/accounts rows carry Kakao's exact id, and a returning user is linked, not duplicated.
import PostgresAdapter from "@auth/pg-adapter";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kakaoProvider } from "../../lib/index.js";
import { EXPRESS_MAJORS } from "../support/app.js";
import { buildAuthjsApp, describeError, type AuthjsProbe } from "../support/authjs-app.js";
import { AuthjsLogin } from "../support/authjs-login.js";
import { useEmulator } from "../support/emulator.js";
import { postgresAvailable, usePostgres } from "../support/postgres.js";
import { listen, type Listening } from "../support/server.js";

/** A Kakao id past 2^53 from Kakao's own docs (kakao-api.md §10.1). */
const BIG_ID = "1376016924429759228";

/**
 * The tables @auth/pg-adapter reads and writes (its documented schema, authjs.dev "PostgreSQL
 * Adapter"): the package ships no SQL, so the columns follow the adapter's own queries.
 */
const AUTHJS_SCHEMA_SQL = `
  CREATE TABLE IF NOT EXISTS users (
    id SERIAL PRIMARY KEY,
    name VARCHAR(255),
    email VARCHAR(255) UNIQUE,
    "emailVerified" TIMESTAMPTZ,
    image TEXT
  );
  CREATE TABLE IF NOT EXISTS accounts (
    id SERIAL PRIMARY KEY,
    "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    type VARCHAR(255) NOT NULL,
    provider VARCHAR(255) NOT NULL,
    "providerAccountId" VARCHAR(255) NOT NULL,
    refresh_token TEXT,
    access_token TEXT,
    expires_at BIGINT,
    id_token TEXT,
    scope TEXT,
    session_state TEXT,
    token_type TEXT,
    UNIQUE (provider, "providerAccountId")
  );
  CREATE TABLE IF NOT EXISTS sessions (
    id SERIAL PRIMARY KEY,
    "userId" INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
    expires TIMESTAMPTZ NOT NULL,
    "sessionToken" VARCHAR(255) NOT NULL UNIQUE
  );
  CREATE TABLE IF NOT EXISTS verification_token (
    identifier TEXT NOT NULL,
    expires TIMESTAMPTZ NOT NULL,
    token TEXT NOT NULL,
    PRIMARY KEY (identifier, token)
  )`;

describe.skipIf(!postgresAvailable())("kakaoProvider() in ExpressAuth with @auth/pg-adapter", () => {
  const db = usePostgres();
  const emu = useEmulator();
  let pool: pg.Pool;

  beforeAll(async () => {
    pool = db.get().pool();
    await pool.query(AUTHJS_SCHEMA_SQL);
    emu.get().addUser({ id: BIG_ID, nickname: "큰번호", email: "big@example.com" });
  });

  describe.each(EXPRESS_MAJORS)("on Express %i, database sessions", (major) => {
    let app: Listening;
    let probe: AuthjsProbe;

    beforeAll(async () => {
      await pool.query("TRUNCATE users, accounts, sessions, verification_token RESTART IDENTITY CASCADE");
      const built = buildAuthjsApp(kakaoProvider(emu.get().options), {
        express: major,
        config: { adapter: PostgresAdapter(pool), session: { strategy: "database" } },
      });
      probe = built.probe;
      app = await listen(built.app);
    });
    afterAll(async () => app.close());

    /** Signs BIG_ID in through the Auth.js routes; the browser, landed. */
    async function signIn(): Promise<AuthjsLogin> {
      const login = new AuthjsLogin(app.url);
      const res = await login.run({ login_hint: BIG_ID });
      expect(res.headers.get("location"), `Auth.js errors: ${probe.errors.map(describeError).join("; ")}`).toBe(
        login.landing,
      );
      return login;
    }

    it("creates a users row and an accounts row with provider 'kakao' and the exact providerAccountId 1376016924429759228", async () => {
      await signIn();
      const users = await pool.query("SELECT id, name, email FROM users");
      expect(users.rows).toEqual([{ id: expect.any(Number), name: "큰번호", email: "big@example.com" }]);
      const accounts = await pool.query(`SELECT "userId", provider, type, "providerAccountId" FROM accounts`);
      expect(accounts.rows).toEqual([
        { userId: users.rows[0].id, provider: "kakao", type: "oauth", providerAccountId: BIG_ID },
      ]);
    });

    it("links a second sign-in of the same Kakao user to the same user row (1 user, 1 account)", async () => {
      await signIn();
      await signIn();
      const counts = await pool.query(
        `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM accounts) AS accounts,
                (SELECT count(DISTINCT "userId")::int FROM sessions) AS session_users`,
      );
      expect(counts.rows[0]).toEqual({ users: 1, accounts: 1, session_users: 1 });
    });

    it("keeps the session in the sessions table, and getSession() reads the user back from it", async () => {
      const login = await signIn();
      const session = await (await login.get("/session")).json();
      expect(session).toMatchObject({ user: { name: "큰번호", email: "big@example.com" } });
      const token = login.jar.cookies.get("authjs.session-token");
      const row = await pool.query(`SELECT "userId" FROM sessions WHERE "sessionToken" = $1`, [token]);
      expect(row.rowCount).toBe(1);
    });

    it("logged no Auth.js error", () => {
      expect(probe.errors.map(describeError)).toEqual([]);
    });
  });
});
