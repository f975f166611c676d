import { randomBytes } from "node:crypto";

/** Crockford base32 in lower case: the alphabet of PgBeam ids (`prj_01h455vb4pex5vsknk084sn02q` is a ULID). */
const BASE32 = "0123456789abcdefghjkmnpqrstvwxyz";

function randomBase32(length: number): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += BASE32[byte % 32];
  return out;
}

function timeBase32(ms: number): string {
  let out = "";
  let rest = ms;
  for (let i = 0; i < 10; i++) {
    out = BASE32[rest % 32] + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

/** `<prefix>_` + 26 chars: 10 of millisecond time then 16 random, so ids sort by creation like the real ULIDs. */
export function newId(prefix: string, now: Date = new Date()): string {
  return `${prefix}_${timeBase32(now.getTime())}${randomBase32(16)}`;
}

/** An opaque random secret with a recognisable prefix (`pba_`, `pbh_`, `pbu_`). */
export function newToken(prefix: string, length = 32): string {
  return `${prefix}${randomBase32(length)}`;
}

/** Postgres login of an agent credential, shaped like the spec's example `agent_a1b2c3d4e5f6`. */
export function newAgentUsername(): string {
  return `agent_${randomBytes(6).toString("hex")}`;
}

/** DNS-label-safe slug of a project name, with a random suffix so two projects never share a proxy host. */
export function proxyHostFor(projectName: string): string {
  const slug = projectName
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${slug || "project"}-${randomBase32(6)}.proxy.pgbeam.app`;
}

export function newHexHash(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}
