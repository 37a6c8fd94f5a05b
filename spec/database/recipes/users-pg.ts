import express from "express";
import pg from "pg";
import { kakaoAuth, requireKakaoUser, type KakaoUser } from "../../../lib/index.js";

declare module "../../../lib/index.js" {
  interface KakaoUser {
    /** users.app_user_id: your own id for this user, the one the rest of your schema references. */
    appUserId?: string;
  }
}

export const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });

export interface UserRow {
  kakao_id: string;
  app_user_id: string; // bigserial: pg reads int8 as a string, exact
  nickname: string | null;
  created_at: Date;
}

/** The user's row, created at the first login. One statement: concurrent first logins can't duplicate it. */
export async function findOrCreateUser(user: KakaoUser): Promise<UserRow> {
  const { rows } = await pool.query<UserRow>(
    `INSERT INTO users (kakao_id, nickname) VALUES ($1, $2)
     ON CONFLICT (kakao_id) DO UPDATE SET nickname = excluded.nickname
     RETURNING *`,
    [user.id, user.nickname ?? null],
  );
  return rows[0]!;
}

export const app = express();
app.use(
  kakaoAuth({
    onSignIn: async ({ user }) => {
      const row = await findOrCreateUser(user);
      return { ...user, appUserId: String(row.app_user_id) };
    },
  }),
);

app.get("/me", requireKakaoUser(), async (req, res) => {
  const { rows } = await pool.query<UserRow>("SELECT * FROM users WHERE app_user_id = $1", [req.kakaoUser!.appUserId]);
  res.json(rows[0]);
});
