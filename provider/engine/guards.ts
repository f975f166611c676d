import type { PgBeamClient } from "../client/client";
import { isPgBeamApiError } from "../client/errors";
import type { RestOperations } from "./operations";
import { ADOPT_INPUT, type ResourceSpec } from "./spec";
import { partialFailure } from "./output-rules";
import type { SpecRules } from "./state-rules";
import { holderOfUniqueValues, uniqueValuesOf } from "./unique-values";
import type { Props } from "./values";

/**
 * What keeps a create from taking what it must not (a setting made elsewhere, an object holding its unique name)
 * or from leaving behind what it must not (an object running with the API's defaults for fields it failed to set).
 */
export class CreateGuards {
  constructor(
    private readonly spec: ResourceSpec,
    private readonly rules: SpecRules,
    private readonly operations: RestOperations,
    /** The client for calls made outside any resource's operation (messages go to the Stack). */
    private readonly stackClient: () => PgBeamClient,
  ) {}

  /**
   * An upsert must not overwrite a setting made elsewhere: the path must be free, or already hold exactly the
   * program's setting (writing it changes nothing: the old entry of a `pulumi up --replace`, whose check gets no
   * old state, or the retry of an interrupted create). Otherwise it refuses, saying how to adopt it. True when the
   * path already holds the program's setting.
   */
  async alreadySetAsDesired(client: PgBeamClient, desired: Props, path: string): Promise<boolean> {
    const id = this.spec.create!.id!(desired);
    const existing = await this.operations.fetch(client, desired, id);
    const taken = this.spec.create?.taken ?? ((object: Props) => !this.rules.fields.isGone(object));
    if (!existing || !taken(existing)) return false;
    if (this.rules.state.changedKeys(desired, this.rules.outputs.afterAnswer({}, desired, { object: existing })).length === 0) return true;
    throw new Error(
      `${this.spec.name} ${id} is already set (${path}), outside this stack or by another resource: creating it would ` +
        `overwrite that setting and destroying it would remove it. To manage it from this program, set ${ADOPT_INPUT}: "${id}"; ` +
        "or remove the setting first. Nothing was changed.",
    );
  }

  /**
   * A create refused with 409 because an object already holds a unique value: names that object and how to adopt
   * it (./unique-values), and takes nothing. Undefined for any other error.
   */
  async conflictHolder(client: PgBeamClient, error: unknown, desired: Props): Promise<Error | undefined> {
    if (!isPgBeamApiError(error) || error.status !== 409) return undefined;
    let holder: Props | undefined;
    try {
      holder = await holderOfUniqueValues(this.spec, (path, itemsKey, query) => client.listAll<Props>(path, itemsKey, query), desired);
    } catch {
      return undefined; // the refusal stands as the API gave it: the lookup could only have added to it
    }
    if (!holder) return undefined;
    const field = uniqueValuesOf(this.spec).at(-1)!;
    return new Error(
      `${error.message}. ${this.spec.name} ${JSON.stringify(desired[field])} (${holder.id}) already exists outside this stack (another stack, another ` +
        `backend, the console); nothing was taken. To manage it from this program, set ${ADOPT_INPUT}: "${holder.id}" ` +
        "(then `pulumi destroy` deletes it, unless the resource has `retainOnDelete: true`); or give this resource another " +
        `${field}.`,
      { cause: error },
    );
  }

  /**
   * Setting the fields the create call does not take failed: the object runs with the API's defaults for them (for
   * a project, every IP allowed and agents enabled), which may be less restricted than the program says. Fail
   * closed: delete it again. Only if that fails too is it kept in state, so the next `up` finishes the job.
   */
  async rollBack(id: string, late: string[], inputs: Props, outputs: Props, error: unknown): Promise<Error> {
    const what = `created ${this.spec.name} ${id}, but setting ${late.join(", ")} on it failed`;
    const cause = error instanceof Error ? error.message : String(error);
    try {
      await this.operations.delete(this.stackClient(), id, outputs);
    } catch (deleteError) {
      const why = deleteError instanceof Error ? deleteError.message : String(deleteError);
      const kept = `${cause}. Deleting it again failed too (${why}), so it is kept in state and the next \`pulumi up\` sets ${late.join(", ")}; until then it runs with the API's defaults for them`;
      return partialFailure(what, id, inputs, outputs, new Error(kept, { cause: error }));
    }
    return new Error(
      `${what}: ${cause}. It was deleted again rather than left running with the API's defaults for ${late.join(", ")}; nothing is left behind: fix the cause and run \`pulumi up\` again`,
      { cause: error },
    );
  }
}
