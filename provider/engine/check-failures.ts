import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { isClockIssue } from "../api/rules";
import { type Props, reachesUnknown, sameValue, valueAt } from "./values";

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

/**
 * Check failures naming each field by its dotted path. The Pulumi engine prints the program's value of a failure's
 * `property` (`property x value {…} has a problem`), even a secret one. So a failure about a field that holds or
 * contains a secret (`secretPaths`: write-only inputs, secret outputs), or about a key we do not know (it could be
 * a misspelt secret), names the field in the reason and leaves `property` empty: the engine then prints no value.
 * Reasons never carry the value themselves.
 */
export function checkFailures(issues: readonly z.core.$ZodIssue[], secretPaths: readonly string[]): pulumi.dynamic.CheckFailure[] {
  const holdsSecret = (path: string) =>
    secretPaths.some((secret) => secret === path || secret.startsWith(`${path}.`) || path.startsWith(`${secret}.`));
  const reasons = new Map<string, string[]>(); // one failure per field, all its reasons
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = [...issue.path, ...(key ? [key] : [])].map(String).join(".");
      const list = reasons.get(path) ?? reasons.set(path, []).get(path)!;
      list.push(key ? "unknown property" : issue.message);
    }
  }
  return [...reasons].map(([path, list]) => {
    const reason = list.join("; ");
    if (list.includes("unknown property")) return { property: "", reason: `unknown property "${path}"` };
    return holdsSecret(path) ? { property: "", reason: `${path}: ${reason}` } : { property: path, reason };
  });
}

/** The field a failure is about, however it was rendered (for tests and messages). */
export function failedField(failure: pulumi.dynamic.CheckFailure): string {
  if (failure.property) return failure.property;
  return /^unknown property "([^"]+)"$/.exec(failure.reason)?.[1] ?? failure.reason.slice(0, failure.reason.indexOf(":"));
}
