import { API_RESOURCES } from "../api/resources.generated";
import { fieldsWith, type ResourceSpec } from "./spec";
import { camel, fromApi, sameValue, type Props } from "./values";

/** Every item of a (paged) list: the client's `listAll`, or a run's cached reader (./predictions). */
export type Lister = (path: string, itemsKey: string, query: Record<string, string>) => Promise<Props[]>;

/**
 * The unique fields an object is found by within its collection, as the inputs spell them (a path field names the
 * collection itself, so it is left out). The last one is the name a user would change.
 */
export function uniqueValuesOf(spec: ResourceSpec): string[] {
  const path = fieldsWith(spec, "path");
  return fieldsWith(spec, "unique").filter((key) => !path.includes(key));
}

type Listed = { adoption?: { listQuery: Readonly<Record<string, string | number>>; itemsKey: string }; list?: { itemsKey: string } };

/**
 * How a collection is listed to find an object, from the spec's `x-iac-resources`: its adoption lookup (whose string
 * query values name a create field), else its list operation, unfiltered.
 */
function listingOf(spec: ResourceSpec): { itemsKey: string; query(inputs: Props): Record<string, string> } | undefined {
  const api = (API_RESOURCES as Readonly<Record<string, Listed>>)[spec.name];
  const lookup = api?.adoption;
  if (lookup) {
    const scoped = Object.entries(lookup.listQuery).filter((entry): entry is [string, string] => typeof entry[1] === "string");
    return {
      itemsKey: lookup.itemsKey,
      query: (inputs) => Object.fromEntries(scoped.map(([param, field]) => [param, String(inputs[camel(field)])])),
    };
  }
  return api?.list && { itemsKey: api.list.itemsKey, query: () => ({}) };
}

/**
 * The live object of the candidate's collection that already holds its unique values, if any: what a create would
 * be refused for (409). Shared by the preview's prediction and the explanation of a refused create.
 */
export async function holderOfUniqueValues(spec: ResourceSpec, list: Lister, candidate: Props): Promise<Props | undefined> {
  const listing = listingOf(spec);
  const compared = uniqueValuesOf(spec);
  if (!listing || compared.length === 0) return undefined;
  const items = await list(spec.collectionPath!(candidate), listing.itemsKey, listing.query(candidate));
  return items.find((item) => !spec.read?.isGone?.(item) && compared.every((key) => sameValue(fromApi(item)[key], candidate[key])));
}
