import { z } from "zod";
import * as api from "../api/schemas.generated";
import { defineSpec } from "../engine/spec";
import { fromApi } from "./from-api";

export const ReplicaInputs = api.CreateReplicaRequest.extend({ databaseId: z.string().min(1) });
const rest = fromApi("Replica");

/** No GET by id and no update in the spec: read from the list, and every change replaces. */
export const replicaSpec = defineSpec({
  ...rest,
  inputs: ReplicaInputs,
  fields: { ...rest.fields, sslMode: ["serverDefault"] },
});
