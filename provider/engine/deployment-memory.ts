/**
 * The memory of one deployment: what one verb must know of another where Pulumi hands it nothing (no input, output
 * or old state carries it). Everything else a later verb needs travels in the values Pulumi passes.
 *
 * Lifetime: Pulumi starts one provider process per deployment (a preview; an `up`'s preview and update phases; a
 * refresh; a destroy), and the composition root (provider/host.ts) makes one of these for it, which every Lifecycle
 * gets in its constructor and hands to the steps that use it. Nothing else in the engine keeps state between verbs.
 */
export class DeploymentMemory {
  /**
   * Written by diff, read by create (./create-once): the object each resource holds now, by creator (see
   * `creatorOf`). A create-before-delete replace with an unchanged body must not get that object back from a replay.
   */
  readonly heldObjects = new Map<string, string>();

  /**
   * Written by create (./create-once), read by delete: objects a create took back from a replay for a new state
   * entry. The engine calls no diff for a targeted replace (`pulumi up --replace`, see pulumi/pulumi
   * step_generator.go), so within one deployment it deletes such an object only as the old entry of that replace:
   * the object stays, owned by the new entry.
   */
  readonly takenBack = new Set<string>();

  /**
   * Written by create and adoption, read by delete: item paths an upsert create (PUT/PATCH to a path built from the
   * inputs) found already set as the program says, then wrote. A replacement that writes the same path as the entry
   * it replaces (`pulumi up --replace` creates first, then deletes, calling neither check nor diff with the old
   * state) must not have the old entry's "delete" (PUT null, clear, disable) wipe what it just wrote.
   */
  readonly writtenPaths = new Set<string>();

  /**
   * Written by check, read by diff (./verification): URNs check() has seen, i.e. a program is running (preview or
   * up). Since pulumi#16146 a refresh calls diff without check, and a refresh must only report, never gate.
   */
  readonly checkedUrns = new Set<string>();

  /**
   * Written and read by check (./predictions): the reads predictions made, per account (`PgBeamClient.accountScope`)
   * and request, shared by every resource: at most one GET per parent, one plan read per organization and one list
   * per collection in a run, though an `up` checks each resource twice.
   */
  readonly predictionReads = new Map<string, Map<string, Promise<unknown>>>();

  /**
   * Written and read by check (./predictions): creates this run has already let through, per plan limit and scope,
   * by URN, so that each counts against the limits of the resources checked after it (and not twice against itself).
   */
  readonly plannedCreates = new Map<string, Set<string>>();

  /**
   * Written by diff, read by update (a spec's verification, see `VerificationContext.onceThisDeployment`): answers of
   * what-if calls, so `up`'s gate in update reuses the answer diff got for the same candidate.
   */
  readonly verificationAnswers = new Map<string, Promise<unknown>>();

  /** Called by diff: the object this resource holds now, which a replace must never get back from a replay. */
  rememberHeldObject(creator: string | undefined, id: string): void {
    if (creator && id) this.heldObjects.set(creator, id);
  }

  /** The answer of `ask` under `key`, asked once per deployment; a failed answer is forgotten, so a later call asks again. */
  answerOnce<T>(key: string, ask: () => Promise<T>): Promise<T> {
    let answer = this.verificationAnswers.get(key) as Promise<T> | undefined;
    if (!answer) {
      answer = ask();
      this.verificationAnswers.set(key, answer);
      answer.catch(() => this.verificationAnswers.delete(key));
    }
    return answer;
  }
}
