import type { PgBeamClient } from "../client/client";
import { isNotFound } from "../client/errors";
import { createOnce, type CreateOnceResult } from "./create-once";
import type { DeploymentMemory } from "./deployment-memory";
import type { Diagnostics } from "./diagnostics";
import { ENGINE_KEYS } from "./keys";
import { explainForbiddenCreate } from "./plan-rules";
import { throttledProgress } from "./progress";
import type { ApiAnswer, ResourceSpec } from "./spec";
import { patchBody, type SpecRules } from "./state-rules";
import { omit, pick, type Props, shapeOf, toApi } from "./values";

/** An object a create made (or took back, or wrote by upsert): its id, what the answer says of it and of its nested object. */
export interface Created {
  id: string;
  answer: ApiAnswer;
  nestedObject?: Props;
}

/**
 * A spec's verbs resolved to concrete REST calls: the REST defaults of ./spec in one place, each overridden only by
 * the spec's declaration. Create POSTs once to the collection (./create-once) or upserts by PUT/PATCH to the item
 * path; read GETs the item or finds it in the (paged) list; update PATCHes the changed fields or PUTs the object;
 * delete DELETEs, or soft-deletes by PUT/PATCH. Bodies come from ./state-rules; every call gets its client from the
 * verb, so its retries are shown on the right resource.
 */
export class RestOperations {
  constructor(
    private readonly spec: ResourceSpec,
    private readonly rules: SpecRules,
    private readonly memory: DeploymentMemory,
  ) {}

  /** Creates the object: POST once per creator (an interrupted run's retry gets the same object), or an upsert. */
  async create(client: PgBeamClient, desired: Props, creator: string | undefined): Promise<Created> {
    const verb = this.spec.create ?? {};
    const body = toApi(this.rules.state.createBody(desired));
    const parse = (response: Props): ApiAnswer => verb.parse?.(response) ?? { object: this.objectIn(response) };
    const sent: CreateOnceResult =
      verb.method === undefined || verb.method === "POST"
        ? await createOnce(
            client,
            {
              creator,
              collectionPath: this.collectionPath(desired),
              body,
              idOf: (response) => String(parse(response).object?.id),
              current: async (objectId) => {
                const object = await this.fetch(client, desired, objectId);
                return object && !this.rules.fields.isGone(object) ? object : undefined;
              },
            },
            this.memory,
          )
        : { response: await client.request<Props>(verb.method, this.rules.fields.upsertPath!(desired), { body }) };
    const answer = parse(sent.response);
    return {
      id: verb.id ? verb.id(desired) : String(answer.object?.id),
      // A replayed answer is the first create's: the object as it is now stands in for the one it describes.
      answer: sent.current ? { ...answer, object: sent.current } : answer,
      nestedObject: this.spec.nested?.fromCreate(sent.response),
    };
  }

  /** Sets the fields the create call does not take, right after it; the object's answer. */
  patchAfterCreate(client: PgBeamClient, outputs: Props, id: string, desired: Props, fields: string[]): Promise<Props> {
    return client.patch<Props>(this.spec.itemPath(outputs, id), toApi(pick(desired, fields)));
  }

  /** Updates the object's own fields; the object as the answer has it. */
  async update(client: PgBeamClient, id: string, previous: Props, desired: Props, fields: string[]): Promise<Props> {
    const path = this.spec.itemPath(previous, id);
    const body = toApi(this.rules.state.updateBody(desired, previous, fields));
    const answer = this.spec.update!.method === "PUT" ? await client.put<Props>(path, body) : await client.patch<Props>(path, body);
    return this.objectIn(answer);
  }

  /**
   * Updates the nested object through its own endpoint, or creates it again where it was deleted out of band (once:
   * keyed by the parent's creator and the nested key, an interrupted run's retry gets the object the first attempt
   * made, never a second one).
   */
  async updateNested(client: PgBeamClient, id: string, previous: Props, desired: Props, creator: string | undefined): Promise<Props> {
    const nested = this.spec.nested!;
    const nestedDesired = desired[nested.key] as Props;
    if (previous[nested.idOutput] !== undefined || !nested.recreatePath) {
      const body = patchBody(shapeOf(this.rules.fields.shape[nested.key]), nestedDesired, previous[nested.key] as Props);
      return client.patch<Props>(nested.path(previous, id), toApi(body));
    }
    const created = await createOnce(
      client,
      {
        creator: creator && `${creator}#${nested.key}`,
        collectionPath: nested.recreatePath(id),
        body: toApi({ ...nestedDesired, ...nested.recreateFields }),
        idOf: (response) => String(response.id),
        current: (nestedId) => this.fetchNested(client, { ...previous, [nested.idOutput]: nestedId }, id),
      },
      this.memory,
    );
    return created.current ?? created.response;
  }

  /** Deletes the object (DELETE, or the spec's soft delete); gone already counts as done. */
  async delete(client: PgBeamClient, id: string, props: Props): Promise<void> {
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

  /** The object as the API has it now (item GET, or found in the collection's list), or undefined when gone. */
  async fetch(client: PgBeamClient, previous: Props, id: string): Promise<Props | undefined> {
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
  async fetchNested(client: PgBeamClient, previous: Props, id: string): Promise<Props | undefined> {
    try {
      return await client.get<Props>(this.spec.nested!.path(previous, id));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  /**
   * Runs the triggered action (rotation, verification), repeating it, bounded, while the spec waits for an answer
   * that says done; the outputs after its answer.
   */
  async runAction(client: PgBeamClient, outputs: Props, desired: Props, id: string, diagnostics: Diagnostics): Promise<Props> {
    const action = this.spec.action!;
    const until = action.until;
    const attempts = until ? Math.max(1, until.attempts(desired)) : 1;
    const report = throttledProgress(diagnostics);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      const response = await client.post<Props>(action.path(outputs, id));
      const answer = action.parse(response);
      if (!until || until.done(response)) return this.rules.outputs.afterAnswer(outputs, desired, answer);
      if (attempt >= attempts) {
        // State records the trigger as not done, so the next `up` sees it as a change and tries again.
        const latest = omit(this.rules.outputs.afterAnswer(outputs, desired, answer), [action.trigger]);
        throw Object.assign(new Error(until.gaveUp(response, desired, attempts)), { outputs: latest });
      }
      const elapsed = Math.round((Date.now() - started) / 1000);
      const bound = Math.round(((attempts - 1) * until.intervalMs) / 1000);
      report(`${until.waiting(response, desired)} (check ${attempt} of ${attempts}, ${elapsed} s of at most ${bound} s)`, Date.now());
      await new Promise((resolve) => setTimeout(resolve, until.intervalMs));
    }
  }

  /** An API error of a verb with what the spec knows about it (a plan gate, an unseen shape, what still uses it). */
  async explain(verb: "create" | "update" | "delete", error: unknown, client: PgBeamClient, inputs: Props, id?: string): Promise<unknown> {
    if (!(error instanceof Error)) return error;
    const explained = verb === "create" ? await explainForbiddenCreate(this.spec.planRules ?? [], client, inputs, error) : error;
    return this.spec.explainError ? await this.spec.explainError(verb, explained, { client, inputs, id }) : explained;
  }

  private objectIn(response: Props): Props {
    return this.spec.objectIn?.(response) ?? response;
  }

  private collectionPath(values: Props): string {
    if (!this.spec.collectionPath) throw new Error(`pulumi-pgbeam: ${this.spec.name} declares no collection to create in or list`);
    return this.spec.collectionPath(values);
  }
}
