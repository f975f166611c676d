/**
 * Which PgBeam account a resource lives in. Pulumi treats moving a dynamic resource to another provider as an
 * update, and the provider is not told (dynamic providers have no DiffConfig): the object would silently be looked
 * for with a key that cannot see it. So when the user declares accounts, the provider host stamps its account into
 * every resource's checked inputs (a hidden `__` key, kept in outputs too) and a change of stamp replaces the object.
 *
 * The account is only ever a name the user states (`pgbeam:account`, or an explicit `pgbeam.Provider`'s `account`),
 * never derived from the key or the provider's name: rotating a key, renaming a provider or moving from the stack's
 * provider to an explicit one changes nothing unless the declared account changes too.
 */
import type { ConfigSource } from "../client/config";
import { ACCOUNT_KEY } from "./keys";
import { containsUnknown, type Props } from "./values";

/** The declared account, or undefined when none is (nothing is stamped then). */
export function accountOf(config: ConfigSource | undefined): string | undefined {
  return config?.get("pgbeam:account")?.trim() || undefined;
}

/** Checked inputs with the account stamped, when one is declared. */
export function withAccount(inputs: Props, account: string | undefined): Props {
  return account === undefined ? inputs : { ...inputs, [ACCOUNT_KEY]: account };
}

/**
 * How a resource's declared account changes: `moved` (two known, different accounts: replace), `unknown` (the new
 * one is not known in this preview: shown as an update, never as a replace; `up` decides with the known value) or
 * `none`. A side without a stamp (resources from before it, accounts not declared) is never a move.
 */
export function accountChange(olds: Props, news: Props): "none" | "unknown" | "moved" {
  const [before, after] = [olds[ACCOUNT_KEY], news[ACCOUNT_KEY]];
  if (before === undefined || after === undefined) return "none";
  if (containsUnknown(after)) return "unknown";
  return before !== after && !containsUnknown(before) ? "moved" : "none";
}
