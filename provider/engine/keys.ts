/**
 * Hidden inputs the engine owns. `__` keys are hidden from diffs and from policy packs; they are never sent to
 * the API and never compared as the user's fields.
 */

/** The resource's URN, computed by the resource class: its identity for creates and where its messages attach. */
export const URN_KEY = "__urn";

/**
 * The program's `replaceOnChanges` option, passed by the resource class: the engine applies that option only to the
 * changed keys a provider names, which a dynamic provider cannot, so diff() applies it.
 */
export const REPLACE_ON_CHANGES_KEY = "__replaceOnChanges";

/**
 * The id of the stack's anchor (see ./stack-anchor): a random token made when this stack instance first created a
 * PgBeam resource, kept in its own state. What no other stack has, even one with the same names in another backend.
 */
export const ANCHOR_KEY = "__anchor";

/** The account the resource lives in (see ./account). */
export const ACCOUNT_KEY = "__account";

/**
 * Stored with the outputs: the fields the program leaves out, so that read (refresh) returns the inputs without
 * them, as the program has them, rather than as removals in `preview --diff`.
 */
export const LEFT_OUT_KEY = "__leftOut";

/** Every key the engine owns in an input bag: the serialized provider, the hidden inputs and the id. */
export const ENGINE_KEYS = ["__provider", URN_KEY, REPLACE_ON_CHANGES_KEY, ANCHOR_KEY, ACCOUNT_KEY, LEFT_OUT_KEY, "id"];

/** The hidden inputs the program passes and check() hands on to the other verbs. */
export const PROGRAM_KEYS = [URN_KEY, ANCHOR_KEY, REPLACE_ON_CHANGES_KEY];

/**
 * Who a create is for: this resource (its URN) in this stack instance (its anchor). Undefined for inputs written
 * before the URN was passed; without an anchor (a pending create recorded before anchors existed) the URN alone,
 * so that create is still recovered.
 */
export function creatorOf(inputs: Record<string, unknown>): string | undefined {
  const urn = inputs[URN_KEY];
  if (typeof urn !== "string" || urn === "") return undefined;
  const anchor = inputs[ANCHOR_KEY];
  return typeof anchor === "string" && anchor !== "" ? `${anchor} ${urn}` : urn;
}
