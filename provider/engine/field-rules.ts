import { z } from "zod";
import { ADOPT_INPUT, fieldsWith, type InputSchema, type ResourceSpec } from "./spec";
import { type Props, sameAsCanonical } from "./values";

/**
 * A spec's `fields` table (and verbs) resolved once into the field lists every rule reads: which inputs are sent,
 * kept, compared, replaced, defaulted by the server or secret. Pure data, derived from the spec alone.
 */
export class FieldRules {
  /** The spec's inputs and the engine's own adoption input. */
  readonly inputs: InputSchema;
  readonly shape: Record<string, z.ZodType>;
  /** Inputs that are fields of the object (the verification's own inputs are not). */
  readonly inputKeys: string[];
  readonly verificationInputs: string[];
  /** Inputs never sent in a body: path ids, local inputs, `adoptId`. */
  readonly bodyExcluded: Set<string>;
  /** Dotted paths kept from inputs (create/update) or state (read), because the API never returns them. */
  readonly carriedInputs: string[];
  /** Output keys only some answers carry (one-time secrets, the nested object): kept from earlier state. */
  readonly keptOutputs: string[];
  readonly replaceOnChanges: string[];
  readonly uniqueBy: string[];
  readonly serverDefaults: string[];
  readonly setElsewhere: string[];
  readonly writeOnly: string[];
  /** Fields whose values no message may show. */
  readonly secretPaths: string[];
  /** The item path an upsert create writes, from the inputs; absent for creates that POST to the collection. */
  readonly upsertPath?: (values: Props) => string;

  constructor(readonly spec: ResourceSpec) {
    this.inputs = spec.inputs.extend({ [ADOPT_INPUT]: z.string().min(1).optional() });
    this.shape = this.inputs.shape as Record<string, z.ZodType>;
    this.verificationInputs = spec.verification?.inputs ?? [];
    this.inputKeys = Object.keys(this.shape).filter((key) => !this.verificationInputs.includes(key));
    this.bodyExcluded = new Set([...fieldsWith(spec, "path"), ...fieldsWith(spec, "local"), ADOPT_INPUT]);
    this.writeOnly = fieldsWith(spec, "writeOnly");
    // Verification inputs are kept too: read (refresh) returns them with the inputs, or every later preview re-verifies.
    this.carriedInputs = [...this.bodyExcluded, ...this.writeOnly, ...this.verificationInputs];
    this.keptOutputs = [...fieldsWith(spec, "oneTime"), ...(spec.nested ? [spec.nested.key, spec.nested.idOutput] : [])];
    this.uniqueBy = fieldsWith(spec, "unique");
    this.serverDefaults = fieldsWith(spec, "serverDefault");
    this.setElsewhere = fieldsWith(spec, "setElsewhere");
    // No update verb: every input the provider does not consume itself replaces the object.
    const inPlace = new Set([...fieldsWith(spec, "local"), ADOPT_INPUT, ...(spec.action ? [spec.action.trigger] : [])]);
    this.replaceOnChanges = spec.update ? fieldsWith(spec, "replace") : this.inputKeys.filter((key) => !inPlace.has(key));
    this.secretPaths = [...this.writeOnly, ...fieldsWith(spec, "secret")];
    const idOf = spec.create?.method !== undefined && spec.create.method !== "POST" ? spec.create.id : undefined;
    if (idOf) this.upsertPath = (values) => spec.itemPath(values, idOf(values));
  }

  /** Whether the desired value of an input equals an output's, compared as the input's schema reads it. */
  sameAsOutput(key: string, desired: Props, outputs: Props): boolean {
    return sameAsCanonical(this.shape[key], desired[key], outputs[key]);
  }

  /** An object the API still returns but that no longer exists for the user (revoked, disabled, null limit). */
  isGone(object: Props): boolean {
    return this.spec.read?.isGone?.(object) ?? false;
  }

  /** Whether a refresh reads the nested object too: only once state records its id. */
  readsNested(previous: Props): boolean {
    const nested = this.spec.nested;
    return nested !== undefined && previous[nested.idOutput] !== undefined;
  }
}
