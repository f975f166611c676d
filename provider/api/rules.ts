/**
 * What the API rejects beyond what JSON Schema can say: the generated schemas apply these where the spec states
 * them in words (a date-time that "must be in the future", an "HTTPS endpoint", a "CIDR range", an id) or where the
 * API is known to refuse a value (see API_RULES in scripts/generate-schemas.ts). Each rule registers its metadata in
 * `apiRules`, with values the API accepts and refuses, so tests can generate inputs that break it.
 */
import { isIP } from "node:net";
import { z } from "zod";

export interface RuleMeta {
  /** The rule's name, for test case names. */
  rule: string;
  /** Values the API accepts (the first is the one used as a valid example). */
  accepted: unknown[];
  /** Values that break the rule. For an object rule: partial objects laid over a valid one. */
  refused: unknown[];
  /** For an object rule, the field its failure is reported under. */
  field?: string;
}

export const apiRules = z.registry<RuleMeta>();

function withRule<S extends z.ZodType>(schema: S, meta: RuleMeta): S {
  apiRules.add(schema as z.ZodType, meta);
  return schema;
}

/**
 * Issue params of a rule judged against the clock. Such a value passed when it was first sent and may fail later
 * without anything changing: the engine drops the issue when the value equals the one already applied, and uses
 * `normalized` as the value.
 */
export interface ClockIssueParams {
  clockDependent: true;
  normalized: unknown;
}

export function isClockIssue(params: unknown): params is ClockIssueParams {
  return typeof params === "object" && params !== null && (params as ClockIssueParams).clockDependent === true;
}

let clockIgnored = false;

/**
 * Runs a (synchronous) parse with the clock-judged rules switched off: for values already applied, such as a
 * credential's expiry read back from the API, or kept unchanged in the program after it passed.
 */
export function ignoringClock<T>(parse: () => T): T {
  clockIgnored = true;
  try {
    return parse();
  } finally {
    clockIgnored = false;
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** RFC 3339 date-time (`t` and `z` may be lower case), with a real calendar date and time. */
export function isRfc3339(value: string): boolean {
  const match = RFC3339.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const date = new Date(Date.UTC(year, month - 1, day));
  const offsetOk = match[9] === undefined || (Number(match[9]) < 24 && Number(match[10]) < 60);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && offsetOk;
}

/** A date-time, made canonical (UTC, milliseconds) so a server that re-formats it does not look like a change. */
export const dateTime = () =>
  z
    .string()
    .refine(isRfc3339, { message: "must be an RFC 3339 date-time, e.g. 2030-01-31T00:00:00Z", abort: true })
    .transform((value) => new Date(value.toUpperCase()).toISOString());

/** The spec says "must be in the future". */
export function inFuture<T extends z.ZodType<string, string>>(schema: T) {
  const refined = schema.superRefine((value, ctx) => {
    if (clockIgnored || Date.parse(value) > Date.now()) return;
    const params: ClockIssueParams = { clockDependent: true, normalized: value };
    ctx.addIssue({ code: "custom", message: "must be in the future", params });
  });
  return withRule(refined, {
    rule: "future timestamp",
    accepted: ["2999-01-31T00:00:00Z", "2999-01-31t00:00:00z", "2999-01-31T01:00:00.123+01:00"],
    refused: ["2001-01-31T00:00:00Z", "2001-01-31t00:00:00z", "2999-02-30T00:00:00Z", "2999-01-31T00:00Z", "tomorrow"],
  });
}

function isHttpsUrl(value: string): boolean {
  if (!/^https:\/\/[^\s/?#]/i.test(value)) return false;
  try {
    return new URL(value).hostname !== "";
  } catch {
    return false;
  }
}

/** The spec says "HTTPS endpoint". */
export const httpsUrl = <T extends z.ZodString>(schema: T) =>
  withRule(schema.refine(isHttpsUrl, "must be an https:// URL with a host"), {
    rule: "https URL",
    accepted: ["https://hooks.example.com/pgbeam", "https://203.0.113.7:8443/in?x=1", "HTTPS://EXAMPLE.COM"],
    refused: [
      "http://hooks.example.com/pgbeam",
      "https://",
      "https:///path",
      "https:hooks.example.com",
      "https://exa mple.com",
      "hooks.example.com",
    ],
  });

function isCidr(value: string): boolean {
  const parts = value.split("/");
  if (parts.length > 2) return false;
  const version = isIP(parts[0]);
  if (version === 0) return false;
  if (parts.length === 1) return true;
  return /^\d{1,3}$/.test(parts[1]) && Number(parts[1]) <= (version === 4 ? 32 : 128);
}

/** The spec says "CIDR range in IPv4 … or IPv6 … notation"; its pattern alone lets `300.1.1.1/40` through. */
export const cidr = <T extends z.ZodString>(schema: T) =>
  withRule(schema.refine(isCidr, "must be an IPv4 or IPv6 address with an optional prefix length (at most /32 or /128)"), {
    rule: "CIDR",
    accepted: ["10.0.0.0/8", "203.0.113.5", "2001:db8::/32", "::1", "0.0.0.0/0"],
    refused: ["10.20.0.0/33", "300.1.1.1/40", "10.0.0/8", "2001:db8::/129", "2001:db8:::1/64", "10.0.0.0/8/8", "10.0.0.0/"],
  });

/** An object's id: never empty (the API answers 400 or, in a path, another route). */
export const id = <T extends z.ZodString>(schema: T) =>
  withRule(schema.min(1), { rule: "id", accepted: ["pol_01h455vb4pex5vsknk084sn02q"], refused: [""] });

/** The API refuses `status: "deleted"` on update: a project is deleted with DELETE (removing the resource). */
export const settableProjectStatus = <T extends z.ZodType<string>>(schema: T) =>
  withRule(
    schema.refine((value) => value !== "deleted", 'cannot be set to "deleted": remove the resource to delete the project'),
    {
      rule: "settable status",
      accepted: ["active", "suspended"],
      refused: ["deleted"],
    },
  );

/** The API refuses a pool whose minimum exceeds its size (after defaults). */
export const poolSizeOrder = <T extends z.ZodObject<{ poolSize: z.ZodType<number>; minPoolSize: z.ZodType<number> }>>(schema: T) =>
  withRule(
    schema.refine((pool) => pool.minPoolSize <= pool.poolSize, { message: "must not exceed poolSize", path: ["minPoolSize"] }),
    {
      rule: "minPoolSize <= poolSize",
      field: "minPoolSize",
      accepted: [{ poolSize: 5, minPoolSize: 5 }],
      refused: [{ poolSize: 5, minPoolSize: 6 }, { minPoolSize: 11 }],
    },
  );
