import type { ResourceSpec } from "../engine/spec";
import { databaseSpec } from "./database";
import { projectSpec } from "./project";

/** Every resource the provider host can serve, by the name its serialized provider carries. */
export const RESOURCE_SPECS: Readonly<Record<string, ResourceSpec>> = Object.fromEntries(
  [projectSpec, databaseSpec].map((spec) => [spec.name, spec]),
);
