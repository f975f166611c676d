import * as pulumi from "@pulumi/pulumi";
import providerMethods = require("./provider-methods");
import type { ResourceSpec } from "./spec";
import { isPlainObject, type Props } from "./values";

/**
 * The provider object Pulumi serializes into state (twice per resource): the resource name on top of the shared
 * methods module, which an installed package's serialization writes as a single `require`.
 */
function serializableProvider(resourceName: string): pulumi.dynamic.ResourceProvider {
  return Object.assign(Object.create(providerMethods) as typeof providerMethods, { resourceName });
}

/** One provider object per resource type: Pulumi caches serialization per object, so this keeps it cheap. */
const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

export function providerFor(resourceName: string): pulumi.dynamic.ResourceProvider {
  let provider = providers.get(resourceName);
  if (!provider) {
    provider = serializableProvider(resourceName);
    providers.set(resourceName, provider);
  }
  return provider;
}

/** Every PgBeam object reports when it was created and last changed. */
const TIMESTAMP_OUTPUTS = ["createdAt", "updatedAt"];

/**
 * Base class of every PgBeam resource: wires the spec's provider, marks write-only inputs secret in the program
 * (so state's inputs are encrypted, not only its outputs) and declares the secret outputs.
 */
export abstract class PgBeamResource extends pulumi.dynamic.Resource {
  /** `outputOnly`: the outputs that are not inputs (ids, one-time values); every object also has its timestamps. */
  protected constructor(
    spec: ResourceSpec,
    name: string,
    args: object,
    outputOnly: readonly string[],
    opts?: pulumi.CustomResourceOptions,
  ) {
    const writeOnly = spec.writeOnly ?? [];
    const props: Props = { ...markSecret(args as Props, writeOnly) };
    // The SDK only creates Output properties for keys present in props: every input and every output-only key.
    for (const key of [...Object.keys(spec.inputs.shape), ...outputOnly, ...TIMESTAMP_OUTPUTS]) {
      if (!(key in props)) props[key] = undefined;
    }
    const secretOutputs = [
      ...(opts?.additionalSecretOutputs ?? []),
      ...writeOnly.filter((path) => !path.includes(".")),
      ...(spec.secretOutputs ?? []),
    ];
    super(providerFor(spec.name), name, props, { ...opts, additionalSecretOutputs: secretOutputs }, "pgbeam", spec.name);
  }
}

/** Wraps the values at dotted paths in pulumi.secret, keeping siblings of nested paths readable. */
export function markSecret(args: Props, paths: readonly string[]): Props {
  const result: Props = { ...args };
  for (const path of paths) {
    const [head, ...rest] = path.split(".");
    const value = result[head];
    if (value === undefined) continue;
    if (rest.length === 0) result[head] = pulumi.secret(value);
    else if (isPlainObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
      result[head] = markSecret(value, [rest.join(".")]);
    } else result[head] = pulumi.secret(value); // an Output or Promise of the whole object: secret as a whole
  }
  return result;
}
