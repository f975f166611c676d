import * as pulumi from "@pulumi/pulumi";
import providerMethods = require("./provider-methods");
import { fieldsWith, type ResourceSpec } from "./spec";
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

/** The type token of a resource: what policy packs and `pulumi stack export` name it by. */
export const typeToken = (resourceName: string): string => `pulumi-nodejs:dynamic/pgbeam:${resourceName}`;

/** Singleton keys claimed by resources of this program (see `ResourceSpec.singletonBy`), with who claimed them. */
const claimedSingletons = new Map<string, string>();

/**
 * Base class of every PgBeam resource: wires the spec's provider, marks write-only inputs secret in the program
 * (so state's inputs are encrypted, not only its outputs), declares the secret outputs and passes the resource's
 * URN as the hidden `__urn` input (`__` keys are hidden from diffs and policy packs).
 */
export abstract class PgBeamResource extends pulumi.dynamic.Resource {
  protected constructor(spec: ResourceSpec, name: string, args: object, opts?: pulumi.CustomResourceOptions) {
    const writeOnly = fieldsWith(spec, "writeOnly");
    const props: Props = { ...markSecret(args as Props, writeOnly) };
    // The SDK only creates Output properties for keys present in props: every input and every output-only key.
    for (const key of [...Object.keys(spec.inputs.shape), ...spec.outputs, ...TIMESTAMP_OUTPUTS]) {
      if (!(key in props)) props[key] = undefined;
    }
    // The URN the engine will give this resource, so the provider can attach messages to it (diagnostics.ts).
    props.__urn = pulumi.createUrn(name, `pulumi-nodejs:dynamic/pgbeam:${spec.name}`, opts?.parent);
    const secretOutputs = [
      ...(opts?.additionalSecretOutputs ?? []),
      ...writeOnly.filter((path) => !path.includes(".")),
      ...fieldsWith(spec, "secret"),
    ];
    super(providerFor(spec.name), name, props, { ...opts, additionalSecretOutputs: secretOutputs }, "pgbeam", spec.name);
    if (spec.singletonBy) claimSingleton(spec, name, args as Props);
  }
}

/**
 * Fails the program (so `preview` fails) when a second resource claims what can exist once (one spend limit per
 * organization): two would overwrite each other on every `up`.
 */
function claimSingleton(spec: ResourceSpec, name: string, args: Props): void {
  const keys = spec.singletonBy!;
  pulumi.all(keys.map((key) => args[key])).apply((values) => {
    const claim = `${spec.name} ${JSON.stringify(values)}`;
    const holder = claimedSingletons.get(claim);
    if (holder !== undefined && holder !== name) {
      const what = keys.map((key, index) => `${key} ${JSON.stringify(values[index])}`).join(", ");
      throw new Error(`${spec.name} "${name}" and "${holder}" both manage the one ${spec.name} of ${what}: keep one of them`);
    }
    claimedSingletons.set(claim, name);
  });
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
