import * as pulumi from "@pulumi/pulumi";
import { ANCHOR_KEY, REPLACE_ON_CHANGES_KEY, URN_KEY } from "./keys";
import { STACK_ANCHOR } from "./stack-anchor";
import providerMethods = require("./provider-methods");
import { ADOPT_INPUT, fieldsWith, type ResourceSpec } from "./spec";
import { isPlainObject, type Props } from "./values";
import type { ObjectTimestamps, ParentlessGet, PgBeamResourceClass } from "../sdk/types";

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

const TIMESTAMP_OUTPUTS: readonly (keyof ObjectTimestamps)[] = ["createdAt", "updatedAt"];

/** The type token of a resource: what policy packs and `pulumi stack export` name it by. */
export const typeToken = (resourceName: string): string => `pulumi-nodejs:dynamic/pgbeam:${resourceName}`;

/**
 * The hidden resource that makes this stack instance's creates its own (see ./stack-anchor). Outside the
 * `pgbeam:` type module: it is no PgBeam object, and policy packs and the resource list leave it out.
 */
class StackAnchor extends pulumi.dynamic.Resource {
  constructor() {
    super(providerFor(STACK_ANCHOR), "pgbeam-stack-anchor", {}, undefined, "pgbeam-internal", STACK_ANCHOR);
  }
}

const ANCHOR_HOLDER = Symbol.for("pulumi-pgbeam.stackAnchor");

/**
 * The anchor's id, registering the anchor with the program's first PgBeam resource. Kept on `globalThis` under a
 * registered symbol, so two copies of this module in one program (prior-art D13) still register one anchor.
 */
function stackAnchorId(): pulumi.Output<string> {
  const holder = globalThis as { [ANCHOR_HOLDER]?: pulumi.Output<string> };
  return (holder[ANCHOR_HOLDER] ??= new StackAnchor().id);
}

/** Singleton keys claimed by resources of this program (see `ResourceSpec.singletonBy`), with who claimed them. */
const claimedSingletons = new Map<string, string>();

/**
 * Base class of every PgBeam resource: wires the spec's provider, marks write-only inputs secret in the program
 * (so state's inputs are encrypted, not only its outputs), declares the secret outputs, and passes the resource's
 * URN, the stack's anchor and `replaceOnChanges` as hidden inputs (`__` keys are hidden from diffs and policy packs).
 */
export abstract class PgBeamResource extends pulumi.dynamic.Resource {
  protected constructor(spec: ResourceSpec, name: string, args: object, opts?: pulumi.CustomResourceOptions) {
    // Pulumi's `import` would read the object through a provider that cannot look it up by id alone.
    if (opts?.import !== undefined) {
      throw new Error(
        `${spec.name} "${name}": the import resource option is not supported; to manage the existing object, remove ` +
          `\`import\` and set the input ${ADOPT_INPUT}: "${opts.import}" (to only read it, use ${spec.name}.get)`,
      );
    }
    const writeOnly = fieldsWith(spec, "writeOnly");
    // The engine never tells the provider the URN: it is the identity of creates (create-once.ts) and where
    // messages attach (diagnostics.ts).
    const props: Props = { ...markSecret(args as Props, writeOnly), [URN_KEY]: urnWithoutDependencies(name, spec.name, opts?.parent) };
    if (opts?.replaceOnChanges?.length) props[REPLACE_ON_CHANGES_KEY] = opts.replaceOnChanges;
    // Who creates is this resource in this stack instance: a `get` creates nothing, so it needs no anchor.
    if (opts?.id === undefined) props[ANCHOR_KEY] = stackAnchorId();
    // The SDK only creates Output properties for keys present in props: every input and every output-only key.
    for (const key of [...Object.keys(spec.inputs.shape), ADOPT_INPUT, ...spec.outputs, ...TIMESTAMP_OUTPUTS]) {
      if (!(key in props)) props[key] = undefined;
    }
    const secretOutputs = [
      ...(opts?.additionalSecretOutputs ?? []),
      ...writeOnly.filter((path) => !path.includes(".")),
      ...fieldsWith(spec, "secret"),
    ];
    // A replace keeps a unique name unless the program changes it, and the API refuses a second object with it. The
    // engine asks the provider nothing for a targeted replace (`--replace`, a tainted resource), so only this option
    // can make it delete first; it then also deletes first for a renamed one. The program's own choice wins.
    const deleteBeforeReplace = opts?.deleteBeforeReplace ?? (fieldsWith(spec, "unique").length > 0 ? true : undefined);
    // Before registering: a second claimant must not reach the engine at all. A `get` (opts.id) claims nothing.
    if (spec.singletonBy && opts?.id === undefined) claimSingleton(spec, name, args as Props);
    // Registering makes several promises per property, and the SDK formats a stack trace for each (source-mapped
    // in a TypeScript program), kept only to explain promise leaks under PULUMI_DEBUG_PROMISE_LEAKS: with 25
    // properties that was most of a preview's program time. The resource's own source position is taken apart
    // from this limit (the SDK lifts it while taking it), so errors and the console still point at the program.
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env.PULUMI_DEBUG_PROMISE_LEAKS) Error.stackTraceLimit = 0;
    try {
      super(
        providerFor(spec.name),
        name,
        props,
        { ...opts, additionalSecretOutputs: secretOutputs, deleteBeforeReplace },
        "pgbeam",
        spec.name,
      );
    } finally {
      Error.stackTraceLimit = stackTraceLimit;
    }
  }
}

/**
 * The resource's URN as a plain value. `createUrn`'s Output carries a dependency on the parent, and the SDK expands a
 * dependency on a component to all of its children: siblings under one component would wait on each other forever.
 * A URN is always known, in preview too, so nothing is lost.
 */
function urnWithoutDependencies(name: string, resourceName: string, parent: pulumi.Resource | undefined): Promise<string> {
  return new Promise((resolve) => pulumi.createUrn(name, typeToken(resourceName), parent).apply(resolve));
}

/**
 * Fails the program (so `preview` fails) when a second resource claims what can exist once (one spend limit per
 * organization): two would overwrite each other on every `up`.
 */
function claimSingleton(spec: ResourceSpec, name: string, args: Props): void {
  const keys = spec.singletonBy!;
  const claim = (values: unknown[]) => {
    const key = `${spec.name} ${JSON.stringify(values)}`;
    const holder = claimedSingletons.get(key);
    if (holder !== undefined && holder !== name) {
      const what = keys.map((field, index) => `${field} ${JSON.stringify(values[index])}`).join(", ");
      throw new Error(`${spec.name} "${name}" and "${holder}" both manage the one ${spec.name} of ${what}: keep one of them`);
    }
    claimedSingletons.set(key, name);
  };
  const values = keys.map((key) => args[key]);
  // Plain values fail the constructor at once; values known later fail the program when they resolve.
  if (values.some((value) => pulumi.Output.isInstance(value) || value instanceof Promise)) pulumi.all(values).apply(claim);
  else claim(values);
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

/**
 * The program-side class of a spec: its inputs as arguments, `Outputs` as typed Output properties. `Outputs` is the
 * resource's generated interface (provider/sdk/types.generated.ts), whose doc comments editors show on hover.
 */
export function resourceClass<Args, Outputs, ParentKey extends keyof Args = never>(
  spec: ResourceSpec,
): PgBeamResourceClass<Args, Outputs, ParentKey> & ([ParentKey] extends [never] ? ParentlessGet<Outputs> : unknown) {
  // Without ids in its URL, `get`'s third argument is the options (`get(name, id, opts)`), unless a fourth follows.
  const takesParents = fieldsWith(spec, "path").length > 0;
  const resource = class extends PgBeamResource {
    static readonly __pulumiType = typeToken(spec.name);
    static get(name: string, id: pulumi.Input<string>, parents?: object, opts?: pulumi.CustomResourceOptions) {
      if (!takesParents && opts === undefined) return new resource(name, {}, { ...(parents as pulumi.CustomResourceOptions), id });
      return new resource(name, parents ?? {}, { ...opts, id });
    }
    constructor(name: string, args: object, opts?: pulumi.CustomResourceOptions) {
      super(spec, name, args, opts);
    }
  };
  Object.defineProperty(resource, "name", { value: spec.name });
  return resource as never;
}
