import { randomUUID } from "node:crypto";
import type { EmulatorConfig } from "./config.js";
import { opaque } from "./http.js";
import type { EmulatorClock, EmulatorUser } from "./types.js";

/** An issued authorization code and everything the authorize request bound to it. */
export interface CodeRecord {
  userId: string;
  clientId: string;
  redirectUri: string;
  nonce: string | undefined;
  codeChallenge: string | undefined;
  /** An id_token is issued at exchange (OIDC on, or `openid` requested). */
  idToken: boolean;
  authTime: number;
  expiresAt: number;
}

/** The app a grant belongs to, and the key it was issued to (the id_token `aud`). */
export interface GrantApp {
  appId: string;
  clientId: string;
}

/** One code exchange (or SDK login) and the refreshes that follow it (one login "session" at Kakao). */
export interface Grant extends GrantApp {
  id: string;
  userId: string;
  idToken: boolean;
  authTime: number;
}

/** A user's consent to `EmulatorConfig.otherApp`, kept apart from their consent to this app. */
interface ElsewhereConsent {
  agreedScopes: string[];
  connectedAt: string;
}

/** Consent items the other app is assumed to have configured. */
const OTHER_APP_ITEMS = ["profile_nickname", "profile_image", "account_email"];

export interface TokenRecord {
  token: string;
  grant: Grant;
  expiresAt: number;
}

/** Users, consents, codes and tokens. Everything is in memory and keyed by opaque strings. */
export class Store {
  readonly users = new Map<string, EmulatorUser>();
  private readonly initialAgreed = new Map<string, string[]>();
  private readonly codes = new Map<string, CodeRecord>();
  private readonly access = new Map<string, TokenRecord>();
  private readonly refresh = new Map<string, TokenRecord>();
  private readonly elsewhere = new Map<string, ElsewhereConsent>();

  constructor(
    private readonly config: EmulatorConfig,
    private readonly clock: EmulatorClock,
  ) {}

  addUser(input: EmulatorUser): EmulatorUser {
    if (typeof input?.id !== "string" || !/^[1-9]\d{0,18}$/.test(input.id)) {
      throw new TypeError(
        `EmulatorUser.id must be a positive decimal string of at most 19 digits, got ${String(input?.id)}`,
      );
    }
    const user: EmulatorUser = { ...input };
    if (user.email !== undefined) {
      user.isEmailValid ??= true;
      user.isEmailVerified ??= true;
    }
    const initial = user.agreedScopes ? [...user.agreedScopes] : this.defaultAgreed(user);
    user.agreedScopes = [...initial];
    user.linked ??= false;
    if (user.linked) user.connectedAt ??= isoSeconds(this.clock.now());
    this.initialAgreed.set(user.id, initial);
    this.users.set(user.id, user);
    return user;
  }

  /** A known user by id, or a user object (added when its id is new). */
  resolveUser(idOrUser: string | EmulatorUser, caller: string): EmulatorUser {
    if (typeof idOrUser !== "string") return this.users.get(idOrUser.id) ?? this.addUser(idOrUser);
    const user = this.users.get(idOrUser);
    if (!user) throw new TypeError(`${caller}: unknown user ${idOrUser}`);
    return user;
  }

  /** The app's consent items the user has data for. */
  private defaultAgreed(u: EmulatorUser, items: string[] = this.config.consentItems): string[] {
    const has: Record<string, boolean> = {
      profile_nickname: u.nickname !== undefined,
      profile_image: u.profileImage !== undefined || u.thumbnailImage !== undefined,
      profile: u.nickname !== undefined,
      account_email: u.email !== undefined,
    };
    return items.filter((item) => has[item] === true);
  }

  /** A user by id, or by email for `login_hint`. */
  findUser(idOrEmail: string | undefined): EmulatorUser | undefined {
    if (!idOrEmail) return undefined;
    const byId = this.users.get(idOrEmail);
    if (byId) return byId;
    const lower = idOrEmail.toLowerCase();
    for (const u of this.users.values()) if (u.email?.toLowerCase() === lower) return u;
    return undefined;
  }

  /** The user agrees to `requested` (on top of earlier consent, or of the initial set at first link). */
  consent(user: EmulatorUser, requested: string[]): void {
    const base = user.linked ? (user.agreedScopes ?? []) : (this.initialAgreed.get(user.id) ?? []);
    user.agreedScopes = [...new Set([...base, ...requested.filter((s) => s !== "openid")])];
    user.linked = true;
    user.connectedAt ??= isoSeconds(this.clock.now());
  }

  /** The user consents to the other app (an SDK login there); this app's consent is untouched. */
  consentElsewhere(user: EmulatorUser, requested: string[]): void {
    const prior = this.elsewhere.get(user.id);
    const base = prior?.agreedScopes ?? this.defaultAgreed(user, OTHER_APP_ITEMS);
    this.elsewhere.set(user.id, {
      agreedScopes: [...new Set([...base, ...requested.filter((s) => s !== "openid")])],
      connectedAt: prior?.connectedAt ?? isoSeconds(this.clock.now()),
    });
  }

  /** The user as the app `appId` sees them: this app's record itself, or a copy with the other app's consent. */
  asSeenBy(user: EmulatorUser, appId: string): EmulatorUser {
    if (appId === this.config.appId) return user;
    const c = this.elsewhere.get(user.id);
    return {
      ...user,
      agreedScopes: [...(c?.agreedScopes ?? [])],
      connectedAt: c?.connectedAt,
      linked: c !== undefined,
    };
  }

  /** Unlink from `appId` (default this app): consent cleared, every token of that app dies. */
  unlink(userId: string, appId: string = this.config.appId): void {
    if (appId !== this.config.appId) {
      this.elsewhere.delete(userId);
      this.revokeUser(userId, appId);
      return;
    }
    const user = this.users.get(userId);
    if (user) {
      user.linked = false;
      user.agreedScopes = [];
      user.connectedAt = undefined;
    }
    this.revokeUser(userId);
  }

  /** Revokes items; `user` may be an `asSeenBy` view of the other app (then that app's consent changes). */
  revokeConsent(user: EmulatorUser, items: string[], appId: string = this.config.appId): void {
    user.agreedScopes = (user.agreedScopes ?? []).filter((s) => !items.includes(s));
    const c = appId === this.config.appId ? undefined : this.elsewhere.get(user.id);
    if (c) c.agreedScopes = [...user.agreedScopes];
  }

  saveCode(rec: Omit<CodeRecord, "expiresAt">): string {
    const code = opaque(64);
    this.codes.set(code, { ...rec, expiresAt: this.clock.now() + this.config.codeTtl * 1000 });
    return code;
  }

  /** Removes the code (single use) and returns it when it existed and had not expired. */
  takeCode(code: string): CodeRecord | undefined {
    const rec = this.codes.get(code);
    this.codes.delete(code);
    if (!rec || rec.expiresAt <= this.clock.now()) return undefined;
    return rec;
  }

  newGrant(userId: string, idToken: boolean, authTime: number, app: GrantApp): Grant {
    return { id: randomUUID(), userId, idToken, authTime, appId: app.appId, clientId: app.clientId };
  }

  issueAccess(grant: Grant): TokenRecord {
    const rec = { token: opaque(48), grant, expiresAt: this.clock.now() + this.config.accessTokenTtl * 1000 };
    this.access.set(rec.token, rec);
    return rec;
  }

  issueRefresh(grant: Grant): TokenRecord {
    const rec = { token: opaque(48), grant, expiresAt: this.clock.now() + this.config.refreshTokenTtl * 1000 };
    this.refresh.set(rec.token, rec);
    return rec;
  }

  /** The access token record, expired or not (undefined when unknown or revoked). */
  findAccess(token: string): TokenRecord | undefined {
    return this.access.get(token);
  }

  /** A live refresh token, else undefined (unknown, expired, superseded or revoked). */
  findRefresh(token: string): TokenRecord | undefined {
    const rec = this.refresh.get(token);
    return rec && rec.expiresAt > this.clock.now() ? rec : undefined;
  }

  dropRefresh(token: string): void {
    this.refresh.delete(token);
  }

  /** Logout with a user token: every token of that grant dies. */
  revokeGrant(grantId: string): void {
    for (const m of [this.access, this.refresh]) for (const [k, r] of m) if (r.grant.id === grantId) m.delete(k);
  }

  /** Logout with the admin key / unlink: every token of the user for `appId` (default this app) dies. */
  revokeUser(userId: string, appId: string = this.config.appId): void {
    for (const m of [this.access, this.refresh])
      for (const [k, r] of m) if (r.grant.userId === userId && r.grant.appId === appId) m.delete(k);
  }

  /** Live tokens of the user for this app (any of its keys). */
  tokensOf(userId: string): { accessTokens: string[]; refreshTokens: string[] } {
    const now = this.clock.now();
    const mine = (r: TokenRecord) => r.grant.userId === userId && r.grant.appId === this.config.appId;
    const live = (m: Map<string, TokenRecord>) =>
      [...m.values()].filter((r) => mine(r) && r.expiresAt > now).map((r) => r.token);
    return { accessTokens: live(this.access), refreshTokens: live(this.refresh) };
  }
}

/** RFC 3339 UTC without milliseconds, as Kakao writes `connected_at`. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}
