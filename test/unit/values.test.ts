import { z } from "zod";
import { canonical, clearValueFor, reachesUnknown, sameValue, UNKNOWN } from "../../provider/engine/values";

describe("clearValueFor: what a PATCH sends for a removed field", () => {
  it.each([
    ["a defaulted enum", z.enum(["any", "eu"]).default("any"), "any"],
    ["a defaulted boolean", z.boolean().default(false), false],
    ["a nullable string", z.string().nullable().optional(), null],
    ["a plain optional string", z.string().max(5).optional(), ""],
    [
      "a transformed string",
      z
        .string()
        .transform((s) => s)
        .optional(),
      "",
    ],
    ["a list", z.array(z.string()).optional(), []],
    ["an object with defaults", z.object({ a: z.number().default(1) }).prefault({}), {}],
  ])("%s", (_what, schema, expected) => {
    expect(clearValueFor(schema as z.ZodType)).toEqual(expected);
  });
});

describe("sameValue: absent, null, empty text, [] and {} are one value", () => {
  it("treats empties alike, key order aside, but not 0 or false", () => {
    expect(sameValue(undefined, "")).toBe(true);
    expect(sameValue(null, [])).toBe(true);
    expect(sameValue({ a: { b: "" } }, undefined)).toBe(true);
    expect(sameValue({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(true);
    expect(sameValue(0, undefined)).toBe(false);
    expect(sameValue(false, undefined)).toBe(false);
    expect(sameValue(["a"], ["a", "b"])).toBe(false);
  });
});

describe("canonical: an old output in checked-input form", () => {
  const schema = z.strictObject({ cidr: z.string().transform((c) => (c.includes("/") ? c : `${c}/32`)), label: z.string().optional() });
  it("drops output-only fields and applies the input's normalization", () => {
    expect(canonical(z.array(schema), [{ cidr: "10.0.0.1", label: "x", createdAt: "t" }])).toEqual([{ cidr: "10.0.0.1/32", label: "x" }]);
  });
  it("reads an absent field as its default", () => {
    expect(canonical(z.enum(["any", "eu"]).default("any"), undefined)).toBe("any");
  });
});

describe("reachesUnknown", () => {
  const value = { database: { password: UNKNOWN, port: 70000 }, list: [UNKNOWN], whole: UNKNOWN };
  it("is true only where the issue's own path runs into an unknown", () => {
    expect(reachesUnknown(value, ["database", "password"])).toBe(true);
    expect(reachesUnknown(value, ["whole", "anything"])).toBe(true);
    expect(reachesUnknown(value, ["list", 0])).toBe(true);
    expect(reachesUnknown(value, ["database", "port"])).toBe(false);
    expect(reachesUnknown(value, ["database"])).toBe(false);
  });
});
