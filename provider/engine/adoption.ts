import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import type { DeploymentMemory } from "./deployment-memory";
import { diagnosticsFor } from "./diagnostics";
import { ENGINE_KEYS, URN_KEY } from "./keys";
import type { RestOperations } from "./operations";
import { ADOPT_INPUT, type ResourceSpec } from "./spec";
import type { SpecRules } from "./state-rules";
import { omit, pickPaths, type Props } from "./values";

/** An object changed this recently before its adoption may still be managed elsewhere. */
const RECENT_CHANGE_MS = 24 * 3600_000;

/** The verbs adoption runs on the object it takes over: diff to see what cannot change in place, update to apply. */
export interface AdoptingVerbs {
  diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult>;
  update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult>;
}

/** `adoptId`: a create that manages an existing object instead of making one, with `pulumi import`'s semantics. */
export class Adoption {
  constructor(
    private readonly spec: ResourceSpec,
    private readonly rules: SpecRules,
    private readonly operations: RestOperations,
    private readonly memory: DeploymentMemory,
    private readonly verbs: AdoptingVerbs,
  ) {}

  /**
   * Manages an existing object named by `adoptId`: read it (under the program's parent, or it is not found), check
   * its unique fields are the program's, refuse if a field that cannot change in place differs, then apply the
   * program's values as an update (write-only values are always sent: the API cannot say what it has).
   */
  async adopt(client: PgBeamClient, id: string, inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const desired = omit(inputs, ENGINE_KEYS);
    const refuse = (why: string) => new Error(`cannot adopt ${this.spec.name} ${id} (${ADOPT_INPUT}): ${why}. Nothing was changed.`);
    const object = await this.operations.fetch(client, desired, id);
    if (!object || this.rules.fields.isGone(object)) throw refuse("no such object under the parent the program names");
    let current = this.rules.outputs.afterAnswer({}, pickPaths(desired, this.rules.fields.bodyExcluded), { object });
    const nested = this.spec.nested;
    if (nested?.adoptFrom && nested.recreatePath) {
      const items = await client.listAll<Props>(nested.recreatePath(id), nested.adoptFrom.itemsKey);
      let found: Props | undefined;
      try {
        found = nested.adoptFrom.find(items, desired[nested.key] as Props | undefined);
      } catch (error) {
        throw refuse(error instanceof Error ? error.message : String(error));
      }
      current = this.rules.outputs.withNested(current, found);
    }
    const differing = this.rules.fields.uniqueBy.filter((key) => !this.rules.fields.sameAsOutput(key, desired, current));
    if (differing.length > 0) {
      throw refuse(
        differing
          .map((key) => `its ${key} is ${JSON.stringify(current[key])}, the program says ${JSON.stringify(desired[key])}`)
          .join("; "),
      );
    }
    const replaces = (await this.verbs.diff(id, current, desired)).replaces ?? [];
    if (replaces.length > 0) throw refuse(`${replaces.join(", ")} differ(s) from the program and cannot change in place`);
    const { outs } = await this.verbs.update(id, current, inputs);
    // Like an upsert create's write: a replacement's old entry must not "delete" the setting now managed here.
    if (this.rules.fields.upsertPath) this.memory.writtenPaths.add(this.rules.fields.upsertPath(desired));
    await this.tellAdopted(id, object, inputs[URN_KEY]);
    return { id, outs };
  }

  /**
   * Adoption has `pulumi import`'s semantics, said where the user sees it: the stack now owns the object, and
   * destroy deletes it. The API records no owner, so the one sign of management elsewhere it gives is a recent
   * change: warned about, since two managers undo each other's changes on every run.
   */
  private async tellAdopted(id: string, object: Props, urn: unknown): Promise<void> {
    const diagnostics = diagnosticsFor(urn);
    await diagnostics.info(
      `adopted ${this.spec.name} ${id} (${ADOPT_INPUT}): this stack now manages it, and \`pulumi destroy\` or removing it from ` +
        "the program deletes it, as after `pulumi import`; set `retainOnDelete: true` on the resource to keep it instead.",
    );
    const changedAgo = Date.now() - Date.parse(String(object.updated_at));
    if (changedAgo < RECENT_CHANGE_MS) {
      await diagnostics.warn(
        `${this.spec.name} ${id} was changed ${Math.max(1, Math.round(changedAgo / 60_000))} min before it was adopted: if another ` +
          "stack or tool still manages it, each run will undo the other's changes and either may delete it. Keep one manager: " +
          "in another Pulumi stack, `pulumi state delete <urn>` there lets go of it without deleting it.",
      );
    }
  }
}
