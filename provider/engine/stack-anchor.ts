/**
 * The stack's anchor: one hidden resource per stack instance, registered by the program with its first PgBeam
 * resource (see `stackAnchorId` in ./dynamic). Its id is a random 128-bit token made by its create and then kept in
 * the stack's own state; every PgBeam resource takes it as the hidden `__anchor` input, and creates are keyed by it
 * (see ./create-once). Stack, project and resource names are not unique across backends; this token is, and it
 * survives a killed run because it is in state before any PgBeam create starts. `destroy` deletes it, so the next
 * `up` of the same program starts a new key space. It calls no API and holds nothing secret: the token alone lets
 * no one derive a key, which also needs the API key.
 */
import { randomBytes } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

/** The resource name its serialized provider carries. */
export const STACK_ANCHOR = "StackAnchor";

type Props = Record<string, unknown>;

export const stackAnchorVerbs = {
  async check(_olds: Props, news: Props): Promise<pulumi.dynamic.CheckResult> {
    return { inputs: news };
  },
  async diff(): Promise<pulumi.dynamic.DiffResult> {
    return { changes: false };
  },
  async create(): Promise<pulumi.dynamic.CreateResult> {
    return { id: randomBytes(16).toString("hex"), outs: {} };
  },
  async read(id: string, props: Props): Promise<pulumi.dynamic.ReadResult> {
    return { id, props };
  },
  async update(): Promise<pulumi.dynamic.UpdateResult> {
    return { outs: {} };
  },
  async delete(): Promise<void> {},
};
