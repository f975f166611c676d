import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { isClockIssue } from "../api/rules";
import { type Props, reachesUnknown, sameValue, valueAt } from "./values";

type CheckFailure = pulumi.dynamic.CheckFailure;

/**
 * Which validation issues are the user's to fix: not those that run into a value unknown in preview, nor a
 * clock-judged one (an expiry "in the future") about a value that is unchanged since it was applied.
 */
export function userIssues(issues: readonly z.core.$ZodIssue[], news: Props, olds: Props): z.core.$ZodIssue[] {
  return issues.filter((issue) => {
    if (reachesUnknown(news, issue.path)) return false;
    const params = (issue as { params?: unknown }).params;
    return !(isClockIssue(params) && sameValue(params.normalized, valueAt(olds, issue.path)));
  });
}

const UNKNOWN_PROPERTY = "unknown property";

/** A field as the program writes it: `allowedCidrs[0].cidr`, `labels["team name"]`. */
export function fieldName(path: readonly PropertyKey[]): string {
  return path
    .map((key, index) => {
      if (typeof key === "number") return `[${key}]`;
      const name = String(key);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join("");
}

/**
 * Check failures, one per field with all its reasons, as the engine prints them. The engine prints a failure with
 * a `property` as `property <p> value <inputs[p]> has a problem: <reason>`, looking `p` up as a top-level key only:
 * for a nested field that prints `value {<nil>}`, and for a secret it prints the value. So `property` is set only
 * for a top-level field that holds a value and no secret (`secretPaths`: dotted paths of write-only inputs and
 * secret outputs); any other failure leaves it empty, and its reason starts with the field as the program writes it
 * (`allowedCidrs[0].cidr: …`), or names the key we do not know (it could be a misspelt secret). Reasons never carry
 * the value.
 */
export function checkFailures(issues: readonly z.core.$ZodIssue[], given: Props, secretPaths: readonly string[]): CheckFailure[] {
  const fields = new Map<string, { path: PropertyKey[]; reasons: string[]; unknown: boolean }>();
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = key === undefined ? [...issue.path] : [...issue.path, key];
      const name = fieldName(path);
      const field = fields.get(name) ?? fields.set(name, { path, reasons: [], unknown: false }).get(name)!;
      if (key === undefined) field.reasons.push(issue.message);
      else field.unknown = true;
    }
  }
  const holdsSecret = (dotted: string) =>
    secretPaths.some((secret) => secret === dotted || secret.startsWith(`${dotted}.`) || dotted.startsWith(`${secret}.`));
  return [...fields].map(([name, { path, reasons, unknown }]) => {
    if (unknown) return { property: "", reason: `${UNKNOWN_PROPERTY} "${name}"` };
    const reason = reasons.join("; ");
    const printable = path.length === 1 && valueAt(given, path) !== undefined && !holdsSecret(path.map(String).join("."));
    return printable ? { property: name, reason } : { property: "", reason: `${name}: ${reason}` };
  });
}
