import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  defaultKakaoUser,
  parseKakaoProfileJSON,
  splitScopes,
  toKakaoProfile,
  type KakaoProfile,
} from "../lib/kakao/profile.js";

const BIG = "1376016924429759228";
const parse = (text: string) => toKakaoProfile(parseKakaoProfileJSON(text));

describe("parseKakaoProfileJSON", () => {
  it("TOK-09: keeps a 19-digit id exact", () => {
    expect(parse(`{"id":${BIG},"connected_at":"2022-04-11T01:45:28Z"}`).id).toBe(BIG);
  });

  it("keeps the largest int64 and a 20-digit id exact", () => {
    expect(parse('{"id":9223372036854775807}').id).toBe("9223372036854775807");
    expect(parse('{"id":18446744073709551615}').id).toBe("18446744073709551615");
  });

  it("keeps an id exact wherever it sits among the top-level keys, with whitespace around it", () => {
    expect(parse(`{"connected_at":"2022-04-11T01:45:28Z","kakao_account":{"profile":{}},"id" :  ${BIG} }`).id).toBe(
      BIG,
    );
  });

  it("turns a small id into a decimal string too", () => {
    expect(parse('{"id":42}').id).toBe("42");
  });

  it("leaves an id already sent as a string as it is", () => {
    expect(parse(`{"id":"${BIG}"}`).id).toBe(BIG);
  });

  it("ignores an id nested inside another object and still quotes the top-level one", () => {
    const value = parseKakaoProfileJSON(
      `{"for_partner":{"id":123},"id":${BIG},"properties":{"id":9007199254740993}}`,
    ) as Record<string, unknown>;
    expect(value.id).toBe(BIG);
    expect(value.for_partner).toEqual({ id: 123 });
    expect((value.properties as { id: unknown }).id).toBeTypeOf("number");
  });

  it("ignores an id inside an array", () => {
    const value = parseKakaoProfileJSON(`{"list":[{"id":1},"id"],"id":${BIG}}`) as Record<string, unknown>;
    expect(value.id).toBe(BIG);
    expect(value.list).toEqual([{ id: 1 }, "id"]);
  });

  it('ignores "id": written inside a string value', () => {
    const text = `{"properties":{"nickname":"\\"id\\":1"},"note":"x\\",\\"id\\":5","id":${BIG}}`;
    const value = parseKakaoProfileJSON(text) as { id: string; note: string; properties: { nickname: string } };
    expect(value.id).toBe(BIG);
    expect(value.note).toBe('x","id":5');
    expect(value.properties.nickname).toBe('"id":1');
  });

  it('does not take a string value "id" for the key', () => {
    const value = parseKakaoProfileJSON(`{"key":"id","n":7,"id":${BIG}}`) as Record<string, unknown>;
    expect(value).toEqual({ key: "id", n: 7, id: BIG });
  });

  it("leaves braces and brackets inside strings out of the nesting count", () => {
    const value = parseKakaoProfileJSON(`{"nickname":"{[}}]","id":${BIG}}`) as Record<string, unknown>;
    expect(value.id).toBe(BIG);
    expect(value.nickname).toBe("{[}}]");
  });

  it("parses everything else as JSON.parse does", () => {
    const text = `{"id":${BIG},"kakao_account":{"email":"a@example.com","is_email_valid":true},"properties":{"nickname":"카카오"}}`;
    const { id: _id, ...rest } = parseKakaoProfileJSON(text) as Record<string, unknown>;
    const { id: _theirs, ...expected } = JSON.parse(text) as Record<string, unknown>;
    expect(rest).toEqual(expected);
  });

  it("keeps any int64 id exact and every other value as JSON.parse reads it (property)", () => {
    const rest = fc.dictionary(
      fc.string().filter((k) => k !== "id" && k !== "__proto__"),
      fc.jsonValue(),
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(rest, fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }), fc.boolean(), (others, id, idFirst) => {
        const body = JSON.stringify(others).slice(1, -1);
        const idPair = `"id":${id}`;
        const text = `{${[idFirst ? idPair : body, idFirst ? body : idPair].filter(Boolean).join(",")}}`;
        const { id: parsedId, ...parsedRest } = parseKakaoProfileJSON(text) as Record<string, unknown>;
        const { id: _theirs, ...expected } = JSON.parse(text) as Record<string, unknown>;
        expect(parsedId).toBe(String(id));
        expect(parsedRest).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it("throws on text that is not JSON", () => {
    expect(() => parseKakaoProfileJSON("<html>")).toThrow(SyntaxError);
  });
});

describe("toKakaoProfile", () => {
  it.each([
    ["no id", "{}"],
    ["a null id", '{"id":null}'],
    ["a negative id", '{"id":-5}'],
    ["a fractional id", '{"id":1.5}'],
    ["an id in exponent notation", '{"id":1e21}'],
    ["an id that is not digits", '{"id":"abc"}'],
    ["an id that is empty", '{"id":""}'],
    ["an id of 21 digits", '{"id":123456789012345678901}'],
    ["an id only in a nested object", '{"for_partner":{"id":5}}'],
    ["an id written with an escaped key", '{"i\\u0064":1376016924429759228}'],
    ["a top-level array", "[1]"],
    ["a top-level null", "null"],
  ])("rejects a profile with %s", (_name, text) => {
    expect(() => parse(text)).toThrow(TypeError);
  });
});

describe("defaultKakaoUser", () => {
  const profile = (over: Partial<KakaoProfile> = {}): KakaoProfile => ({ id: BIG, ...over });
  const email = (valid: boolean | undefined, verified: boolean | undefined) =>
    defaultKakaoUser(
      profile({ kakao_account: { email: "u@example.com", is_email_valid: valid, is_email_verified: verified } }),
      {},
      0,
    );

  it("TOK-10: sets email and emailVerified when the address is valid and verified", () => {
    expect(email(true, true)).toMatchObject({ email: "u@example.com", emailVerified: true });
  });

  it.each([
    [true, false],
    [false, true],
    [false, false],
    [undefined, true],
    [true, undefined],
  ])(
    "TOK-10: leaves email out and emailVerified false when is_email_valid=%s and is_email_verified=%s",
    (valid, verified) => {
      const user = email(valid, verified);
      expect(user.email).toBeUndefined();
      expect("email" in user).toBe(false);
      expect(user.emailVerified).toBe(false);
    },
  );

  it("TOK-10: a valid and verified flag without an address gives no email and emailVerified false", () => {
    const user = defaultKakaoUser(profile({ kakao_account: { is_email_valid: true, is_email_verified: true } }), {}, 0);
    expect(user).toMatchObject({ emailVerified: false });
    expect(user.email).toBeUndefined();
  });

  it("keeps the exact id string", () => {
    expect(defaultKakaoUser(profile(), {}, 0).id).toBe(BIG);
  });

  it("takes the nickname and images from kakao_account.profile", () => {
    const user = defaultKakaoUser(
      profile({
        kakao_account: {
          profile: {
            nickname: "라이언",
            profile_image_url: "https://k.kakaocdn.net/p.jpg",
            thumbnail_image_url: "https://k.kakaocdn.net/t.jpg",
          },
        },
        properties: { nickname: "옛이름", profile_image: "https://old/p.jpg", thumbnail_image: "https://old/t.jpg" },
      }),
      {},
      0,
    );
    expect(user).toMatchObject({
      nickname: "라이언",
      profileImage: "https://k.kakaocdn.net/p.jpg",
      thumbnailImage: "https://k.kakaocdn.net/t.jpg",
    });
  });

  it("falls back to the legacy properties for nickname and images", () => {
    const user = defaultKakaoUser(
      profile({
        properties: { nickname: "옛이름", profile_image: "https://old/p.jpg", thumbnail_image: "https://old/t.jpg" },
      }),
      {},
      0,
    );
    expect(user).toMatchObject({
      nickname: "옛이름",
      profileImage: "https://old/p.jpg",
      thumbnailImage: "https://old/t.jpg",
    });
  });

  it("leaves nickname and images out when Kakao sent none", () => {
    const user = defaultKakaoUser(profile({ kakao_account: { profile_nickname_needs_agreement: true } }), {}, 0);
    expect(Object.keys(user).sort()).toEqual(["authTime", "emailVerified", "id", "scopes"]);
  });

  it("takes scopes from the token response's space-separated scope and authTime as given", () => {
    const user = defaultKakaoUser(profile(), { scope: "profile_nickname account_email talk_message" }, 1_700_000_000);
    expect(user.scopes).toEqual(["profile_nickname", "account_email", "talk_message"]);
    expect(user.authTime).toBe(1_700_000_000);
  });

  it("has no scopes when the token response has none", () => {
    expect(defaultKakaoUser(profile(), {}, 0).scopes).toEqual([]);
  });
});

describe("splitScopes", () => {
  it("splits spaces, commas and plus signs and drops duplicates and blanks", () => {
    expect(splitScopes(" a,b  c+a ,")).toEqual(["a", "b", "c"]);
  });

  it("returns [] for nothing", () => {
    expect(splitScopes(undefined)).toEqual([]);
    expect(splitScopes(null)).toEqual([]);
    expect(splitScopes("")).toEqual([]);
  });
});
