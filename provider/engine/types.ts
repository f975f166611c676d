import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** Every level of a value may be an Input (a plain value, a Promise or an Output). */
export type DeepInput<T> = T extends (infer Item)[]
  ? pulumi.Input<DeepInput<Item>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

/** A resource's constructor arguments, derived from its input schema (fields with API defaults are optional). */
export type ResourceArgs<Schema extends z.ZodType> = { [K in keyof z.input<Schema>]: DeepInput<z.input<Schema>[K]> } & {
  /**
   * Opt-in adoption: the id of an existing object (made in the console) for this resource to manage. Create reads
   * it, checks it is what the program describes (same parent, same unique name), then applies the program's values
   * as an update. Without it, nothing is ever adopted.
   */
  adoptId?: pulumi.Input<string>;
};
