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

/** One failure per field (dotted path), with all its reasons; an unknown key is named in its reason. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): CheckFailure[] {
  const reasons = new Map<string, string[]>();
  for (const issue of issues) {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    for (const key of keys) {
      const path = [...issue.path, ...(key ? [key] : [])].map(String).join(".");
      const list = reasons.get(path) ?? reasons.set(path, []).get(path)!;
      list.push(key ? UNKNOWN_PROPERTY : issue.message);
    }
  }
  return [...reasons].map(([property, list]) =>
    list.includes(UNKNOWN_PROPERTY) ? { property, reason: `${UNKNOWN_PROPERTY} "${property}"` } : { property, reason: list.join("; ") },
  );
}

/**
 * Check failures as the engine may print them. The Pulumi engine prints the program's value of a failure's
 * `property` (`property x value {…} has a problem`), even a secret one. So a failure about a field that holds or
 * contains a secret (`secretPaths`: write-only inputs, secret outputs), or about a key we do not know (it could be
 * a misspelt secret), names the field in its reason and leaves `property` empty: the engine then prints no value.
 * Reasons never carry the value themselves.
 */
export function checkFailures(failures: readonly CheckFailure[], secretPaths: readonly string[]): CheckFailure[] {
  const holdsSecret = (path: string) =>
    secretPaths.some((secret) => secret === path || secret.startsWith(`${path}.`) || path.startsWith(`${secret}.`));
  return failures.map(({ property, reason }) => {
    if (reason.startsWith(UNKNOWN_PROPERTY)) return { property: "", reason };
    return holdsSecret(property) ? { property: "", reason: `${property}: ${reason}` } : { property, reason };
  });
}
