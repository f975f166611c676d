import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import type { Props } from "../engine/values";
import { segment } from "./paths";

export const ReplicaInputs = api.CreateReplicaRequest.extend({ databaseId: z.string().min(1) });
const replicas = (outputs: Props) => `/v1/databases/${segment(outputs.databaseId)}/replicas`;

/** No GET by id and no update in the API: read from the list, and every change replaces. */
export const replicaSpec = defineSpec({
  name: "Replica",
  inputs: ReplicaInputs,
  outputs: [],
  fields: { databaseId: ["path"], sslMode: ["serverDefault"] },
  collectionPath: replicas,
  // No GET for a database by id alone: its replica list answers 404 when it does not exist.
  parents: { databaseId: replicas },
  itemPath: (outputs, id) => `${replicas(outputs)}/${segment(id)}`,
  read: { list: { itemsKey: "replicas", paged: false } },
});
