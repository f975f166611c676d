import { ACCOUNT_KEY, ENGINE_KEYS, LEFT_OUT_KEY } from "./keys";
import type { FieldRules } from "./field-rules";
import type { ApiAnswer } from "./spec";
import {
  canonical,
  clearValueFor,
  deepMerge,
  fromApi,
  getPath,
  isPlainObject,
  omit,
  pick,
  pickPaths,
  type Props,
  sameValue,
  sanitize,
} from "./values";

/**
 * What the verbs return and store, as pure functions of the spec's field rules and the values at hand. One rule:
 * what the API returns is the truth (a field it leaves out is empty), and only what it never returns is kept from
 * inputs or earlier state: write-only secrets, path ids, local inputs, one-time values, the nested object.
 */
export class OutputRules {
  constructor(private readonly fields: FieldRules) {}

  /**
   * Outputs after an API answer: the answer's object, plus what only earlier state has (one-time values, the
   * nested object) and what only inputs have (write-only secrets, path ids, local inputs).
   */
  afterAnswer(previous: Props, inputs: Props, answer: ApiAnswer): Props {
    if (!answer.object) return deepMerge(previous, { ...pickPaths(inputs, this.fields.carriedInputs), ...answer.once });
    const kept = deepMerge(pick(previous, this.fields.keptOutputs), pickPaths(inputs, this.fields.carriedInputs));
    return omit(deepMerge(kept, { ...fromApi(answer.object), ...answer.once }), ENGINE_KEYS);
  }

  /** Outputs after a create: the created object, with its nested object when the spec has one. */
  afterCreate(desired: Props, created: { answer: ApiAnswer; nestedObject?: Props }): Props {
    return this.withNested(this.afterAnswer({}, desired, created.answer), created.nestedObject);
  }

  /** Outputs an update starts from: the stored ones with the values only inputs have (not the verification's). */
  carriedIntoUpdate(previous: Props, desired: Props): Props {
    return deepMerge(omit(previous, this.fields.verificationInputs), pickPaths(desired, this.fields.carriedInputs));
  }

  /** Outputs after a refresh: the object read; the nested object laid in, or dropped when it was read as gone. */
  refreshed(previous: Props, object: Props, nestedObject: Props | undefined): Props {
    const outputs = this.afterAnswer(previous, previous, { object });
    if (!this.fields.readsNested(previous)) return outputs;
    return nestedObject
      ? this.withNested(outputs, nestedObject)
      : omit(outputs, [this.fields.spec.nested!.key, this.fields.spec.nested!.idOutput]);
  }

  /** Lays the nested object's API answer into the outputs, keeping its write-only fields. */
  withNested(outputs: Props, nestedObject: Props | undefined): Props {
    const nested = this.fields.spec.nested!;
    if (!nestedObject) return outputs;
    const object = fromApi(nestedObject);
    const writeOnly = this.fields.writeOnly
      .filter((path) => path.startsWith(`${nested.key}.`))
      .map((path) => path.slice(nested.key.length + 1));
    const kept = pickPaths((outputs[nested.key] ?? {}) as Props, writeOnly);
    return { ...outputs, [nested.key]: deepMerge(kept, omit(object, ["id", nested.parentField])), [nested.idOutput]: object.id };
  }

  /**
   * Outputs in the form checked inputs have (write-only, path, local and verification values are among the
   * outputs). A field the program leaves out stays out when the API holds what leaving it out means (its cleared
   * value, or for a server-defaulted field or one set elsewhere any value): refresh then shows no removal the
   * program never made.
   */
  inputsFrom(outputs: Props, leftOut: string[]): Props {
    const inputs: Props = {};
    for (const key of [...this.fields.inputKeys, ...this.fields.verificationInputs]) {
      const value = outputs[key] === undefined ? undefined : canonical(this.fields.shape[key], outputs[key]);
      if (value !== undefined && value !== null) inputs[key] = value;
    }
    for (const path of leftOut) {
      const asLeftOut =
        this.fields.serverDefaults.includes(path) ||
        this.fields.setElsewhere.includes(path) ||
        sameValue(getPath(inputs, path), clearValueFor(this.fields.shape[path]));
      const parent = path.includes(".") ? getPath(inputs, path.slice(0, path.lastIndexOf("."))) : inputs;
      if (asLeftOut && isPlainObject(parent)) delete parent[path.slice(path.lastIndexOf(".") + 1)];
    }
    return inputs;
  }

  /** The fields the inputs leave out (top level, and server-defaulted nested ones); for stored outputs, as recorded. */
  leftOut(inputs: Props): string[] {
    const recorded = inputs[LEFT_OUT_KEY];
    if (Array.isArray(recorded)) return recorded as string[];
    return [...new Set([...this.fields.inputKeys, ...this.fields.serverDefaults])].filter((path) => getPath(inputs, path) === undefined);
  }

  /** Outputs as stored: with the serialized provider, the account stamp and which fields the program leaves out. */
  stored(outputs: Props, inputs: Props): Props {
    const leftOut = this.leftOut(inputs);
    return leftOut.length > 0 ? { ...withProvider(outputs, inputs), [LEFT_OUT_KEY]: leftOut } : withProvider(outputs, inputs);
  }
}

/** Outputs carry the serialized provider so later read/delete can load it, and the account stamp for diff. */
export function withProvider(outputs: Props, inputs: Props): Props {
  return sanitize({ ...outputs, __provider: inputs.__provider, [ACCOUNT_KEY]: inputs[ACCOUNT_KEY] });
}

/**
 * The host turns this shape into ErrorResourceInitFailed: the engine keeps the object in state with what was
 * done, and retries the rest on the next `up`.
 */
export function partialFailure(what: string, id: string, inputs: Props, outputs: Props, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  // A bounded wait that gave up (runAction) carries the outputs of its last answer: they are the latest truth.
  const latest = (error as { outputs?: Props } | undefined)?.outputs;
  if (latest) outputs = latest;
  return Object.assign(new Error(`${what}: ${message}`, { cause: error }), {
    id,
    properties: withProvider(outputs, inputs),
    reasons: [message],
  });
}
