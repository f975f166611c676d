import type { z } from "zod";
import type { PgBeamClient } from "../client/client";
import type * as pulumi from "@pulumi/pulumi";
import type { Diagnostics } from "./diagnostics";
import type { PlanRule, Reader } from "./plan-rules";
import type { Props } from "./values";
import type { PreChangeVerification } from "./verification";

/** A resource's inputs as checked: camelCase, the API's defaults applied. */
export type InputSchema = z.ZodObject<z.ZodRawShape>;

/** The opt-in adoption input every resource has (see `ResourceArgs.adoptId`); a local input of the engine's. */
export const ADOPT_INPUT = "adoptId";

/** What the engine keeps from one API answer: the object (snake_case) and values only this answer carries. */
export interface ApiAnswer {
  /** Absent when the answer carries no object (outputs are then kept as they were). */
  object?: Props;
  /** One-time values (tokens, connection strings) in camelCase; stored and carried forward from then on. */
  once?: Props;
}

/**
 * What a field is, beyond its type. Declared once per field in the resource's `fields` table; the engine derives
 * diff, bodies, secrets and carried values from it.
 */
export type FieldBehaviour =
  /** A change replaces the object. */
  | "replace"
  /** Unique within the parent: a replace that keeps it equal must delete the old object first. */
  | "unique"
  /** Accepted by the API but never returned (passwords): secret in the program and in state, kept from inputs. */
  | "writeOnly"
  /** An output only some answers carry (create/rotate tokens): kept from earlier state until replaced. */
  | "oneTime"
  /** Stored as a secret output (additionalSecretOutputs). */
  | "secret"
  /** Filled by the server when omitted, without a default in the spec: leaving it out is never a diff. */
  | "serverDefault"
  /**
   * Never filled by the server, but another resource may set it (a project's default policy, by a
   * ProjectDefaultPolicy): while the program leaves it out, what is set is kept; removed from the program, it is
   * cleared like any field.
   */
  | "setElsewhere"
  /** Names the parent in the URL: never in a body, kept from inputs. */
  | "path"
  /** Consumed by the provider itself (rotation triggers): never sent, kept from inputs. */
  | "local";

/** `key` and, one level down, `key.sub` (the nested object's fields): typos fail to compile. */
type FieldPath<T> = {
  [K in keyof T & string]:
    | K
    | (NonNullable<T[K]> extends readonly unknown[]
        ? never
        : NonNullable<T[K]> extends object
          ? `${K}.${keyof NonNullable<T[K]> & string}`
          : never);
}[keyof T & string];

/** The typed table of field behaviours: keys are the resource's inputs (and their nested fields) and outputs. */
export type FieldTable<Inputs extends InputSchema, Output extends string> = Partial<
  Record<FieldPath<z.input<Inputs>> | Output, readonly FieldBehaviour[]>
>;

/**
 * A sub-object created with its parent and updated through its own endpoint (a project's primary database).
 * Its inputs sit under `key`; its id is stored in the output `idOutput`; `parentField` (the id of the parent in
 * the sub-object's answer) is not part of the parent's outputs.
 */
export interface NestedObject {
  key: string;
  idOutput: string;
  parentField: string;
  path(outputs: Props, parentId: string): string;
  fromCreate(response: Props): Props | undefined;
  /** Where to create it again if it was deleted out of band; without it, that case replaces the parent. */
  recreatePath?(parentId: string): string;
  /** Fields the recreate body sets beyond the inputs (e.g. the role that makes it the primary). */
  recreateFields?: Props;
  /**
   * How to find it in the list at `recreatePath` when the parent is adopted (its id is not in the parent's answer),
   * given the program's inputs for it; throws, saying why, when that is not certain.
   */
  adoptFrom?: { itemsKey: string; find(items: Props[], program: Props | undefined): Props | undefined };
}

/**
 * An operation (POST, no body) triggered by an input rather than by a field of the object: by default on every
 * change of the trigger (rotation); with `onCreate`, whenever the trigger is set, at create too (verification).
 */
export interface TriggeredAction {
  trigger: string;
  onCreate?: boolean;
  path(outputs: Props, id: string): string;
  parse(response: Props): ApiAnswer;
  /** Repeats the call, bounded, until the answer says done; then fails saying what is still missing. */
  until?: {
    done(response: Props): boolean;
    attempts(inputs: Props): number;
    intervalMs: number;
    /** What it waits for and what the user can do meanwhile, shown on the resource when the wait starts and as it goes on. */
    waiting(response: Props, inputs: Props): string;
    gaveUp(response: Props, inputs: Props, attempts: number): string;
  };
}

/**
 * What a reviewer of a preview must be told about replacing, rotating or deleting the object, beyond its fields
 * (review tools read it through provider/review.ts). Written as the end of a sentence about the object.
 */
export interface ReviewFacts {
  /** What a replace issues anew, so that whatever holds the old value stops working ("a new proxy host: ..."). */
  replaceInvalidates?: string;
  /** The same for a rotation (the `action` trigger changing): same object, new secrets. */
  rotationInvalidates?: string;
  /** Its delete loses what clients rely on (a project's proxy host, a database's routing): deletes stand out. */
  stateful?: boolean;
}

/** Reading the object from its collection, for APIs with no GET by id. */
export interface ListRead {
  /** Key of the items array in the list answer. */
  itemsKey: string;
  /** Whether the list takes page_size/page_token; a `next_page_token` is followed either way. */
  paged: boolean;
  /** Which item is this object; by default the one whose `id` is the resource id. */
  matches?(item: Props, id: string): boolean;
}

/**
 * The verbs, each with a REST default a resource may override:
 * - create: POST to the collection (default), or PUT/PATCH to the item path built from the inputs (upsert);
 * - read: GET the item (default), or find it in the (paginated) collection list;
 * - update: PATCH the changed fields or PUT the full object; absent, every input change replaces;
 * - delete: DELETE the item (default; for credentials that is a revoke), or a PUT/PATCH that disables (soft delete).
 */
export interface Verbs {
  create?: {
    method?: "POST" | "PUT" | "PATCH";
    /** Input fields the create call does not accept: the engine PATCHes them right after (same `up`); from the spec's requests. */
    patchAfter?: string[];
    /** What the create answer holds beyond the object (one-time values); by default `objectIn`. */
    parse?(response: Props): ApiAnswer;
    /** The resource id, from the inputs, for a create by PUT/PATCH to the item's path (upsert); by default `object.id`. */
    id?(inputs: Props): string;
    /**
     * For an upsert: whether the object at the item path already holds a setting, which a create must not take
     * over; by default, whatever `read.isGone` does not call gone.
     */
    taken?(object: Props): boolean;
  };
  read?: {
    list?: ListRead;
    /** GET the object from another URL than its item path (a spend limit is read from the organization's plan). */
    path?(outputs: Props, id: string): string;
    /**
     * An object the API still returns but which no longer exists for the user (revoked, disabled, null limit); what
     * the spec says (a revoke, a soft delete that clears) comes from resources/from-api.ts.
     */
    isGone?(object: Props): boolean;
  };
  update?: {
    /** PATCH sends the changed fields only; PUT sends the full desired object (never a partial PUT). */
    method: "PATCH" | "PUT";
    /** Input fields the update call accepts (others replace); the spec's update request (resources/from-api.ts), else every body input. */
    fields?: string[];
  };
  delete?: { method: "DELETE" } | { method: "PUT" | "PATCH"; body: Props };
}

export interface PredictHookContext {
  /** Checked desired inputs (may hold unknowns in a preview). */
  candidate: Props;
  /** Stored inputs; empty on create. */
  previous: Props;
  /** The run's cached reads; asking for it makes no call. */
  read(): Reader;
  diagnostics: Diagnostics;
  urn?: string;
}

/**
 * Everything the engine needs to know about one PgBeam object. Resource files declare this (through
 * `defineSpec`, which types `fields` against the inputs and outputs); the engine does the rest.
 */
export interface ResourceSpec extends Verbs {
  /** Type name: the dynamic resource's type token is `pulumi-nodejs:dynamic/pgbeam:<name>`. */
  name: string;
  inputs: InputSchema;
  /**
   * The object's fields and its one-time values, as outputs (the spec's, through resources/from-api.ts); inputs and
   * timestamps are outputs whether listed or not.
   */
  outputs: readonly string[];
  fields: Partial<Record<string, readonly FieldBehaviour[]>>;
  /** The collection URL (POST, list; absent for objects that are a setting of their parent) and the object URL. */
  collectionPath?(inputs: Props): string;
  itemPath(outputs: Props, id: string): string;
  /** Where the object is in an answer (create, update, item read); by default the answer is the object. */
  objectIn?(response: Props): Props;
  nested?: NestedObject;
  action?: TriggeredAction;
  /** Asks the API about the candidate before anything is created or changed (see verification.ts). */
  verification?: PreChangeVerification;
  /**
   * Inputs that cannot meet in one program (one spend limit per organization): check() refuses a second
   * resource with the same values of these keys.
   */
  singletonBy?: string[];
  /**
   * Inputs naming an existing object this one is created under, with that object's GET path: a 404 there means the
   * create would fail, which the preview then says (see ./predictions). The parents in the URL come from the spec
   * (resources/from-api.ts); a resource adds those only its body names.
   */
  parents?: Readonly<Record<string, (inputs: Props) => string>>;
  /**
   * An object the create writes to, which only the platform makes (a cache rule exists once the proxy has seen its
   * query shape): found by `field` in a list, or the create fails, for the reason `why` says.
   */
  mustExist?: { field: string; list(inputs: Props): string; itemsKey: string; matches(item: Props, inputs: Props): boolean; why: string };
  /** What the organization's plan must allow for a create: a 403 is called the plan's only when one of these says so. */
  planRules?: readonly PlanRule[];
  /**
   * What only this resource can predict from reads (a policy's table names against the database catalog): run by
   * ./predictions with the declared predictions, on the same run-cached reads, so off with them too.
   */
  predict?(context: PredictHookContext): Promise<pulumi.dynamic.CheckFailure[]>;
  review?: ReviewFacts;
  /** Adds context to an API error of a verb (a plan gate, a shape never observed, what still uses an object). */
  explainError?(
    verb: "create" | "update" | "delete",
    error: Error,
    context: { client: PgBeamClient; inputs: Props; id?: string },
  ): Promise<Error> | Error;
}

/** Declares a resource spec with `fields` and `outputs` typed against its input schema: a typo fails to compile. */
export function defineSpec<Inputs extends InputSchema, const Output extends string>(
  spec: Omit<ResourceSpec, "inputs" | "outputs" | "fields"> & {
    inputs: Inputs;
    outputs: readonly Output[];
    fields: FieldTable<Inputs, Output>;
  },
): ResourceSpec {
  return spec as ResourceSpec;
}

/** The field paths with a behaviour, in table order. */
export function fieldsWith(spec: ResourceSpec, behaviour: FieldBehaviour): string[] {
  return Object.entries(spec.fields)
    .filter(([, behaviours]) => behaviours?.includes(behaviour))
    .map(([path]) => path);
}
