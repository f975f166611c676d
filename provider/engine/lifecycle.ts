import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { PgBeamClient } from "../client/client";
import { isNotFound } from "../client/errors";
import { createOnce, IDENTITY_KEY, rememberHeldObject } from "./create-once";
import type { ApiAnswer, ResourceSpec } from "./spec";
import {
  canonical,
  clearValueFor,
  containsUnknown,
  deepMerge,
  fromApi,
  getPath,
  isPlainObject,
  omit,
  pick,
  pickPaths,
  type Props,
  reachesUnknown,
  sameValue,
  sanitize,
  setPath,
  shapeOf,
  toApi,
} from "./values";

type CheckResult = pulumi.dynamic.CheckResult;
type CheckFailure = pulumi.dynamic.CheckFailure;
type DiffResult = pulumi.dynamic.DiffResult;
type CreateResult = pulumi.dynamic.CreateResult;
type ReadResult = pulumi.dynamic.ReadResult;
type UpdateResult = pulumi.dynamic.UpdateResult;

/** Keys the engine never treats as the user's: the serialized provider, the resource's identity and id. */
const INTERNAL_KEYS = ["__provider", IDENTITY_KEY, "id"];

/**
 * The six verbs of a dynamic provider, for any resource spec. `client` is called lazily, inside each verb, so
 * nothing holding the API key is created during check/diff or captured anywhere.
 *
 * Outputs follow one rule: what the API returns is the truth (a field it leaves out is empty), and only what it
 * never returns is kept from inputs or earlier state: write-only secrets, path ids, local inputs, one-time values.
 */
export class Lifecycle {
  private readonly shape: Record<string, z.ZodType>;
  private readonly inputKeys: string[];
  private readonly bodyExcluded: Set<string>;
  /** Dotted paths kept from inputs (create/update) or state (read), because the API never returns them. */
  private readonly carriedInputs: string[];
  /** Output keys only some answers carry (one-time secrets, the nested object): kept from earlier state. */
  private readonly keptOutputs: string[];

  constructor(
    readonly spec: ResourceSpec,
    private readonly client: () => PgBeamClient,
  ) {
    this.shape = spec.inputs.shape as Record<string, z.ZodType>;
    this.inputKeys = Object.keys(this.shape);
    this.bodyExcluded = new Set([...(spec.pathInputs ?? []), ...(spec.localInputs ?? [])]);
    this.carriedInputs = [...this.bodyExcluded, ...(spec.writeOnly ?? [])];
    this.keptOutputs = [...(spec.oneTimeOutputs ?? []), ...(spec.nested ? [spec.nested.key, spec.nested.idOutput] : [])];
  }

  /**
   * Validates and applies defaults. Unknown values (preview) pass through untouched; everything known around
   * them is still validated, however deep.
   */
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const given = omit(news, INTERNAL_KEYS);
    const identity = pick(news, [IDENTITY_KEY]);
    const full = this.spec.inputs.safeParse(given);
    if (full.success) return { inputs: sanitize({ ...(full.data as Props), ...identity }) };
    const issues = full.error.issues.filter((issue) => !reachesUnknown(given, issue.path));
    if (issues.length > 0) return { failures: describeIssues(issues) };
    // Only unknowns failed: apply defaults to the known fields and return the unknown ones as they came.
    const unknownKeys = Object.keys(given).filter((key) => containsUnknown(given[key]));
    const known = this.spec.inputs
      .partial(Object.fromEntries(unknownKeys.map((key) => [key, true])))
      .safeParse(omit(given, unknownKeys));
    const base = known.success ? (known.data as Props) : omit(given, unknownKeys);
    return { inputs: sanitize({ ...base, ...pick(given, unknownKeys), ...identity }) };
  }

  async diff(id: string, olds: Props, news: Props): Promise<DiffResult> {
    rememberHeldObject(news[IDENTITY_KEY], id);
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, olds);
    const replaces = changed.filter((key) => this.spec.replaceOnChanges.includes(key));
    // The nested object was deleted behind our back: it can only be had again with a new parent.
    const nested = this.spec.nested;
    if (nested && Object.keys(olds).length > 0 && olds[nested.idOutput] === undefined) {
      changed.push(nested.key);
      replaces.push(nested.key);
    }
    const uniqueBy = this.spec.uniqueBy ?? [];
    const deleteBeforeReplace =
      replaces.length > 0 && uniqueBy.length > 0 && uniqueBy.every((key) => sameValue(desired[key], olds[key]));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace };
  }

  async create(inputs: Props): Promise<CreateResult> {
    const client = this.client();
    const desired = omit(inputs, INTERNAL_KEYS);
    const patchAfter = this.spec.create?.patchAfter ?? [];
    const parse = (response: Props) => this.spec.create?.parse?.(response) ?? { object: response };
    const created = await createOnce(client, {
      identity: inputs[IDENTITY_KEY],
      collectionPath: this.spec.collectionPath(desired),
      body: toApi(omit(desired, [...this.bodyExcluded, ...patchAfter])),
      idOf: (response) => String(parse(response).object.id),
      itemPath: (objectId) => this.spec.itemPath(desired, objectId),
      isGone: this.spec.read?.isGone,
    });
    const answer = parse(created.response);
    const id = String(answer.object.id);
    let outputs = this.outputs({}, desired, created.current ? { ...answer, object: created.current } : answer);
    if (this.spec.nested) outputs = this.withNested(outputs, this.spec.nested.fromCreate(created.response));
    // The object exists from here on: any failure must hand its id back to the engine, or it would be orphaned.
    const late = patchAfter.filter((key) => desired[key] !== undefined && !this.sameAsOutput(key, desired, outputs));
    try {
      if (late.length > 0) {
        const patched = await client.patch<Props>(this.spec.itemPath(outputs, id), toApi(pick(desired, late)));
        outputs = this.outputs(outputs, desired, { object: patched });
      }
    } catch (error) {
      throw await this.rollBack(client, id, late, inputs, outputs, error);
    }
    return { id, outs: withProvider(outputs, inputs) };
  }

  /**
   * The configuring step after a create failed: the object runs with the API's defaults for `late` (for a project,
   * no IP allowlist and agents enabled), which may be less restricted than the program says. Fail closed: delete
   * it again. Only if that fails too is it kept in state, so the next `up` finishes configuring it.
   */
  private async rollBack(client: PgBeamClient, id: string, late: string[], inputs: Props, outputs: Props, error: unknown): Promise<Error> {
    const cause = error instanceof Error ? error.message : String(error);
    const what = `created ${this.spec.name} ${id}, but setting ${late.join(", ")} on it failed: ${cause}`;
    try {
      await client.delete(this.spec.itemPath(outputs, id));
    } catch (deleteError) {
      if (!isNotFound(deleteError)) {
        const why = deleteError instanceof Error ? deleteError.message : String(deleteError);
        const kept = `${what}. Deleting it again failed too (${why}), so it is kept in state and the next \`pulumi up\` sets ${late.join(", ")}; until then it runs with the API's defaults for them`;
        return partialFailure(kept, id, inputs, outputs);
      }
    }
    return new Error(`${what}. It was deleted again rather than left running with the API's defaults for ${late.join(", ")}; nothing is left behind: fix the cause and run \`pulumi up\` again`);
  }

  async read(id: string, props: Props): Promise<ReadResult> {
    const client = this.client();
    const previous = omit(props, INTERNAL_KEYS);
    let object: Props;
    try {
      object = await client.get<Props>(this.spec.itemPath(previous, id));
    } catch (error) {
      if (isNotFound(error)) return { id: "", props: {} };
      throw error;
    }
    if (this.spec.read?.isGone?.(object)) return { id: "", props: {} };
    let outputs = this.outputs(previous, previous, { object });
    const nested = this.spec.nested;
    if (nested && previous[nested.idOutput]) {
      try {
        outputs = this.withNested(outputs, await client.get<Props>(nested.path(previous, id)));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        outputs = omit(outputs, [nested.key, nested.idOutput]);
      }
    }
    return { id, props: withProvider(outputs, props) };
  }

  async update(id: string, olds: Props, news: Props): Promise<UpdateResult> {
    const client = this.client();
    const previous = omit(olds, INTERNAL_KEYS);
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, previous);
    let outputs = deepMerge(previous, pickPaths(desired, this.carriedInputs));
    let applied = false; // once a call has changed something, a later failure must still record it

    try {
      const nested = this.spec.nested;
      if (nested && changed.includes(nested.key)) {
        const nestedShape = shapeOf(this.shape[nested.key]);
        const body = patchBody(nestedShape, desired[nested.key] as Props, previous[nested.key] as Props);
        outputs = this.withNested(outputs, await client.patch<Props>(nested.path(previous, id), toApi(body)));
        applied = true;
      }

      const action = this.spec.action;
      if (action && changed.includes(action.trigger)) {
        outputs = this.outputs(outputs, desired, action.parse(await client.post<Props>(action.path(previous, id))));
        applied = true;
      }

      const updatable = this.spec.update.fields ?? this.inputKeys.filter((key) => !this.bodyExcluded.has(key));
      const fieldChanges = changed.filter((key) => updatable.includes(key) && key !== nested?.key);
      if (fieldChanges.length > 0) {
        const path = this.spec.itemPath(previous, id);
        const object =
          this.spec.update.method === "PUT"
            ? await client.put<Props>(path, toApi(pick(desired, updatable)))
            : await client.patch<Props>(path, toApi(patchBody(pick(this.shape, fieldChanges) as typeof this.shape, desired, previous)));
        outputs = this.outputs(outputs, desired, { object });
      }
    } catch (error) {
      const cause = error instanceof Error ? error.message : String(error);
      if (applied) throw partialFailure(`updating ${id} failed part-way: ${cause}`, id, news, outputs);
      throw error;
    }
    return { outs: withProvider(outputs, news) };
  }

  async delete(id: string, props: Props): Promise<void> {
    const client = this.client();
    const previous = omit(props, INTERNAL_KEYS);
    try {
      await client.delete(this.spec.itemPath(previous, id));
    } catch (error) {
      if (isNotFound(error)) return;
      const explain = this.spec.explainDeleteError;
      throw explain && error instanceof Error ? await explain(client, previous, id, error) : error;
    }
  }

  /** The desired state: new inputs, with server-defaulted fields the user left out taken from the old outputs. */
  private desired(news: Props, olds: Props): Props {
    const desired = structuredClone(omit(news, INTERNAL_KEYS));
    const paths = [
      ...(this.spec.serverDefaults ?? []),
      ...(this.spec.nested?.serverDefaults ?? []).map((path) => `${this.spec.nested!.key}.${path}`),
    ];
    for (const path of paths) {
      const parent = path.includes(".") ? getPath(desired, path.slice(0, path.lastIndexOf("."))) : desired;
      if (isPlainObject(parent) && getPath(desired, path) === undefined && getPath(olds, path) !== undefined) {
        setPath(desired, path, getPath(olds, path));
      }
    }
    return desired;
  }

  private sameAsOutput(key: string, desired: Props, outputs: Props): boolean {
    return sameValue(desired[key], canonical(this.shape[key], outputs[key]));
  }

  private changedKeys(desired: Props, olds: Props): string[] {
    return this.inputKeys.filter((key) => containsUnknown(desired[key]) || !this.sameAsOutput(key, desired, olds));
  }

  /**
   * Outputs after an API answer: the answer's object, plus what only earlier state has (one-time values, the
   * nested object) and what only inputs have (write-only secrets, path ids, local inputs).
   */
  private outputs(previous: Props, inputs: Props, answer: ApiAnswer): Props {
    const kept = deepMerge(pick(previous, this.keptOutputs), pickPaths(inputs, this.carriedInputs));
    return omit(deepMerge(kept, { ...fromApi(answer.object), ...answer.once }), INTERNAL_KEYS);
  }

  /** Lays the nested object's API answer into the outputs, keeping its write-only fields. */
  private withNested(outputs: Props, nestedObject: Props | undefined): Props {
    const nested = this.spec.nested!;
    if (!nestedObject) return outputs;
    const object = fromApi(nestedObject);
    const writeOnly = (this.spec.writeOnly ?? [])
      .filter((path) => path.startsWith(`${nested.key}.`))
      .map((path) => path.slice(nested.key.length + 1));
    const kept = pickPaths((outputs[nested.key] ?? {}) as Props, writeOnly);
    return { ...outputs, [nested.key]: deepMerge(kept, omit(object, ["id", "projectId"])), [nested.idOutput]: object.id };
  }
}

/** Outputs carry the serialized provider so later read/delete can load it. */
function withProvider(outputs: Props, inputs: Props): Props {
  return sanitize({ ...outputs, __provider: inputs.__provider });
}

/**
 * A PATCH body over the fields of `shape` that differ: desired values, and for a field the user removed, the
 * value that clears it (its default, null, "" or [] by its schema).
 */
function patchBody(shape: Record<string, z.ZodType>, desired: Props, previous: Props = {}): Props {
  const body: Props = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (sameValue(desired[key], canonical(schema, previous[key]))) continue;
    body[key] = desired[key] ?? clearValueFor(schema);
  }
  return body;
}

function describeIssues(issues: z.core.$ZodIssue[]): CheckFailure[] {
  return issues.flatMap((issue) => {
    const keys = issue.code === "unrecognized_keys" ? issue.keys : [undefined];
    return keys.map((key) => {
      const property = [...issue.path, ...(key ? [key] : [])].map(String).join(".");
      const reason = issue.code === "unrecognized_keys" ? `unknown property "${property}"` : issue.message;
      return { property, reason };
    });
  });
}

/**
 * The host turns this shape into ErrorResourceInitFailed: the engine keeps the object in state with what was
 * done, and retries the rest on the next `up`.
 */
function partialFailure(message: string, id: string, inputs: Props, outputs: Props): Error {
  return Object.assign(new Error(message), {
    id,
    properties: withProvider(outputs, inputs),
    reasons: [message],
  });
}
