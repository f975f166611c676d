import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { nestedDatabaseFields } from "./database";
import { fromApi } from "./from-api";
import { segment } from "./paths";
import { projectsOf, scaleAndAbove } from "./plan";
import { adoptedPrimaryDatabase } from "./primary-database";

/** The API stores a bare address as /32 or /128; doing the same here keeps input and state equal. */
const withPrefixLength = (cidr: string) => (cidr.includes("/") ? cidr : `${cidr}/${cidr.includes(":") ? 128 : 32}`);

const CidrEntry = api.CidrEntry.extend({ cidr: api.CidrEntry.shape.cidr.transform(withPrefixLength) });

const update = api.UpdateProjectRequest.shape;

export const ProjectInputs = api.CreateProjectRequest.extend({
  allowedCidrs: z.array(CidrEntry).max(50).optional(),
  defaultPolicyProfileId: update.defaultPolicyProfileId,
  residency: update.residency,
  // The API creates projects with agents enabled; removing `agentsDisabled: true` must switch them back on.
  agentsDisabled: update.agentsDisabled.unwrap().default(false),
  status: update.status,
});

const rest = fromApi("Project");
const projectItemPath = (id: string) => rest.itemPath({}, id);

export const projectSpec = defineSpec({
  ...rest,
  inputs: ProjectInputs,
  outputs: [...rest.outputs, "primaryDatabaseId"],
  fields: {
    orgId: ["replace", "unique"],
    name: ["unique"],
    cloud: ["replace"],
    selfHosted: ["replace"],
    status: ["serverDefault"],
    // Left out, a default policy set by a ProjectDefaultPolicy (which needs the project's id first) is kept;
    // removed from the program, it is cleared.
    defaultPolicyProfileId: ["setElsewhere"],
    "database.password": ["writeOnly"],
    ...nestedDatabaseFields("database"),
  },
  review: {
    replaceInvalidates:
      "a new project id and proxy host (`proxyHost`): every client and connection string using the old host stops connecting, and everything under the project (databases, policies, credentials) goes with the old one",
    stateful: true,
  },
  planRules: [
    {
      what: "active projects",
      limit: "max_projects",
      zeroIsUnlimited: false,
      per: "organization",
      used: async (read, { orgId }) => (await projectsOf(read, orgId)).length,
    },
    scaleAndAbove("self-hosted projects", (inputs) => inputs.selfHosted === true),
  ],
  nested: {
    key: "database",
    idOutput: "primaryDatabaseId",
    parentField: "projectId",
    path: (outputs, id) => `${projectItemPath(id)}/databases/${segment(outputs.primaryDatabaseId)}`,
    fromCreate: (response) => response.database as Props | undefined,
    // A primary database deleted out of band is registered again in place: the project and all under it stay.
    recreatePath: (id) => `${projectItemPath(id)}/databases`,
    recreateFields: { role: "primary" },
    adoptFrom: { itemsKey: "databases", find: adoptedPrimaryDatabase },
  },
});
