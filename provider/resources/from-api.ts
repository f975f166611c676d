import { z } from "zod";
import { API_RESOURCES, type ApiResourceName } from "../api/resources.generated";
import * as requests from "../api/schemas.generated";
import type { ApiAnswer, FieldBehaviour, ResourceSpec, TriggeredAction, Verbs } from "../engine/spec";
import { camel, type Props } from "../engine/values";
import { segment } from "./paths";

type ApiResource = (typeof API_RESOURCES)[ApiResourceName];
type Operation = { method: string; path: string; request?: string };
type Operations = Partial<Record<"create" | "upsert" | "read" | "update" | "delete" | "list", Operation>>;

/** A path template of the spec filled in: `{project_id}` from `values.projectId`, the object's own id from `id`. */
function filler(template: string, parentParams: readonly string[]) {
  return (values: Props, id?: string) =>
    template.replace(/\{([^}]+)\}/g, (_match, param: string) => segment(parentParams.includes(param) ? values[camel(param)] : id));
}

/** The inputs a request body of the spec takes (its generated schema's fields, camelCase). */
const requestFields = (operation: Operation | undefined): string[] =>
  operation?.request ? Object.keys((requests as unknown as Record<string, z.ZodObject>)[operation.request].shape) : [];

/** What the spec says about a resource, in the spec's own terms: a resource file spreads it into `defineSpec`. */
export interface ApiShape<Name extends ApiResourceName> extends Pick<
  ResourceSpec,
  "itemPath" | "objectIn" | "read" | "update" | "delete" | "parents"
> {
  name: Name;
  outputs: (typeof API_RESOURCES)[Name]["outputs"];
  fields: Record<string, FieldBehaviour[]>;
  collectionPath?(inputs: Props): string;
  create: NonNullable<Verbs["create"]>;
}

/**
 * What a read shows once the delete has run, for objects the API still returns then (scripts/generate-resources.ts
 * reads it from the spec): every `equals` field has its value, every `set` field a value.
 */
export interface GoneWhen {
  equals?: Readonly<Record<string, unknown>>;
  set?: readonly string[];
}

/** Whether a read shows what the delete leaves of an object the API still returns (revoked, a cleared setting). */
function goneCheck(gone: GoneWhen) {
  return (object: Props) =>
    Object.entries(gone.equals ?? {}).every(([key, value]) => object[key] === value) &&
    (gone.set ?? []).every((key) => object[key] != null);
}

/**
 * A resource's REST shape as PgBeam's spec declares it (`x-iac-resources`, read by scripts/generate-resources.ts):
 * its URLs, verbs and the inputs each verb's request takes, where the object sits in answers, how it reads once
 * deleted, the GETs that say whether its parents exist, its outputs and the behaviours of the fields the spec names
 * (path parameters, one-time and secret values). A resource file spreads it and adds what the spec cannot say.
 */
export function fromApi<Name extends ApiResourceName>(name: Name): ApiShape<Name> {
  const api: ApiResource = API_RESOURCES[name];
  const ops: Operations = api.operations;
  const parents = api.parentParams as readonly string[];
  const idField = "idField" in api ? api.idField : undefined;
  const itemOp = (ops.upsert ?? ops.update ?? ops.delete ?? ops.read)!;
  const itemPath = filler(itemOp.path, parents);
  const collection = ops.create ?? ops.list;
  const updateOp = ops.update ?? ops.upsert;
  const fields: Record<string, FieldBehaviour[]> = Object.fromEntries(parents.map((param) => [camel(param), ["path", "replace"]]));
  for (const { field, sensitive } of api.oneTime) fields[camel(field)] = sensitive ? ["oneTime", "secret"] : ["oneTime"];
  const answerKeys: Partial<Record<string, string>> = api.answerKeys;
  /** Create answers that wrap the object carry the one-time values beside it: kept from then on. */
  const createAnswer = (response: Props): ApiAnswer => ({
    object: response[answerKeys.create!] as Props,
    once: Object.fromEntries(api.oneTime.map(({ field }) => [camel(field), response[field]])),
  });
  const readPath = ops.read && ops.read.path !== itemOp.path ? filler(ops.read.path, parents) : undefined;
  const list = "list" in api && !ops.read ? api.list : undefined;
  const softDelete = "softDelete" in api ? (api.softDelete as Props) : undefined;
  const isGone = "goneWhen" in api ? goneCheck(api.goneWhen) : undefined;
  const parentChecks = Object.entries(api.parents as Readonly<Record<string, string>>);
  const upsertMethod = ops.upsert?.method as "PUT" | "PATCH" | undefined;
  const updateFields = requestFields(updateOp);
  // What the create's request lacks and the update's takes can only be set by a PATCH right after the create.
  const createFields = requestFields(ops.create);
  const patchAfter = ops.create ? updateFields.filter((field) => !createFields.includes(field)) : [];
  return {
    name,
    outputs: API_RESOURCES[name].outputs,
    fields,
    ...(collection ? { collectionPath: filler(collection.path, parents) } : {}),
    itemPath,
    ...(answerKeys.upsert ? { objectIn: (response: Props) => response[answerKeys.upsert!] as Props } : {}),
    create: {
      ...(upsertMethod ? { method: upsertMethod, id: (inputs: Props) => String(inputs[camel(idField!)]) } : {}),
      ...(answerKeys.create ? { parse: createAnswer } : {}),
      ...(patchAfter.length > 0 ? { patchAfter } : {}),
    },
    ...(readPath || list || isGone
      ? {
          read: {
            ...(readPath ? { path: readPath } : {}),
            ...(list ? { list: { ...list, ...(idField ? { matches: (item: Props, id: string) => item[idField] === id } : {}) } } : {}),
            ...(isGone ? { isGone } : {}),
          },
        }
      : {}),
    ...(parentChecks.length > 0
      ? { parents: Object.fromEntries(parentChecks.map(([param, path]) => [camel(param), filler(path, parents)])) }
      : {}),
    ...(updateOp
      ? { update: { method: updateOp.method as "PATCH" | "PUT", ...(updateFields.length > 0 ? { fields: updateFields } : {}) } }
      : {}),
    ...(softDelete && upsertMethod ? { delete: { method: upsertMethod, body: softDelete } } : {}),
  };
}

/**
 * Rotation in place through `POST {item}/rotate`, which answers like create: the object and its new one-time values
 * (the spec leaves the endpoint out of band). The `rotationTrigger` input (any value; never sent), its field
 * behaviour and the action a change of it runs, for a resource file to spread into its inputs, fields and spec.
 */
export function rotation<Name extends ApiResourceName>(rest: ApiShape<Name>, whatChanges: string) {
  return {
    input: {
      rotationTrigger: z.union([z.string(), z.number()]).optional().describe(`Any value; changing it rotates ${whatChanges} in place.`),
    },
    fields: { rotationTrigger: ["local"] as FieldBehaviour[] },
    action: {
      trigger: "rotationTrigger",
      path: (outputs, id) => `${rest.itemPath(outputs, id)}/rotate`,
      parse: rest.create.parse!,
    } as TriggeredAction,
  };
}
