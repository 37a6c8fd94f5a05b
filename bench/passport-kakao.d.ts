// passport-kakao ships no types; the bench needs only the Strategy constructor.
declare module "passport-kakao" {
  import type { Strategy as PassportStrategy } from "passport";
  export class Strategy extends PassportStrategy {
    constructor(
      options: { clientID: string; clientSecret?: string; callbackURL: string },
      verify: (
        accessToken: string,
        refreshToken: string,
        profile: unknown,
        done: (err: unknown, user?: unknown) => void,
      ) => void,
    );
  }
}
