/**
 * The types programs compile against: resource classes, their arguments and outputs. Plain TypeScript, with no
 * zod anywhere in their declarations (users compile them with the `tsconfig.json` `pulumi new typescript` writes,
 * library checks included); the zod schemas that check the same inputs live in provider/resources/.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Every level of a value may be an Input (a plain value, a Promise or an Output). */
export type DeepInput<T> = T extends (infer Item)[]
  ? pulumi.Input<DeepInput<Item>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

/** A resource's constructor arguments: its inputs (provider/sdk/types.generated.ts), each level an Input. */
export type ResourceArgs<Inputs> = { [K in keyof Inputs]: DeepInput<Inputs[K]> } & {
  /**
   * Opt-in adoption: the id of an existing object (made in the console) for this resource to manage. Create reads
   * it, checks it is what the program describes (same parent, same unique name), then applies the program's values
   * as an update. Without it, nothing is ever adopted.
   */
  adoptId?: pulumi.Input<string>;
};

/** Every PgBeam object reports when it was created and last changed (settings such as a spend limit do not). */
export interface ObjectTimestamps {
  /** When PgBeam created the object (ISO 8601). */
  createdAt: string;
  /** When the object last changed (ISO 8601). */
  updatedAt: string;
}

/** A resource object: a Pulumi resource with an Output per field of `Outputs` (with the field's doc comment). */
export type PgBeamResourceOf<Outputs> = pulumi.dynamic.Resource & { readonly [K in keyof Outputs]-?: pulumi.Output<Outputs[K]> };

/**
 * What a resource class has: a constructor, its type token and `get`. `ParentKey` names the inputs that hold the
 * ids its URL needs (`projectId`, `databaseId`, `orgId`).
 */
export interface PgBeamResourceClass<Args, Outputs, ParentKey extends keyof Args = never> {
  new (name: string, args: Args, opts?: pulumi.CustomResourceOptions): PgBeamResourceOf<Outputs>;
  /** `pulumi-nodejs:dynamic/pgbeam:<Name>`, what policy packs and `pulumi stack export` name this type by. */
  readonly __pulumiType: string;
  /** Reads an existing object into the program; Pulumi never changes or deletes it. `parents`: the ids its URL needs. */
  get(
    name: string,
    id: pulumi.Input<string>,
    parents: Pick<Args, ParentKey>,
    opts?: pulumi.CustomResourceOptions,
  ): PgBeamResourceOf<Outputs>;
}

/** A resource whose URL needs no other id (Project) is also read with `get(name, id, opts)`. */
export interface ParentlessGet<Outputs> {
  /** Reads an existing object into the program; Pulumi never changes or deletes it. */
  get(name: string, id: pulumi.Input<string>, opts?: pulumi.CustomResourceOptions): PgBeamResourceOf<Outputs>;
}
