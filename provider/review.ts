import { typeToken } from "./engine/dynamic";
import { fieldsWith } from "./engine/spec";
import { RESOURCE_SPECS } from "./resources/registry";

/**
 * For tools that review a `pulumi preview` (examples/gitops): the input paths of a PgBeam resource type that the
 * server fills and keeps when the program leaves them out (a project's `status`, a database's `sslMode`). Removing
 * one from the program shows in the preview's inputs as a removal, yet `up` sends nothing and the server keeps its
 * value. `type` is the type token (`pulumi-nodejs:dynamic/pgbeam:Project`); an unknown type has none.
 */
export function fieldsKeptByServer(type: string): string[] {
  const spec = Object.values(RESOURCE_SPECS).find((candidate) => typeToken(candidate.name) === type);
  return spec ? fieldsWith(spec, "serverDefault") : [];
}
