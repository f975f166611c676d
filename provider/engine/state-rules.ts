import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { ignoringClock } from "../api/rules";
import { accountChange } from "./account";
import { checkFailures, userIssues } from "./check-failures";
import { FieldRules } from "./field-rules";
import { ACCOUNT_KEY, ENGINE_KEYS, LEFT_OUT_KEY, REPLACE_ON_CHANGES_KEY } from "./keys";
import { OutputRules } from "./output-rules";
import { ADOPT_INPUT, type ResourceSpec } from "./spec";
import {
  clearValueFor,
  containsUnknown,
  getPath,
  isPlainObject,
  omit,
  pick,
  type Props,
  sameAsCanonical,
  sameValue,
  sanitize,
  setPath,
} from "./values";

/** A spec's pure rules, resolved once: its field lists, what changes and what is sent, what is stored. */
export interface SpecRules {
  fields: FieldRules;
  state: StateRules;
  outputs: OutputRules;
}

export function rulesOf(spec: ResourceSpec): SpecRules {
  const fields = new FieldRules(spec);
  return { fields, state: new StateRules(fields), outputs: new OutputRules(fields) };
}

/** What diff decides: the changed top-level keys, which of them replace, and whether the old object goes first. */
export interface Change {
  changed: string[];
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/**
 * What the program asks for against what is there, as pure functions of the spec's field rules and the values
 * Pulumi hands the verbs: validated inputs, the desired state, what changed and what replaces, and the request
 * bodies. No I/O; what is returned and stored is ./output-rules.
 */
export class StateRules {
  /** The inputs' schema with some fields optional, by which: built once per set of unknown fields. */
  private readonly withOptional = new Map<string, z.ZodType>();

  constructor(private readonly fields: FieldRules) {}

  /**
   * The program's inputs validated, with defaults applied. Unknown values (preview) pass through untouched;
   * everything known around them is still validated, however deep.
   */
  validate(given: Props, olds: Props): pulumi.dynamic.CheckResult {
    const full = this.fields.inputs.safeParse(given);
    if (full.success) return { inputs: sanitize(full.data as Props) };
    const issues = userIssues(full.error.issues, given, olds);
    if (issues.length > 0) return { failures: checkFailures(issues, given, this.fields.secretPaths) };
    // Only unknowns or unchanged clock-judged values failed: apply defaults to the known fields and return the
    // unknown ones as they came.
    const unknownKeys = Object.keys(given).filter((key) => containsUnknown(given[key]));
    const known = ignoringClock(() => this.optional(unknownKeys).safeParse(omit(given, unknownKeys)));
    const base = known.success ? (known.data as Props) : omit(given, unknownKeys);
    return { inputs: sanitize({ ...base, ...pick(given, unknownKeys) }) };
  }

  private optional(keys: string[]): z.ZodType {
    const id = keys.join(",");
    let schema = this.withOptional.get(id);
    if (!schema) {
      schema = this.fields.inputs.partial(Object.fromEntries(keys.map((key) => [key, true])));
      this.withOptional.set(id, schema);
    }
    return schema;
  }

  /**
   * The desired state: new inputs, with the fields the user leaves out that the server fills, or that another
   * resource sets while the program left them out before too (state without the record: kept), taken from the old
   * outputs.
   */
  desired(news: Props, olds: Props): Props {
    const desired = structuredClone(omit(news, ENGINE_KEYS));
    const leftOutBefore = olds[LEFT_OUT_KEY];
    const keptElsewhere = this.fields.setElsewhere.filter((path) => !Array.isArray(leftOutBefore) || leftOutBefore.includes(path));
    for (const path of [...this.fields.serverDefaults, ...keptElsewhere]) {
      const parent = path.includes(".") ? getPath(desired, path.slice(0, path.lastIndexOf("."))) : desired;
      if (isPlainObject(parent) && getPath(desired, path) === undefined && getPath(olds, path) !== undefined) {
        setPath(desired, path, getPath(olds, path));
      }
    }
    return desired;
  }

  /** `adoptId` only matters to create: on an existing object, changing it changes nothing. */
  changedKeys(desired: Props, olds: Props): string[] {
    return this.fields.inputKeys.filter(
      (key) => key !== ADOPT_INPUT && (containsUnknown(desired[key]) || !this.fields.sameAsOutput(key, desired, olds)),
    );
  }

  /** What diff reports for `desired` (from `news`) against the stored outputs `olds`. */
  change(desired: Props, olds: Props, news: Props): Change {
    const changed = this.changedKeys(desired, olds);
    const replaces = changed.filter(
      (key) => this.fields.replaceOnChanges.includes(key) || replacedByProgram(news[REPLACE_ON_CHANGES_KEY], key, desired, olds),
    );
    // The nested object was deleted behind our back: created again in place where the API allows, else a new parent.
    const nested = this.fields.spec.nested;
    if (nested && Object.keys(olds).length > 0 && olds[nested.idOutput] === undefined) {
      changed.push(nested.key);
      if (!nested.recreatePath) replaces.push(nested.key);
    }
    // Across accounts: a new object in the new account, created first unless the resource option
    // `deleteBeforeReplace` says otherwise (see PgBeamResource, the one channel the engine also honours for a
    // targeted replace).
    const account = accountChange(olds, news);
    if (account !== "none") changed.push(ACCOUNT_KEY);
    const moved = account === "moved";
    if (moved) replaces.push(ACCOUNT_KEY);
    // A replacement that would meet the old object (the same unique values, or the same setting's path) deletes first.
    const collides = this.fields.upsertPath
      ? this.fields.upsertPath(desired) === this.fields.upsertPath(olds)
      : this.fields.uniqueBy.length > 0 && this.fields.uniqueBy.every((key) => sameValue(desired[key], olds[key]));
    return { changed, replaces, deleteBeforeReplace: !moved && replaces.length > 0 && collides };
  }

  /** Write-only paths whose value changes: masked on both sides of a preview, so only a note can tell a reviewer. */
  changedSecrets(desired: Props, olds: Props): string[] {
    return this.fields.writeOnly.filter((path) => !sameValue(getPath(desired, path), getPath(olds, path)));
  }

  /** The create body: every field the create call takes (not path, local, verification or patched-after ones). */
  createBody(desired: Props): Props {
    return omit(desired, [...this.fields.bodyExcluded, ...(this.fields.spec.create?.patchAfter ?? []), ...this.fields.verificationInputs]);
  }

  /** The fields the create call does not take that the created object does not already have as the program says. */
  patchedAfterCreate(desired: Props, outputs: Props): string[] {
    return (this.fields.spec.create?.patchAfter ?? []).filter(
      (key) => desired[key] !== undefined && !this.fields.sameAsOutput(key, desired, outputs),
    );
  }

  /** Changed inputs the update call sends (the nested object has its own call); none without an update verb. */
  updatedFields(changed: string[]): string[] {
    const update = this.fields.spec.update;
    if (!update) return [];
    const updatable = this.updatable();
    return changed.filter((key) => updatable.includes(key) && key !== this.fields.spec.nested?.key);
  }

  /** The update body: for PUT the full desired object (never a partial PUT), for PATCH the changed fields only. */
  updateBody(desired: Props, previous: Props, fields: string[]): Props {
    if (this.fields.spec.update?.method === "PUT") return pick(desired, this.updatable());
    return patchBody(pick(this.fields.shape, fields) as typeof this.fields.shape, desired, previous);
  }

  private updatable(): string[] {
    return this.fields.spec.update?.fields ?? this.fields.inputKeys.filter((key) => !this.fields.bodyExcluded.has(key));
  }

  /** Whether a change of `changed` runs the triggered action (rotation, verification) in update. */
  triggersAction(changed: string[], desired: Props): boolean {
    const action = this.fields.spec.action;
    return action !== undefined && changed.includes(action.trigger) && (!action.onCreate || Boolean(desired[action.trigger]));
  }

  /** Whether create runs the triggered action right after the object exists (a verification asked for at create). */
  actsOnCreate(desired: Props): boolean {
    const action = this.fields.spec.action;
    return Boolean(action?.onCreate && desired[action.trigger]);
  }
}

/** Whether the program's `replaceOnChanges` paths ("*" for any) cover the change of this top-level key. */
function replacedByProgram(paths: unknown, key: string, desired: Props, olds: Props): boolean {
  if (!Array.isArray(paths)) return false;
  return paths.some(
    (path) =>
      path === "*" ||
      path === key ||
      (typeof path === "string" && path.startsWith(`${key}.`) && !sameValue(getPath(desired, path), getPath(olds, path))),
  );
}

/**
 * A PATCH body over the fields of `shape` that differ: desired values, and for a field the user removed, the
 * value that clears it (its default, null, "" or [] by its schema).
 */
export function patchBody(shape: Record<string, z.ZodType>, desired: Props, previous: Props = {}): Props {
  const body: Props = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (sameAsCanonical(schema, desired[key], previous[key])) continue;
    body[key] = desired[key] ?? clearValueFor(schema);
  }
  return body;
}
