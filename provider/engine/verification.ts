import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import { type Diagnostics, diagnosticsFor } from "./diagnostics";
import { ENGINE_KEYS } from "./keys";
import { containsUnknown, omit, type Props, sameValue } from "./values";

/**
 * Pre-change verification: a resource may ask the API about its candidate (the desired inputs) before anything is
 * created or changed, and attach what it learns to the resource in the preview. Pulumi calls only configure,
 * check and diff in a preview (and both again in the update phase of `up`), so this is where it can happen:
 * - `beforeChange` runs in check() when the inputs differ from the stored ones (always on create); its failures
 *   fail the preview like validation errors, and in `up` they stop the resource before its create or update;
 * - `onUpdate` runs in diff() when the resource is about to be updated in place; throwing stops the preview.
 *
 * The inputs it declares are the user's instructions to the verification: validated with the other inputs, never
 * sent to the API, never a diff of their own (changing only them updates nothing in PgBeam).
 */
export interface PreChangeVerification {
  inputs: string[];
  beforeChange?(context: VerificationContext): Promise<pulumi.dynamic.CheckFailure[]>;
  onUpdate?(context: VerificationContext & { id: string }): Promise<void>;
}

export interface VerificationContext {
  /** The checked desired inputs; may hold unknown values in a preview. */
  candidate: Props;
  /** Stored inputs (check) or outputs (diff) of the current object; empty on create. */
  previous: Props;
  /** Top-level candidate inputs not known yet (preview): most verifications can only say so. */
  unknownInputs: string[];
  client(): PgBeamClient;
  /** Messages attached to this resource in the CLI's output. */
  diagnostics: Diagnostics;
  /** The resource's name in the program, for self-contained messages. */
  urn?: string;
}


function context(candidate: Props, previous: Props, urn: unknown, client: () => PgBeamClient): VerificationContext {
  return {
    candidate,
    previous,
    unknownInputs: Object.keys(candidate).filter((key) => containsUnknown(candidate[key])),
    client,
    diagnostics: diagnosticsFor(urn),
    urn: typeof urn === "string" ? urn : undefined,
  };
}

/** check()'s hook: verifies a candidate that would create or change the object. */
export async function verifyBeforeChange(
  verification: PreChangeVerification | undefined,
  candidate: Props,
  olds: Props,
  urn: unknown,
  client: () => PgBeamClient,
): Promise<pulumi.dynamic.CheckFailure[]> {
  if (!verification?.beforeChange) return [];
  const previous = omit(olds, ENGINE_KEYS);
  if (Object.keys(previous).length > 0 && sameValue(candidate, previous)) return [];
  return verification.beforeChange(context(candidate, previous, urn, client));
}

/** diff()'s hook: runs for in-place updates only (a replacement is a new object with nothing to compare). */
export async function verifyUpdate(
  verification: PreChangeVerification | undefined,
  id: string,
  candidate: Props,
  olds: Props,
  urn: unknown,
  client: () => PgBeamClient,
): Promise<void> {
  if (!verification?.onUpdate) return;
  await verification.onUpdate({ ...context(candidate, omit(olds, ENGINE_KEYS), urn, client), id });
}
