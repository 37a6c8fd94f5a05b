// The SPA: plain ES module, no framework, no build step. Every call to the API carries the
// session cookie (`credentials: "include"`); the API answers with CORS headers for this origin.
import { API_ORIGIN } from "/config.mjs";

const status = document.getElementById("status");
const signIn = document.getElementById("signin");
const userBox = document.getElementById("user");
const signOut = document.getElementById("signout");

// The API's login comes back here: an absolute returnTo, accepted because this origin is in the
// API's `allowedOrigins` (any other absolute URL would land on the API's own "/").
signIn.href = `${API_ORIGIN}/auth/signin/kakao?returnTo=${encodeURIComponent(`${location.origin}/`)}`;

function show(user) {
  signIn.hidden = Boolean(user);
  signOut.hidden = !user;
  userBox.hidden = !user;
  userBox.textContent = user ? JSON.stringify(user, null, 2) : "";
  status.textContent = user ? `안녕하세요, ${user.nickname ?? user.id}님` : "로그인하지 않았습니다.";
}

async function loadUser() {
  // Accept: JSON, so the guard answers 401 instead of redirecting to the login page.
  const res = await fetch(`${API_ORIGIN}/me`, { credentials: "include", headers: { accept: "application/json" } });
  if (res.status === 401) return show(undefined);
  if (!res.ok) throw new Error(`GET /me answered ${res.status}`);
  show(await res.json());
}

signOut.addEventListener("click", async () => {
  // A bodiless POST is a "simple" CORS request (no preflight); the API's sign-out accepts it
  // because the browser's Origin header names an allowed origin (its CSRF check).
  const res = await fetch(`${API_ORIGIN}/auth/signout`, { method: "POST", credentials: "include" });
  if (!res.ok) status.textContent = `로그아웃 실패 (${res.status})`;
  await loadUser();
});

loadUser().catch((err) => {
  status.textContent = `API에 연결할 수 없습니다: ${err.message}`;
});
