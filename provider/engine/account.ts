/**
 * Which PgBeam account a resource lives in. Pulumi treats moving a dynamic resource to another provider as an
 * update, and the provider is not told (dynamic providers have no DiffConfig): the object would silently be looked
 * for with a key that cannot see it. So the provider host stamps its account into every resource's checked inputs
 * (a hidden `__` key, kept in outputs too) and a change of stamp replaces the object.
 *
 * The account is a name the user states (`pgbeam:account`; an explicit `pgbeam.Provider` defaults it to its own
 * name), never derived from the key, so rotating a key changes nothing.
 */
import type { ConfigSource } from "../client/config";
import { ACCOUNT_KEY } from "./keys";
import type { Props } from "./values";


/** The account of the default provider (stack config) when `pgbeam:account` is not set. */
export const DEFAULT_ACCOUNT = "default";

export function accountOf(config: ConfigSource | undefined): string {
  return config?.get("pgbeam:account")?.trim() || DEFAULT_ACCOUNT;
}

/** Checked inputs with the account stamped. */
export function withAccount(inputs: Props, account: string): Props {
  return { ...inputs, [ACCOUNT_KEY]: account };
}

/**
 * Whether a resource is being moved to another account. Resources from before the stamp existed have none in
 * state: they take the current one at their next update or refresh, and are never replaced for lacking it.
 */
export function accountMoved(olds: Props, news: Props): boolean {
  const before = olds[ACCOUNT_KEY];
  return before !== undefined && news[ACCOUNT_KEY] !== undefined && before !== news[ACCOUNT_KEY];
}
