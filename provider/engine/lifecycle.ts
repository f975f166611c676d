import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import type { PgBeamClient } from "../client/client";
import { isNotFound } from "../client/errors";
import type { ApiAnswer, ResourceSpec } from "./spec";
import {
  canonical,
  clearValue,
  containsUnknown,
  deepMerge,
  fromApi,
  getPath,
  isPlainObject,
  omit,
  pick,
  type Props,
  sameValue,
  sanitize,
  setPath,
  toApi,
} from "./values";

type CheckResult = pulumi.dynamic.CheckResult;
type CheckFailure = pulumi.dynamic.CheckFailure;
type DiffResult = pulumi.dynamic.DiffResult;
type CreateResult = pulumi.dynamic.CreateResult;
type ReadResult = pulumi.dynamic.ReadResult;
type UpdateResult = pulumi.dynamic.UpdateResult;

/** Keys the engine never treats as the user's: the serialized provider and the resource id. */
const INTERNAL_KEYS = ["__provider", "id", "urn"];

/**
 * The six verbs of a dynamic provider, for any resource spec. `client` is called lazily, inside each verb, so
 * nothing holding the API key is created during check/diff or captured anywhere.
 */
export class Lifecycle {
  private readonly inputKeys: string[];
  private readonly bodyExcluded: Set<string>;

  constructor(
    readonly spec: ResourceSpec,
    private readonly client: () => PgBeamClient,
  ) {
    this.inputKeys = Object.keys(spec.inputs.shape);
    this.bodyExcluded = new Set([...(spec.pathInputs ?? []), ...(spec.localInputs ?? [])]);
  }

  /** Validates and applies defaults. Unknown values (preview) pass through untouched and are not validated. */
  async check(_olds: Props, news: Props): Promise<CheckResult> {
    const given = omit(news, INTERNAL_KEYS);
    const unknownKeys = Object.keys(given).filter((key) => containsUnknown(given[key]));
    const schema = unknownKeys.length
      ? this.spec.inputs.partial(Object.fromEntries(unknownKeys.map((key) => [key, true])))
      : this.spec.inputs;
    const parsed = schema.safeParse(omit(given, unknownKeys));
    if (!parsed.success) return { failures: describeIssues(parsed.error.issues) };
    return { inputs: sanitize({ ...(parsed.data as Props), ...pick(given, unknownKeys) }) };
  }

  async diff(_id: string, olds: Props, news: Props): Promise<DiffResult> {
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, olds);
    const replaces = changed.filter((key) => this.spec.replaceOnChanges.includes(key));
    const uniqueBy = this.spec.uniqueBy ?? [];
    const deleteBeforeReplace =
      replaces.length > 0 && uniqueBy.length > 0 && uniqueBy.every((key) => sameValue(desired[key], olds[key]));
    return { changes: changed.length > 0, replaces, deleteBeforeReplace };
  }

  async create(inputs: Props): Promise<CreateResult> {
    const client = this.client();
    const desired = omit(inputs, INTERNAL_KEYS);
    const patchAfter = this.spec.create?.patchAfter ?? [];
    const body = toApi(omit(desired, [...this.bodyExcluded, ...patchAfter]));
    const response = await client.post<Props>(this.spec.collectionPath(desired), body);
    const answer = this.spec.create?.parse?.(response) ?? { object: response };
    const id = String(answer.object.id);
    let outputs = this.outputs(desired, answer);
    if (this.spec.nested) {
      const nestedObject = fromApi(this.spec.nested.fromCreate(response));
      outputs = this.withNested(outputs, nestedObject);
    }
    // The object exists from here on: any failure must hand its id back to the engine, or it would be orphaned.
    try {
      const late = patchAfter.filter((key) => desired[key] !== undefined && !sameValue(desired[key], outputs[key]));
      if (late.length > 0) {
        const patched = await client.patch<Props>(this.spec.itemPath(outputs, id), toApi(pick(desired, late)));
        outputs = this.outputs(outputs, { object: patched });
      }
    } catch (error) {
      throw partialFailure(id, inputs, outputs, error);
    }
    return { id, outs: this.withProvider(outputs, inputs) };
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
    // Start from what only state knows (write-only inputs, one-time secrets), then lay the live object over it.
    let outputs = this.outputs(previous, { object });
    const nested = this.spec.nested;
    if (nested && previous[nested.idOutput]) {
      try {
        outputs = this.withNested(outputs, fromApi(await client.get<Props>(nested.path(previous, id))));
      } catch (error) {
        if (!isNotFound(error)) throw error;
        outputs = omit(outputs, [nested.key]);
      }
    }
    return { id, props: this.withProvider(outputs, props) };
  }

  async update(id: string, olds: Props, news: Props): Promise<UpdateResult> {
    const client = this.client();
    const previous = omit(olds, INTERNAL_KEYS);
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, previous);
    // Input fields come from the desired state only: a removed write-only input must not linger in state.
    let outputs: Props = { ...omit(previous, this.inputKeys), ...desired };

    const nested = this.spec.nested;
    if (nested && changed.includes(nested.key)) {
      const before = (previous[nested.key] ?? {}) as Props;
      const after = (desired[nested.key] ?? {}) as Props;
      const body = patchBody(after, before, Object.keys(after));
      const object = await client.patch<Props>(nested.path(previous, id), toApi(body));
      outputs = this.withNested(outputs, fromApi(object));
    }

    const action = this.spec.action;
    if (action && changed.includes(action.trigger)) {
      const answer = action.parse(await client.post<Props>(action.path(previous, id)));
      outputs = this.outputs(outputs, answer);
    }

    const updatable = this.spec.update.fields ?? this.inputKeys.filter((key) => !this.bodyExcluded.has(key));
    const fieldChanges = changed.filter((key) => updatable.includes(key) && key !== nested?.key);
    if (fieldChanges.length > 0) {
      const path = this.spec.itemPath(previous, id);
      const object =
        this.spec.update.method === "PUT"
          ? await client.put<Props>(path, toApi(pick(desired, updatable)))
          : await client.patch<Props>(path, toApi(patchBody(desired, previous, fieldChanges)));
      outputs = this.outputs(outputs, { object });
    }
    return { outs: this.withProvider(outputs, news) };
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

  private changedKeys(desired: Props, olds: Props): string[] {
    const shape = this.spec.inputs.shape as Record<string, z.ZodType>;
    return this.inputKeys.filter(
      (key) => containsUnknown(desired[key]) || !sameValue(desired[key], canonical(shape[key], olds[key])),
    );
  }

  /** Outputs: every input, then the API's view of the object, then one-time values. No `id` (it is the resource id). */
  private outputs(base: Props, answer: ApiAnswer): Props {
    return omit(deepMerge(deepMerge(base, fromApi(answer.object)), answer.once ?? {}), INTERNAL_KEYS);
  }

  private withNested(outputs: Props, nestedObject: Props): Props {
    const nested = this.spec.nested!;
    const merged = deepMerge((outputs[nested.key] ?? {}) as Props, omit(nestedObject, ["id", "projectId"]));
    return { ...outputs, [nested.key]: merged, [nested.idOutput]: nestedObject.id };
  }

  /** Outputs carry the serialized provider so later read/delete can load it. */
  private withProvider(outputs: Props, inputs: Props): Props {
    return sanitize({ ...outputs, __provider: inputs.__provider });
  }
}

/** A PATCH body: the given fields' desired values; a field the user removed is cleared explicitly. */
function patchBody(desired: Props, previous: Props, fields: string[]): Props {
  const body: Props = {};
  for (const key of fields) {
    if (sameValue(desired[key], previous[key])) continue;
    body[key] = desired[key] ?? clearValue(previous[key]);
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

/** The host turns this shape into ErrorResourceInitFailed: the engine keeps the object in state with its id. */
function partialFailure(id: string, inputs: Props, outputs: Props, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return Object.assign(new Error(`created ${id}, but configuring it failed: ${message}`), {
    id,
    properties: sanitize({ ...outputs, __provider: inputs.__provider }),
    reasons: [message],
  });
}
