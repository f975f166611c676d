import type * as pulumi from "@pulumi/pulumi";

/**
 * The field a check failure is about, however check-failures.ts rendered it: in `property`, or (for a field that
 * holds a secret, or an unknown key) named in the reason as `<field>: …` or `unknown property "<field>"`.
 */
export function failedField(failure: pulumi.dynamic.CheckFailure): string {
  if (failure.property) return failure.property;
  const unknown = /^unknown property "([^"]+)"$/.exec(failure.reason);
  return unknown?.[1] ?? failure.reason.slice(0, failure.reason.indexOf(":"));
}
