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

/** The account the resource lives in (see ./account). */
export const ACCOUNT_KEY = "__account";

/**
 * Stored with the outputs: the fields the program leaves out, so that read (refresh) returns the inputs without
 * them, as the program has them, rather than as removals in `preview --diff`.
 */
export const LEFT_OUT_KEY = "__leftOut";

/** Every key the engine owns in an input bag: the serialized provider, the hidden inputs and the id. */
export const ENGINE_KEYS = ["__provider", URN_KEY, REPLACE_ON_CHANGES_KEY, ACCOUNT_KEY, LEFT_OUT_KEY, "id"];
