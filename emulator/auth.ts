import type { Principal } from "./context";

/**
 * API keys accepted as `Authorization: Bearer <key>`. `pbu_` personal keys act for every org; `pbo_` keys are
 * scoped to one org (DOCS `api-keys.mdx`). Other prefixes seen in the wild (`pgb_`, `pbk_`) are refused, so a
 * provider cannot come to depend on them.
 */
export class ApiKeys {
  private readonly principals = new Map<string, Principal>();

  add(key: string, orgId: string): void {
    if (key.startsWith("pbu_")) this.principals.set(key, { apiKey: key });
    else if (key.startsWith("pbo_")) this.principals.set(key, { apiKey: key, orgId });
    else throw new Error(`API keys must start with pbu_ (personal) or pbo_ (organization), got ${key.slice(0, 4)}…`);
  }

  revoke(key: string): void {
    if (!this.principals.delete(key)) throw new Error("no such API key");
  }

  /** The caller behind an Authorization header, or undefined (→ 401). The scheme name is case-insensitive (RFC 7235). */
  authenticate(authorization: string | undefined): Principal | undefined {
    const match = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
    return match ? this.principals.get(match[1]) : undefined;
  }
}
