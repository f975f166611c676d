import { typeToken } from "./engine/dynamic";
import { planningCallsIn, secretChangesIn } from "./engine/review-notes";
import { fieldsWith, type ResourceSpec } from "./engine/spec";
import { RESOURCE_SPECS } from "./resources/registry";

/** For tools that review a `pulumi preview` (examples/gitops/render-review.js). */
export { planningCallsIn, secretChangesIn };

const specOf = (type: string): ResourceSpec | undefined =>
  Object.values(RESOURCE_SPECS).find((candidate) => typeToken(candidate.name) === type);

/**
 * The input paths of a PgBeam resource type that the server fills and keeps when the program leaves them out (a
 * project's `status`, a database's `sslMode`). Removing one from the program shows in the preview's inputs as a
 * removal, yet `up` sends nothing and the server keeps its value. `type` is the type token
 * (`pulumi-nodejs:dynamic/pgbeam:Project`); an unknown type has none.
 */
export function fieldsKeptByServer(type: string): string[] {
  const spec = specOf(type);
  return spec ? fieldsWith(spec, "serverDefault") : [];
}

/** What a reviewer must be told about replacing, rotating or deleting an object of a type (see `ReviewFacts`). */
export interface ReviewFactsOfType {
  replaceInvalidates?: string;
  rotationInvalidates?: string;
  /** The input whose change rotates (with `rotationInvalidates`). */
  rotationTrigger?: string;
  stateful: boolean;
  /** Unique within the parent: a replace keeping them equal deletes the old object before creating the new one. */
  uniqueFields: string[];
}

export function reviewFacts(type: string): ReviewFactsOfType {
  const spec = specOf(type);
  const review = spec?.review ?? {};
  return {
    replaceInvalidates: review.replaceInvalidates,
    rotationInvalidates: review.rotationInvalidates,
    rotationTrigger: review.rotationInvalidates ? spec?.action?.trigger : undefined,
    stateful: review.stateful === true,
    uniqueFields: spec ? fieldsWith(spec, "unique") : [],
  };
}
