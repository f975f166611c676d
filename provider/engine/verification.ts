import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import type { DeploymentMemory } from "./deployment-memory";
import { type Diagnostics, diagnosticsFor } from "./diagnostics";
import { ENGINE_KEYS } from "./keys";
import { type RunReader, runReader } from "./predictions";
import { containsUnknown, omit, type Props, sameValue } from "./values";

/**
 * Pre-change verification: a resource may ask the API about its candidate (the desired inputs) before anything is
 * created or changed, and attach what it learns to the resource in the preview. Pulumi calls only configure,
 * check and diff in a preview (and both again in the update phase of `up`), so this is where it can happen:
 * - `beforeChange` runs in check() when the inputs differ from the stored ones (always on create); its failures
 *   fail the preview like validation errors, and in `up` they stop the resource before its create or update;
 * - `onUpdate` runs in diff() when the resource is about to be updated in place, and again in update() before the
 *   first call. Since pulumi#16146 `pulumi refresh` calls diff() too (refreshed state against the inputs), and a
 *   refresh must never fail on what someone changed in the console: diff() runs it in `report` mode unless
 *   check() saw the resource in this deployment (`DeploymentMemory.checkedUrns`: only a program run, i.e. preview
 *   or up, calls check), and update(), which refresh never calls, always as `gate`.
 *
 * The inputs it declares are the user's instructions to the verification: validated with the other inputs, never
 * sent to the API, never a diff of their own (changing only them updates nothing in PgBeam).
 */
export interface PreChangeVerification {
  inputs: string[];
  beforeChange?(context: VerificationContext): Promise<pulumi.dynamic.CheckFailure[]>;
  onUpdate?(context: UpdateContext): Promise<void>;
}

export interface UpdateContext extends VerificationContext {
  id: string;
  /**
   * `enforce` (diff in preview and up): report, and a breached gate throws (nothing is changed); `report` (diff in a
   * refresh): a breach is only a warning; `gate` (update, before its first call): only the gate, silently.
   */
  mode: "enforce" | "report" | "gate";
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
  /**
   * The answer of `ask` under `key` (which must name the object and the candidate), asked once per deployment: `up`
   * verifies a change in diff() and again in update(), and the second may reuse the first's answer. A failed answer
   * is not kept. See `DeploymentMemory.verificationAnswers`.
   */
  onceThisDeployment<T>(key: string, ask: () => Promise<T>): Promise<T>;
  /** Read-only calls made once per deployment and shared with the predictions (see ./predictions `runReader`). */
  reads(): RunReader;
}

/** update() re-runs the verification as a gate only: diff() already attached its messages to the resource. */
const silent: Diagnostics = { info: async () => {}, warn: async () => {} };

function context(
  candidate: Props,
  previous: Props,
  urn: unknown,
  client: () => PgBeamClient,
  memory: DeploymentMemory,
  diagnostics = diagnosticsFor(urn),
): VerificationContext {
  return {
    candidate,
    previous,
    unknownInputs: Object.keys(candidate).filter((key) => containsUnknown(candidate[key])),
    client,
    diagnostics,
    urn: typeof urn === "string" ? urn : undefined,
    onceThisDeployment: (key, ask) => memory.answerOnce(key, ask),
    reads: () => runReader(client(), memory),
  };
}

/** check()'s hook: verifies a candidate that would create or change the object. */
export async function verifyBeforeChange(
  verification: PreChangeVerification | undefined,
  candidate: Props,
  olds: Props,
  urn: unknown,
  client: () => PgBeamClient,
  memory: DeploymentMemory,
): Promise<pulumi.dynamic.CheckFailure[]> {
  if (typeof urn === "string") memory.checkedUrns.add(urn);
  if (!verification?.beforeChange) return [];
  const previous = omit(olds, ENGINE_KEYS);
  if (Object.keys(previous).length > 0 && sameValue(candidate, previous)) return [];
  return verification.beforeChange(context(candidate, previous, urn, client, memory));
}

/**
 * diff()'s and update()'s hook: runs for in-place updates only (a replacement is a new object with nothing to
 * compare).
 */
export async function verifyUpdate(
  verification: PreChangeVerification | undefined,
  verb: "diff" | "update",
  id: string,
  candidate: Props,
  olds: Props,
  urn: unknown,
  client: () => PgBeamClient,
  memory: DeploymentMemory,
): Promise<void> {
  if (!verification?.onUpdate) return;
  const previous = omit(olds, ENGINE_KEYS);
  if (verb === "update") {
    await verification.onUpdate({ ...context(candidate, previous, urn, client, memory, silent), id, mode: "gate" });
    return;
  }
  const mode = typeof urn === "string" && memory.checkedUrns.has(urn) ? "enforce" : "report";
  await verification.onUpdate({ ...context(candidate, previous, urn, client, memory), id, mode });
}
