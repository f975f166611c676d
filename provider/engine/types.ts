import type * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";

/** Every level of a value may be an Input (a plain value, a Promise or an Output). */
export type DeepInput<T> = T extends (infer Item)[]
  ? pulumi.Input<DeepInput<Item>[]>
  : T extends object
    ? pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>
    : pulumi.Input<T>;

/** A resource's constructor arguments, derived from its input schema (fields with API defaults are optional). */
export type ResourceArgs<Schema extends z.ZodType> = { [K in keyof z.input<Schema>]: DeepInput<z.input<Schema>[K]> };
