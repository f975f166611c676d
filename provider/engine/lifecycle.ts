import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import { withAccount } from "./account";
import { Adoption } from "./adoption";
import type { DeploymentMemory } from "./deployment-memory";
import { diagnosticsFor } from "./diagnostics";
import { CreateGuards } from "./guards";
import { ACCOUNT_KEY, creatorOf, ENGINE_KEYS, PROGRAM_KEYS, URN_KEY } from "./keys";
import { type Created, RestOperations } from "./operations";
import { predictRefusals } from "./predictions";
import { retryProgress } from "./progress";
import { countingPlanningCalls, noteSecretChanges } from "./review-notes";
import { ADOPT_INPUT, type ResourceSpec } from "./spec";
import { partialFailure, withProvider } from "./output-rules";
import { rulesOf, type SpecRules } from "./state-rules";
import { omit, pick, type Props } from "./values";
import { verifyBeforeChange, verifyUpdate } from "./verification";

/** What the provider host gives every resource's verbs. */
export interface LifecycleHost {
  /**
   * The API client, called lazily inside each verb, so nothing holding the API key is created during check/diff
   * or captured anywhere.
   */
  client(): PgBeamClient;
  /** The account this provider host serves, when declared (see ./account): stamped into checked inputs. */
  account(): string | undefined;
  /** Whether check() predicts the API's refusals with read calls (`pgbeam:predictRefusals`, see ./predictions). */
  predicting(): boolean;
  /** What this deployment's verbs tell each other where Pulumi gives them no channel (see ./deployment-memory). */
  memory: DeploymentMemory;
}

/**
 * The six verbs of a dynamic provider, for any resource spec. Each reads as the steps it takes; beside them, resolved
 * once per spec: the pure rules (./field-rules, ./state-rules, ./output-rules), the REST calls (./operations),
 * adoption (./adoption) and the create guards (./guards).
 */
export class Lifecycle {
  private readonly rules: SpecRules;
  private readonly operations: RestOperations;
  private readonly guards: CreateGuards;
  private readonly adoption: Adoption;
  private readonly memory: DeploymentMemory;

  constructor(
    readonly spec: ResourceSpec,
    private readonly host: LifecycleHost,
  ) {
    this.memory = host.memory;
    this.rules = rulesOf(spec);
    this.operations = new RestOperations(spec, this.rules, this.memory);
    this.guards = new CreateGuards(spec, this.rules, this.operations, () => this.clientFor(undefined));
    this.adoption = new Adoption(spec, this.rules, this.operations, this.memory, this);
  }

  /** Validates and applies defaults, then runs the resource's pre-change verification and predictions. */
  async check(olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    const result = this.rules.state.validate(omit(news, ENGINE_KEYS), olds);
    if (!result.inputs) return result;
    const candidate = result.inputs;
    const urn = news[URN_KEY];
    const failures = await countingPlanningCalls(
      urn,
      () => this.clientFor(urn),
      async (client) => {
        const found = await verifyBeforeChange(this.spec.verification, candidate, olds, urn, client, this.memory);
        if (this.host.predicting())
          found.push(...(await predictRefusals({ spec: this.spec, candidate, olds, urn, client, memory: this.memory })));
        return found;
      },
    );
    // The URN and the anchor ride along in the checked inputs (diff() attaches its messages too, create keys by
    // them), and the program's replaceOnChanges for diff() to apply.
    const inputs = { ...withAccount(candidate, this.host.account()), ...pick(news, PROGRAM_KEYS) };
    return failures.length > 0 ? { inputs, failures } : { inputs };
  }

  async diff(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.DiffResult> {
    const urn = news[URN_KEY];
    this.memory.rememberHeldObject(creatorOf(news), id);
    const desired = this.rules.state.desired(news, olds);
    const { changed, replaces, deleteBeforeReplace } = this.rules.state.change(desired, olds, news);
    // Masked on both sides of the preview: only this can tell the reviewer that a secret changes.
    await noteSecretChanges(urn, this.rules.state.changedSecrets(desired, olds));
    if (changed.some((key) => key !== ACCOUNT_KEY) && replaces.length === 0) {
      await countingPlanningCalls(
        urn,
        () => this.clientFor(urn),
        (client) => verifyUpdate(this.spec.verification, "diff", id, desired, olds, urn, client, this.memory),
      );
    }
    return { changes: changed.length > 0, replaces, ...(deleteBeforeReplace ? { deleteBeforeReplace } : {}) };
  }

  async create(inputs: Props): Promise<pulumi.dynamic.CreateResult> {
    const client = this.clientFor(inputs[URN_KEY]);
    const desired = omit(inputs, ENGINE_KEYS);
    if (desired[ADOPT_INPUT] !== undefined) return this.adoption.adopt(client, String(desired[ADOPT_INPUT]), inputs);
    // A path that already holds exactly this setting is most likely this resource's old entry (a targeted replace):
    // once written, that entry's delete must not wipe it.
    const upsertPath = this.rules.fields.upsertPath?.(desired);
    const alreadySet = upsertPath !== undefined && (await this.guards.alreadySetAsDesired(client, desired, upsertPath));
    let created: Created;
    try {
      created = await this.operations.create(client, desired, creatorOf(inputs));
    } catch (error) {
      throw (await this.guards.conflictHolder(client, error, desired)) ?? (await this.operations.explain("create", error, client, desired));
    }
    if (alreadySet) this.memory.writtenPaths.add(upsertPath!);
    const id = created.id;
    let outputs = this.rules.outputs.afterCreate(desired, created);
    // The object exists from here on: any failure must hand its id back to the engine, or it would be orphaned.
    const late = this.rules.state.patchedAfterCreate(desired, outputs);
    if (late.length > 0) {
      try {
        const patched = await this.operations.patchAfterCreate(client, outputs, id, desired, late);
        outputs = this.rules.outputs.afterAnswer(outputs, desired, { object: patched });
      } catch (error) {
        throw await this.guards.rollBack(id, late, inputs, outputs, error);
      }
    }
    try {
      if (this.rules.state.actsOnCreate(desired))
        outputs = await this.operations.runAction(client, outputs, desired, id, diagnosticsFor(inputs[URN_KEY]));
    } catch (error) {
      throw partialFailure(`created ${id}, but configuring it failed`, id, inputs, outputs, error);
    }
    return { id, outs: this.rules.outputs.stored(outputs, inputs) };
  }

  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    // Stored outputs carry no URN: a refresh's messages go to the Stack (each names its call, the id in its path).
    const client = this.clientFor(undefined);
    const previous = omit(props, ENGINE_KEYS);
    // Both reads at once: a refresh costs one round trip per object, not two.
    const [object, nestedObject] = await Promise.all([
      this.operations.fetch(client, previous, id),
      this.rules.fields.readsNested(previous) ? this.operations.fetchNested(client, previous, id) : undefined,
    ]);
    if (!object || this.rules.fields.isGone(object)) return { id: "", props: {} };
    const outputs = this.rules.outputs.refreshed(previous, object, nestedObject);
    // Resources from before the stamp, or from before accounts were declared, take the current account.
    const stamped = props[ACCOUNT_KEY] === undefined ? withAccount(props, this.host.account()) : props;
    // The inputs as the API now has them, so `pulumi refresh` drift also shows in the inputs-based `preview --diff`.
    const inputs = this.rules.outputs.inputsFrom(outputs, this.rules.outputs.leftOut(props));
    return { id, props: this.rules.outputs.stored(outputs, stamped), inputs: withProvider(inputs, stamped) };
  }

  async update(id: string, olds: Props, news: Props): Promise<pulumi.dynamic.UpdateResult> {
    const client = this.clientFor(news[URN_KEY]);
    const previous = omit(olds, ENGINE_KEYS);
    const desired = this.rules.state.desired(news, olds);
    const changed = this.rules.state.changedKeys(desired, previous);
    let outputs = this.rules.outputs.carriedIntoUpdate(previous, desired);
    let applied = false; // once a call has changed something, a later failure must still record it
    // The gate diff() cannot be (refresh calls diff too): before anything is sent.
    if (changed.length > 0)
      await verifyUpdate(this.spec.verification, "update", id, desired, olds, news[URN_KEY], () => client, this.memory);
    try {
      if (this.spec.nested && changed.includes(this.spec.nested.key)) {
        const nestedObject = await this.operations.updateNested(client, id, previous, desired, creatorOf(news));
        outputs = this.rules.outputs.withNested(outputs, nestedObject);
        applied = true;
      }
      if (this.rules.state.triggersAction(changed, desired)) {
        outputs = await this.operations.runAction(client, outputs, desired, id, diagnosticsFor(news[URN_KEY]));
        applied = true;
      }
      const fields = this.rules.state.updatedFields(changed);
      if (fields.length > 0) {
        const updated = await this.operations.update(client, id, previous, desired, fields);
        outputs = this.rules.outputs.afterAnswer(outputs, desired, { object: updated });
      }
    } catch (error) {
      if (applied) throw partialFailure(`updating ${id} failed part-way`, id, news, outputs, error);
      throw await this.operations.explain("update", error, client, desired, id);
    }
    return { outs: this.rules.outputs.stored(outputs, news) };
  }

  async delete(id: string, props: Props): Promise<void> {
    // The replacement of this entry wrote the same path in this deployment: "deleting" would wipe its setting.
    const upsertPath = this.rules.fields.upsertPath?.(omit(props, ENGINE_KEYS));
    if (upsertPath !== undefined && this.memory.writtenPaths.has(upsertPath)) return;
    if (this.memory.takenBack.has(id)) {
      // Shown under the stack's diagnostics: the host has no per-resource warning channel.
      console.error(
        `pulumi-pgbeam: ${this.spec.name} ${id} was kept rather than replaced: with unchanged inputs, within 24 h of its ` +
          "create, the API answers a new create with this same object (its idempotency window). Change an input to get a new one.",
      );
      return;
    }
    await this.operations.delete(this.clientFor(undefined), id, props);
  }

  /** The client for one operation on one resource: its retries are shown on that resource (on the Stack without a URN). */
  private clientFor(urn: unknown): PgBeamClient {
    return this.host.client().reportingRetries(retryProgress(diagnosticsFor(urn)));
  }
}
