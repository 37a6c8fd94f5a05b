import express from "express";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { bigserial, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { kakaoAuth, requireKakaoUser, type KakaoUser } from "../../../lib/index.js";

declare module "../../../lib/index.js" {
  interface KakaoUser {
    /** users.app_user_id: your own id for this user, the one the rest of your schema references. */
    appUserId?: string;
  }
}

export const users = pgTable("users", {
  kakaoId: text("kakao_id").primaryKey(),
  appUserId: bigserial("app_user_id", { mode: "bigint" }).unique(), // "bigint", never "number"
  nickname: text("nickname"),
  createdAt: timestamp("created_at", { withTimezone: true }).defaultNow(),
});

export const db = drizzle(process.env.DATABASE_URL!);

/** The user's row, created at the first login. One statement: concurrent first logins can't duplicate it. */
export async function findOrCreateUser(user: KakaoUser) {
  const [row] = await db
    .insert(users)
    .values({ kakaoId: user.id, nickname: user.nickname ?? null })
    .onConflictDoUpdate({ target: users.kakaoId, set: { nickname: sql`excluded.nickname` } })
    .returning();
  return row!;
}

export const app = express();
app.use(
  kakaoAuth({
    onSignIn: async ({ user }) => {
      const row = await findOrCreateUser(user);
      return { ...user, appUserId: String(row.appUserId) };
    },
  }),
);

app.get("/me", requireKakaoUser(), async (req, res) => {
  const [row] = await db
    .select()
    .from(users)
    .where(eq(users.appUserId, BigInt(req.kakaoUser!.appUserId!)));
  res.json({ kakaoId: row!.kakaoId, appUserId: String(row!.appUserId), nickname: row!.nickname });
});
