/** Values every scenario shares, so each serves the same user and the parent can mint cookies. */
export const SECRET = "bench-secret-0123456789-abcdefghijklmnop";
export const USER_ID = "4000000001";

/** What our package's `req.kakaoUser` looks like for the emulator's default user (the plain-Express body). */
export const USER = {
  id: USER_ID,
  nickname: "카카오 사용자",
  profileImage: "http://k.kakaocdn.net/dn/emulator/img_640x640.jpg",
  thumbnailImage: "http://k.kakaocdn.net/dn/emulator/img_110x110.jpg",
  email: "user@example.com",
  emailVerified: true,
  scopes: ["profile_nickname", "profile_image", "account_email"],
  authTime: 1767225600,
};

/** Tokens of a similar size to Kakao's, for stores the bench fills without a real login (passport). */
export const TOKENS = {
  accessToken: "x".repeat(54),
  refreshToken: "y".repeat(54),
  expiresAt: 1767247199,
  refreshTokenExpiresAt: 1772409599,
};
