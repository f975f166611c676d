import type * as pulumi from "@pulumi/pulumi";
import type { PgBeamClient } from "../client/client";
import { ignoringClock } from "../api/rules";
import { isNotFound, isPgBeamApiError } from "../client/errors";
import { z } from "zod";
import { accountChange, withAccount } from "./account";
import { checkFailures, userIssues } from "./check-failures";
import { explainForbiddenCreate } from "./plan-rules";
import { predictRefusals } from "./predictions";
import { createOnce, type CreateOnceResult, ownedByNewEntry, rememberHeldObject } from "./create-once";
import { ACCOUNT_KEY, creatorOf, ENGINE_KEYS, LEFT_OUT_KEY, PROGRAM_KEYS, REPLACE_ON_CHANGES_KEY, URN_KEY } from "./keys";
import { ADOPT_INPUT, type ApiAnswer, fieldsWith, type InputSchema, type ResourceSpec } from "./spec";
import {
  canonical,
  clearValueFor,
  containsUnknown,
  deepMerge,
  fromApi,
  getPath,
  isPlainObject,
  omit,
  pick,
  pickPaths,
  type Props,
  sameAsCanonical,
  sameValue,
  sanitize,
  setPath,
  shapeOf,
  toApi,
} from "./values";
import { countingPlanningCalls, noteSecretChanges } from "./review-notes";
import { rememberWrittenPath, writtenByNewEntry } from "./upsert";
import { holderOfUniqueValues, uniqueValuesOf } from "./unique-values";
import { verifyBeforeChange, verifyUpdate } from "./verification";
import { type Diagnostics, diagnosticsFor } from "./diagnostics";
import { retryProgress, throttledProgress } from "./progress";

/** An object changed this recently before its adoption may still be managed elsewhere. */
const RECENT_CHANGE_MS = 24 * 3600_000;

type CheckResult = pulumi.dynamic.CheckResult;
type DiffResult = pulumi.dynamic.DiffResult;
type CreateResult = pulumi.dynamic.CreateResult;
type ReadResult = pulumi.dynamic.ReadResult;
type UpdateResult = pulumi.dynamic.UpdateResult;

/**
 * The six verbs of a dynamic provider, for any resource spec. `client` is called lazily, inside each verb, so
 * nothing holding the API key is created during check/diff or captured anywhere.
 *
 * Outputs follow one rule: what the API returns is the truth (a field it leaves out is empty), and only what it
 * never returns is kept from inputs or earlier state: write-only secrets, path ids, local inputs, one-time values.
 */
export class Lifecycle {
  /** The spec's inputs and the engine's own adoption input. */
  private readonly inputs: InputSchema;
  private readonly shape: Record<string, z.ZodType>;
  /** Inputs that are fields of the object (the verification's own inputs are not). */
  private readonly inputKeys: string[];
  private readonly verificationInputs: string[];
  private readonly bodyExcluded: Set<string>;
  /** Dotted paths kept from inputs (create/update) or state (read), because the API never returns them. */
  private readonly carriedInputs: string[];
  /** Output keys only some answers carry (one-time secrets, the nested object): kept from earlier state. */
  private readonly keptOutputs: string[];
  private readonly replaceOnChanges: string[];
  private readonly uniqueBy: string[];
  private readonly serverDefaults: string[];
  private readonly setElsewhere: string[];
  private readonly writeOnly: string[];
  /** Fields whose values no message may show. */
  private readonly secretPaths: string[];
  /** The item path an upsert create writes, from the inputs; absent for creates that POST to the collection. */
  private readonly upsertPath?: (values: Props) => string;

  constructor(
    readonly spec: ResourceSpec,
    private readonly client: () => PgBeamClient,
    /** The account this provider host serves, when declared (see ./account): stamped into checked inputs. */
    private readonly account: () => string | undefined,
    /** Whether check() predicts the API's refusals with read calls (`pgbeam:predictRefusals`, see ./predictions). */
    private readonly predicting: () => boolean = () => false,
  ) {
    this.inputs = spec.inputs.extend({ [ADOPT_INPUT]: z.string().min(1).optional() });
    this.shape = this.inputs.shape as Record<string, z.ZodType>;
    this.verificationInputs = spec.verification?.inputs ?? [];
    this.inputKeys = Object.keys(this.shape).filter((key) => !this.verificationInputs.includes(key));
    this.bodyExcluded = new Set([...fieldsWith(spec, "path"), ...fieldsWith(spec, "local"), ADOPT_INPUT]);
    this.writeOnly = fieldsWith(spec, "writeOnly");
    // Verification inputs are kept too: read (refresh) returns them with the inputs, or every later preview re-verifies.
    this.carriedInputs = [...this.bodyExcluded, ...this.writeOnly, ...this.verificationInputs];
    this.keptOutputs = [...fieldsWith(spec, "oneTime"), ...(spec.nested ? [spec.nested.key, spec.nested.idOutput] : [])];
    this.uniqueBy = fieldsWith(spec, "unique");
    this.serverDefaults = fieldsWith(spec, "serverDefault");
    this.setElsewhere = fieldsWith(spec, "setElsewhere");
    // No update verb: every input the provider does not consume itself replaces the object.
    const inPlace = new Set([...fieldsWith(spec, "local"), ADOPT_INPUT, ...(spec.action ? [spec.action.trigger] : [])]);
    this.replaceOnChanges = spec.update ? fieldsWith(spec, "replace") : this.inputKeys.filter((key) => !inPlace.has(key));
    this.secretPaths = [...this.writeOnly, ...fieldsWith(spec, "secret")];
    const idOf = spec.create?.method !== undefined && spec.create.method !== "POST" ? spec.create.id : undefined;
    if (idOf) this.upsertPath = (values) => spec.itemPath(values, idOf(values));
  }

  /** Validates and applies defaults, then runs the resource's pre-change verification, if it has one. */
  async check(olds: Props, news: Props): Promise<CheckResult> {
    const result = this.validate(omit(news, ENGINE_KEYS), olds);
    if (!result.inputs) return result;
    const failures = await countingPlanningCalls(news[URN_KEY], () => this.clientFor(news[URN_KEY]), async (client) => {
      const found = await verifyBeforeChange(this.spec.verification, result.inputs!, olds, news[URN_KEY], client);
      if (this.predicting()) found.push(...(await predictRefusals({ spec: this.spec, candidate: result.inputs!, olds, urn: news[URN_KEY], client })));
      return found;
    });
    // The URN and the anchor ride along in the checked inputs (diff() attaches its messages too, create keys by
    // them), and the program's replaceOnChanges for diff() to apply.
    const inputs = { ...withAccount(result.inputs, this.account()), ...pick(news, PROGRAM_KEYS) };
    return failures.length > 0 ? { inputs, failures } : { inputs };
  }

  /**
   * Unknown values (preview) pass through untouched; everything known around them is still validated, however
   * deep.
   */
  private validate(given: Props, olds: Props): CheckResult {
    const full = this.inputs.safeParse(given);
    if (full.success) return { inputs: sanitize(full.data as Props) };
    const issues = userIssues(full.error.issues, given, olds);
    if (issues.length > 0) return { failures: checkFailures(issues, given, this.secretPaths) };
    // Only unknowns or unchanged clock-judged values failed: apply defaults to the known fields and return the
    // unknown ones as they came.
    const unknownKeys = Object.keys(given).filter((key) => containsUnknown(given[key]));
    const known = ignoringClock(() =>
      this.inputs.partial(Object.fromEntries(unknownKeys.map((key) => [key, true]))).safeParse(omit(given, unknownKeys)),
    );
    const base = known.success ? (known.data as Props) : omit(given, unknownKeys);
    return { inputs: sanitize({ ...base, ...pick(given, unknownKeys) }) };
  }

  async diff(id: string, olds: Props, news: Props): Promise<DiffResult> {
    rememberHeldObject(creatorOf(news), id);
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, olds);
    const replaces = changed.filter((key) => this.replaceOnChanges.includes(key) || replacedByProgram(news[REPLACE_ON_CHANGES_KEY], key, desired, olds));
    // The nested object was deleted behind our back: created again in place where the API allows, else a new parent.
    const nested = this.spec.nested;
    if (nested && Object.keys(olds).length > 0 && olds[nested.idOutput] === undefined) {
      changed.push(nested.key);
      if (!nested.recreatePath) replaces.push(nested.key);
    }
    // Across accounts: a new object in the new account, created first unless the resource option
    // `deleteBeforeReplace` says otherwise (see PgBeamResource, the one channel the engine also honours for a
    // targeted replace).
    const account = accountChange(olds, news);
    if (account !== "none") changed.push(ACCOUNT_KEY);
    const moved = account === "moved";
    if (moved) replaces.push(ACCOUNT_KEY);
    // A replacement that would meet the old object (the same unique values, or the same setting's path) deletes first.
    const collides = this.upsertPath
      ? this.upsertPath(desired) === this.upsertPath(olds)
      : this.uniqueBy.length > 0 && this.uniqueBy.every((key) => sameValue(desired[key], olds[key]));
    const deleteBeforeReplace = !moved && replaces.length > 0 && collides;
    // Masked on both sides of the preview: only this can tell the reviewer that a secret changes.
    await noteSecretChanges(news[URN_KEY], this.writeOnly.filter((path) => !sameValue(getPath(desired, path), getPath(olds, path))));
    if (changed.some((key) => key !== ACCOUNT_KEY) && replaces.length === 0) {
      await countingPlanningCalls(news[URN_KEY], () => this.clientFor(news[URN_KEY]), (client) =>
        verifyUpdate(this.spec.verification, "diff", id, desired, olds, news[URN_KEY], client),
      );
    }
    return { changes: changed.length > 0, replaces, ...(deleteBeforeReplace ? { deleteBeforeReplace } : {}) };
  }

  async create(inputs: Props): Promise<CreateResult> {
    const client = this.clientFor(inputs[URN_KEY]);
    const desired = omit(inputs, ENGINE_KEYS);
    if (desired[ADOPT_INPUT] !== undefined) return this.adopt(client, String(desired[ADOPT_INPUT]), inputs);
    const verb = this.spec.create ?? {};
    const patchAfter = verb.patchAfter ?? [];
    const body = toApi(omit(desired, [...this.bodyExcluded, ...patchAfter, ...this.verificationInputs]));
    const parse = (response: Props): ApiAnswer => verb.parse?.(response) ?? { object: this.objectIn(response) };
    const upsertPath = this.upsertPath?.(desired);
    // A path that already holds exactly this setting is most likely this resource's old entry (a targeted replace):
    // once written, that entry's delete must not wipe it.
    const alreadySet = upsertPath !== undefined && (await this.alreadySetAsDesired(client, desired, upsertPath));
    let created: CreateOnceResult;
    try {
      created =
        verb.method === undefined || verb.method === "POST"
          ? await createOnce(client, {
              creator: creatorOf(inputs),
              collectionPath: this.collectionPath(desired),
              body,
              idOf: (response) => String(parse(response).object?.id),
              current: async (objectId) => {
                const object = await this.fetch(client, desired, objectId);
                return object && !this.spec.read?.isGone?.(object) ? object : undefined;
              },
            })
          : { response: await client.request<Props>(verb.method, upsertPath!, { body }) };
    } catch (error) {
      const conflict = await this.conflictHolder(client, error, desired);
      throw conflict ?? (await this.explain("create", error, client, desired));
    }
    if (alreadySet) rememberWrittenPath(upsertPath!);
    const answer = parse(created.response);
    const id = verb.id ? verb.id(desired) : String(answer.object?.id);
    let outputs = this.outputs({}, desired, created.current ? { ...answer, object: created.current } : answer);
    if (this.spec.nested) outputs = this.withNested(outputs, this.spec.nested.fromCreate(created.response));
    // The object exists from here on: any failure must hand its id back to the engine, or it would be orphaned.
    const late = patchAfter.filter((key) => desired[key] !== undefined && !this.sameAsOutput(key, desired, outputs));
    if (late.length > 0) {
      try {
        const patched = await client.patch<Props>(this.spec.itemPath(outputs, id), toApi(pick(desired, late)));
        outputs = this.outputs(outputs, desired, { object: patched });
      } catch (error) {
        throw await this.rollBack(id, late, inputs, outputs, error);
      }
    }
    try {
      const action = this.spec.action;
      if (action?.onCreate && desired[action.trigger]) outputs = await this.runAction(client, outputs, desired, id, diagnosticsFor(inputs[URN_KEY]));
    } catch (error) {
      throw partialFailure(`created ${id}, but configuring it failed`, id, inputs, outputs, error);
    }
    return { id, outs: this.stored(outputs, inputs) };
  }

  /**
   * An upsert must not overwrite a setting made elsewhere: the path must be free, or already hold exactly the
   * program's setting (writing it changes nothing: the old entry of a `pulumi up --replace`, whose check gets no
   * old state, or the retry of an interrupted create). Otherwise it refuses, saying how to adopt it.
   */
  private async alreadySetAsDesired(client: PgBeamClient, desired: Props, path: string): Promise<boolean> {
    const id = this.spec.create!.id!(desired);
    const existing = await this.fetch(client, desired, id);
    const taken = this.spec.create?.taken ?? ((object: Props) => !this.spec.read?.isGone?.(object));
    if (!existing || !taken(existing)) return false;
    if (this.changedKeys(desired, this.outputs({}, desired, { object: existing })).length === 0) return true;
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
  private async conflictHolder(client: PgBeamClient, error: unknown, desired: Props): Promise<Error | undefined> {
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
  private async rollBack(id: string, late: string[], inputs: Props, outputs: Props, error: unknown): Promise<Error> {
    const what = `created ${this.spec.name} ${id}, but setting ${late.join(", ")} on it failed`;
    const cause = error instanceof Error ? error.message : String(error);
    try {
      await this.deleteObject(id, outputs);
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

  async read(id: string, props: Props): Promise<ReadResult> {
    // Stored outputs carry no URN: a refresh's messages go to the Stack (each names its call, the id in its path).
    const client = this.clientFor(undefined);
    const previous = omit(props, ENGINE_KEYS);
    const nested = this.spec.nested;
    const readsNested = nested !== undefined && previous[nested.idOutput] !== undefined;
    // Both reads at once: a refresh costs one round trip per object, not two.
    const [object, nestedObject] = await Promise.all([
      this.fetch(client, previous, id),
      readsNested ? this.fetchNested(client, previous, id) : undefined,
    ]);
    if (!object || this.spec.read?.isGone?.(object)) return { id: "", props: {} };
    let outputs = this.outputs(previous, previous, { object });
    if (readsNested) outputs = nestedObject ? this.withNested(outputs, nestedObject) : omit(outputs, [nested!.key, nested!.idOutput]);
    // Resources from before the stamp, or from before accounts were declared, take the current account.
    const stamped = props[ACCOUNT_KEY] === undefined ? withAccount(props, this.account()) : props;
    // The inputs as the API now has them, so `pulumi refresh` drift also shows in the inputs-based `preview --diff`.
    return { id, props: this.stored(outputs, stamped), inputs: withProvider(this.inputsFrom(outputs, this.leftOut(props)), stamped) };
  }

  async update(id: string, olds: Props, news: Props): Promise<UpdateResult> {
    const client = this.clientFor(news[URN_KEY]);
    const previous = omit(olds, ENGINE_KEYS);
    const desired = this.desired(news, olds);
    const changed = this.changedKeys(desired, previous);
    let outputs = deepMerge(omit(previous, this.verificationInputs), pickPaths(desired, this.carriedInputs));
    let applied = false; // once a call has changed something, a later failure must still record it
    // The gate diff() cannot be (refresh calls diff too): before anything is sent.
    if (changed.length > 0) await verifyUpdate(this.spec.verification, "update", id, desired, olds, news[URN_KEY], () => client);

    try {
      const nested = this.spec.nested;
      if (nested && changed.includes(nested.key)) {
        const nestedShape = shapeOf(this.shape[nested.key]);
        const nestedDesired = desired[nested.key] as Props;
        const answer =
          previous[nested.idOutput] === undefined && nested.recreatePath
            ? await this.recreateNested(client, id, previous, nestedDesired, creatorOf(news))
            : await client.patch<Props>(nested.path(previous, id), toApi(patchBody(nestedShape, nestedDesired, previous[nested.key] as Props)));
        outputs = this.withNested(outputs, answer);
        applied = true;
      }

      const action = this.spec.action;
      if (action && changed.includes(action.trigger) && (!action.onCreate || desired[action.trigger])) {
        outputs = await this.runAction(client, outputs, desired, id, diagnosticsFor(news[URN_KEY]));
        applied = true;
      }

      const update = this.spec.update;
      const updatable = update?.fields ?? this.inputKeys.filter((key) => !this.bodyExcluded.has(key));
      const fieldChanges = update ? changed.filter((key) => updatable.includes(key) && key !== nested?.key) : [];
      if (update && fieldChanges.length > 0) {
        const path = this.spec.itemPath(previous, id);
        const answer =
          update.method === "PUT"
            ? await client.put<Props>(path, toApi(pick(desired, updatable)))
            : await client.patch<Props>(path, toApi(patchBody(pick(this.shape, fieldChanges) as typeof this.shape, desired, previous)));
        outputs = this.outputs(outputs, desired, { object: this.objectIn(answer) });
      }
    } catch (error) {
      if (applied) throw partialFailure(`updating ${id} failed part-way`, id, news, outputs, error);
      throw await this.explain("update", error, client, desired, id);
    }
    return { outs: this.stored(outputs, news) };
  }

  /**
   * Creates the nested object again where it was deleted out of band, once: keyed by the parent's creator and the
   * nested key, an interrupted run's retry gets the object the first attempt made, never a second one.
   */
  private async recreateNested(client: PgBeamClient, id: string, previous: Props, desired: Props, creator: string | undefined): Promise<Props> {
    const nested = this.spec.nested!;
    const created = await createOnce(client, {
      creator: creator && `${creator}#${nested.key}`,
      collectionPath: nested.recreatePath!(id),
      body: toApi({ ...desired, ...nested.recreateFields }),
      idOf: (response) => String(response.id),
      current: (nestedId) => this.fetchNested(client, { ...previous, [nested.idOutput]: nestedId }, id),
    });
    return created.current ?? created.response;
  }

  async delete(id: string, props: Props): Promise<void> {
    // The replacement of this entry wrote the same path in this deployment: "deleting" would wipe its setting.
    if (this.upsertPath && writtenByNewEntry(this.upsertPath(omit(props, ENGINE_KEYS)))) return;
    if (ownedByNewEntry(id)) {
      // Shown under the stack's diagnostics: the host has no per-resource warning channel.
      console.error(
        `pulumi-pgbeam: ${this.spec.name} ${id} was kept rather than replaced: with unchanged inputs, within 24 h of its ` +
          "create, the API answers a new create with this same object (its idempotency window). Change an input to get a new one.",
      );
      return;
    }
    await this.deleteObject(id, props);
  }

  private async deleteObject(id: string, props: Props): Promise<void> {
    const client = this.clientFor(undefined);
    const previous = omit(props, ENGINE_KEYS);
    const path = this.spec.itemPath(previous, id);
    const verb = this.spec.delete ?? { method: "DELETE" };
    try {
      if (verb.method === "DELETE") await client.delete(path);
      else await client.request(verb.method, path, { body: verb.body });
    } catch (error) {
      if (isNotFound(error)) return;
      throw await this.explain("delete", error, client, previous, id);
    }
  }

  /**
   * Manages an existing object named by `adoptId`: read it (under the program's parent, or it is not found), check
   * its unique fields are the program's, refuse if a field that cannot change in place differs, then apply the
   * program's values as an update (write-only values are always sent: the API cannot say what it has).
   */
  private async adopt(client: PgBeamClient, id: string, inputs: Props): Promise<CreateResult> {
    const desired = omit(inputs, ENGINE_KEYS);
    const refuse = (why: string) => new Error(`cannot adopt ${this.spec.name} ${id} (${ADOPT_INPUT}): ${why}. Nothing was changed.`);
    const object = await this.fetch(client, desired, id);
    if (!object || this.spec.read?.isGone?.(object)) throw refuse("no such object under the parent the program names");
    let current = this.outputs({}, pickPaths(desired, this.bodyExcluded), { object });
    const nested = this.spec.nested;
    if (nested?.adoptFrom && nested.recreatePath) {
      const items = await client.listAll<Props>(nested.recreatePath(id), nested.adoptFrom.itemsKey);
      let found: Props | undefined;
      try {
        found = nested.adoptFrom.find(items, desired[nested.key] as Props | undefined);
      } catch (error) {
        throw refuse(error instanceof Error ? error.message : String(error));
      }
      current = this.withNested(current, found);
    }
    const differing = this.uniqueBy.filter((key) => !this.sameAsOutput(key, desired, current));
    if (differing.length > 0) {
      throw refuse(differing.map((key) => `its ${key} is ${JSON.stringify(current[key])}, the program says ${JSON.stringify(desired[key])}`).join("; "));
    }
    const replaces = (await this.diff(id, current, desired)).replaces ?? [];
    if (replaces.length > 0) throw refuse(`${replaces.join(", ")} differ(s) from the program and cannot change in place`);
    const { outs } = await this.update(id, current, inputs);
    if (this.upsertPath) rememberWrittenPath(this.upsertPath(desired));
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

  /** The object as the API has it now (item GET, or found in the collection's list), or undefined when gone. */
  private async fetch(client: PgBeamClient, previous: Props, id: string): Promise<Props | undefined> {
    const list = this.spec.read?.list;
    try {
      if (!list) {
        const path = this.spec.read?.path?.(previous, id) ?? this.spec.itemPath(previous, id);
        return this.objectIn(await client.get<Props>(path));
      }
      const matches = list.matches ?? ((item: Props) => item.id === id);
      let pageToken: string | undefined;
      do {
        const paging = list.paged ? { page_size: 100, page_token: pageToken } : { page_token: pageToken };
        const page = await client.get<Props>(this.collectionPath(previous), paging);
        const found = ((page[list.itemsKey] as Props[] | undefined) ?? []).find((item) => matches(item, id));
        if (found) return found;
        pageToken = (page.next_page_token as string | undefined) || undefined;
      } while (pageToken);
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /** The nested object (a project's primary database) as the API has it; undefined once it is gone. */
  private async fetchNested(client: PgBeamClient, previous: Props, id: string): Promise<Props | undefined> {
    try {
      return await client.get<Props>(this.spec.nested!.path(previous, id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  private objectIn(response: Props): Props {
    return this.spec.objectIn?.(response) ?? response;
  }

  private collectionPath(values: Props): string {
    if (!this.spec.collectionPath) throw new Error(`pulumi-pgbeam: ${this.spec.name} declares no collection to create in or list`);
    return this.spec.collectionPath(values);
  }

  private async runAction(client: PgBeamClient, outputs: Props, desired: Props, id: string, diagnostics: Diagnostics): Promise<Props> {
    const action = this.spec.action!;
    const until = action.until;
    const attempts = until ? Math.max(1, until.attempts(desired)) : 1;
    const report = throttledProgress(diagnostics);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const response = await client.post<Props>(action.path(outputs, id));
      const answer = action.parse(response);
      if (!until || until.done(response)) return this.outputs(outputs, desired, answer);
      if (attempt >= attempts) {
        // State records the trigger as not done, so the next `up` sees it as a change and tries again.
        const latest = omit(this.outputs(outputs, desired, answer), [action.trigger]);
        throw Object.assign(new Error(until.gaveUp(response, desired, attempts)), { outputs: latest });
      }
      const elapsed = Math.round((Date.now() - started) / 1000);
      const bound = Math.round(((attempts - 1) * until.intervalMs) / 1000);
      report(`${until.waiting(response, desired)} (check ${attempt} of ${attempts}, ${elapsed} s of at most ${bound} s)`, Date.now());
      await new Promise((resolve) => setTimeout(resolve, until.intervalMs));
    }
  }

  /** The client for one operation on one resource: its retries are shown on that resource (on the Stack without a URN). */
  private clientFor(urn: unknown): PgBeamClient {
    return this.client().reportingRetries(retryProgress(diagnosticsFor(urn)));
  }

  private async explain(verb: "create" | "update" | "delete", error: unknown, client: PgBeamClient, inputs: Props, id?: string): Promise<unknown> {
    if (!(error instanceof Error)) return error;
    const explained = verb === "create" ? await explainForbiddenCreate(this.spec.planRules ?? [], client, inputs, error) : error;
    return this.spec.explainError ? await this.spec.explainError(verb, explained, { client, inputs, id }) : explained;
  }

  /**
   * The desired state: new inputs, with the fields the user leaves out that the server fills, or that another
   * resource sets while the program left them out before too (state without the record: kept), taken from the old
   * outputs.
   */
  private desired(news: Props, olds: Props): Props {
    const desired = structuredClone(omit(news, ENGINE_KEYS));
    const leftOutBefore = olds[LEFT_OUT_KEY];
    const keptElsewhere = this.setElsewhere.filter((path) => !Array.isArray(leftOutBefore) || leftOutBefore.includes(path));
    for (const path of [...this.serverDefaults, ...keptElsewhere]) {
      const parent = path.includes(".") ? getPath(desired, path.slice(0, path.lastIndexOf("."))) : desired;
      if (isPlainObject(parent) && getPath(desired, path) === undefined && getPath(olds, path) !== undefined) {
        setPath(desired, path, getPath(olds, path));
      }
    }
    return desired;
  }

  /**
   * Outputs in the form checked inputs have (write-only, path, local and verification values are among the
   * outputs). A field the program leaves out stays out when the API holds what leaving it out means (its cleared
   * value, or for a server-defaulted field or one set elsewhere any value): refresh then shows no removal the
   * program never made.
   */
  private inputsFrom(outputs: Props, leftOut: string[]): Props {
    const inputs: Props = {};
    for (const key of [...this.inputKeys, ...this.verificationInputs]) {
      const value = outputs[key] === undefined ? undefined : canonical(this.shape[key], outputs[key]);
      if (value !== undefined && value !== null) inputs[key] = value;
    }
    for (const path of leftOut) {
      const asLeftOut = this.serverDefaults.includes(path) || this.setElsewhere.includes(path) || sameValue(getPath(inputs, path), clearValueFor(this.shape[path]));
      const parent = path.includes(".") ? getPath(inputs, path.slice(0, path.lastIndexOf("."))) : inputs;
      if (asLeftOut && isPlainObject(parent)) delete parent[path.slice(path.lastIndexOf(".") + 1)];
    }
    return inputs;
  }

  /** The fields the inputs leave out (top level, and server-defaulted nested ones); for stored outputs, as recorded. */
  private leftOut(inputs: Props): string[] {
    const recorded = inputs[LEFT_OUT_KEY];
    if (Array.isArray(recorded)) return recorded as string[];
    return [...new Set([...this.inputKeys, ...this.serverDefaults])].filter((path) => getPath(inputs, path) === undefined);
  }

  /** Outputs as stored: with the serialized provider, the account stamp and which fields the program leaves out. */
  private stored(outputs: Props, inputs: Props): Props {
    const leftOut = this.leftOut(inputs);
    return leftOut.length > 0 ? { ...withProvider(outputs, inputs), [LEFT_OUT_KEY]: leftOut } : withProvider(outputs, inputs);
  }

  private sameAsOutput(key: string, desired: Props, outputs: Props): boolean {
    return sameAsCanonical(this.shape[key], desired[key], outputs[key]);
  }

  /** `adoptId` only matters to create: on an existing object, changing it changes nothing. */
  private changedKeys(desired: Props, olds: Props): string[] {
    return this.inputKeys.filter((key) => key !== ADOPT_INPUT && (containsUnknown(desired[key]) || !this.sameAsOutput(key, desired, olds)));
  }

  /**
   * Outputs after an API answer: the answer's object, plus what only earlier state has (one-time values, the
   * nested object) and what only inputs have (write-only secrets, path ids, local inputs).
   */
  private outputs(previous: Props, inputs: Props, answer: ApiAnswer): Props {
    if (!answer.object) return deepMerge(previous, { ...pickPaths(inputs, this.carriedInputs), ...answer.once });
    const kept = deepMerge(pick(previous, this.keptOutputs), pickPaths(inputs, this.carriedInputs));
    return omit(deepMerge(kept, { ...fromApi(answer.object), ...answer.once }), ENGINE_KEYS);
  }

  /** Lays the nested object's API answer into the outputs, keeping its write-only fields. */
  private withNested(outputs: Props, nestedObject: Props | undefined): Props {
    const nested = this.spec.nested!;
    if (!nestedObject) return outputs;
    const object = fromApi(nestedObject);
    const writeOnly = this.writeOnly.filter((path) => path.startsWith(`${nested.key}.`)).map((path) => path.slice(nested.key.length + 1));
    const kept = pickPaths((outputs[nested.key] ?? {}) as Props, writeOnly);
    return { ...outputs, [nested.key]: deepMerge(kept, omit(object, ["id", nested.parentField])), [nested.idOutput]: object.id };
  }
}

/** Whether the program's `replaceOnChanges` paths ("*" for any) cover the change of this top-level key. */
function replacedByProgram(paths: unknown, key: string, desired: Props, olds: Props): boolean {
  if (!Array.isArray(paths)) return false;
  return paths.some(
    (path) => path === "*" || path === key || (typeof path === "string" && path.startsWith(`${key}.`) && !sameValue(getPath(desired, path), getPath(olds, path))),
  );
}

/** Outputs carry the serialized provider so later read/delete can load it, and the account stamp for diff. */
function withProvider(outputs: Props, inputs: Props): Props {
  return sanitize({ ...outputs, __provider: inputs.__provider, [ACCOUNT_KEY]: inputs[ACCOUNT_KEY] });
}

/**
 * A PATCH body over the fields of `shape` that differ: desired values, and for a field the user removed, the
 * value that clears it (its default, null, "" or [] by its schema).
 */
function patchBody(shape: Record<string, z.ZodType>, desired: Props, previous: Props = {}): Props {
  const body: Props = {};
  for (const [key, schema] of Object.entries(shape)) {
    if (sameValue(desired[key], canonical(schema, previous[key]))) continue;
    body[key] = desired[key] ?? clearValueFor(schema);
  }
  return body;
}

/**
 * The host turns this shape into ErrorResourceInitFailed: the engine keeps the object in state with what was
 * done, and retries the rest on the next `up`.
 */
function partialFailure(what: string, id: string, inputs: Props, outputs: Props, error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  // A bounded wait that gave up (runAction) carries the outputs of its last answer: they are the latest truth.
  const latest = (error as { outputs?: Props } | undefined)?.outputs;
  if (latest) outputs = latest;
  return Object.assign(new Error(`${what}: ${message}`, { cause: error }), {
    id,
    properties: withProvider(outputs, inputs),
    reasons: [message],
  });
}
