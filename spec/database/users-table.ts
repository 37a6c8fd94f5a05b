import type pg from "pg";
import type { KakaoUser } from "../../lib/index.js";

declare module "../../lib/index.js" {
  interface KakaoUser {
    /** The app's own id for the user: `users.app_user_id` (bigserial, read by pg as a string). */
    appUserId?: string;
  }
}

/** An app's users table keyed by the Kakao id as text (exact past 2^53, unlike a JS number). */
export const USERS_TABLE_SQL = `
  CREATE TABLE IF NOT EXISTS users (
    kakao_id    text PRIMARY KEY,
    app_user_id bigserial UNIQUE,
    nickname    text,
    created_at  timestamptz DEFAULT now()
  )`;

/** One row of `users` as pg returns it (int8 comes back as a string: pg never rounds it). */
export interface UserRow {
  kakao_id: string;
  app_user_id: string;
  nickname: string | null;
  created_at: Date;
}

/**
 * Find-or-create in one statement: concurrent first logins of one user all land on the same row
 * (the unique key decides, no read-then-insert race), and the nickname follows Kakao's.
 */
export async function findOrCreate(db: pg.Pool | pg.PoolClient, user: KakaoUser): Promise<UserRow> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (kakao_id, nickname) VALUES ($1, $2)
     ON CONFLICT (kakao_id) DO UPDATE SET nickname = excluded.nickname
     RETURNING *`,
    [user.id, user.nickname ?? null],
  );
  return rows[0]!;
}

/** Every row, in key order. */
export async function allUsers(db: pg.Pool): Promise<UserRow[]> {
  return (await db.query<UserRow>("SELECT * FROM users ORDER BY kakao_id")).rows;
}
