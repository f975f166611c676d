import type { z } from "zod";
import type { PgBeamClient } from "../client/client";
import type { Props } from "./values";
import type { PreChangeVerification } from "./verification";

/** A resource's inputs as checked: camelCase, the API's defaults applied. */
export type InputSchema = z.ZodObject<z.ZodRawShape>;

/** What the engine keeps from one API answer: the object (snake_case) and values only this answer carries. */
export interface ApiAnswer {
  object: Props;
  /** One-time values (tokens, connection strings) in camelCase; stored and carried forward from then on. */
  once?: Props;
}

/**
 * A sub-object created with its parent and updated through its own endpoint (Project's primary database).
 * Its inputs sit under `key`; its id is stored in the output `idOutput`.
 */
export interface NestedObject {
  key: string;
  idOutput: string;
  /** Fields the server fills when omitted and whose default the spec does not give (see `serverDefaults`). */
  serverDefaults?: string[];
  path(outputs: Props, parentId: string): string;
  fromCreate(response: Props): Props | undefined;
}

/** An operation triggered by a change of a trigger input rather than by a field of the object (rotation). */
export interface TriggeredAction {
  trigger: string;
  path(outputs: Props, id: string): string;
  parse(response: Props): ApiAnswer;
}

/**
 * Everything the engine needs to know about one PgBeam object. Resource files declare this; the engine does the
 * rest (check, diff, create, read, update, delete, unknowns, secrets, errors).
 */
export interface ResourceSpec {
  /** Type name: the dynamic resource's type token is `pulumi-nodejs:dynamic/pgbeam:<name>`. */
  name: string;
  inputs: InputSchema;
  /** Inputs that name the parent in the URL (projectId): never in a body. */
  pathInputs?: string[];
  /** Inputs the provider consumes itself (rotation triggers): never sent. */
  localInputs?: string[];
  /** Inputs whose change replaces the object. */
  replaceOnChanges: string[];
  /**
   * Inputs the API keeps unique (with the parent). A replace that keeps them equal cannot create the new object
   * before deleting the old one, so the engine asks for delete-before-replace exactly then.
   */
  uniqueBy?: string[];
  /**
   * Dotted input paths the server fills when omitted and whose default the spec does not state: leaving them out
   * means "whatever the server has", never a diff.
   */
  serverDefaults?: string[];
  /**
   * Dotted input paths the API accepts but never returns (passwords, signing secrets). They are secrets in the
   * program (so state's inputs are encrypted too) and in outputs, and are kept from the inputs.
   */
  writeOnly?: string[];
  /** Outputs only some answers carry (create/rotate secrets): kept from earlier state until replaced. */
  oneTimeOutputs?: string[];
  /** Further top-level outputs stored as secrets (additionalSecretOutputs), e.g. one-time tokens. */
  secretOutputs?: string[];
  /** The collection URL (POST, list) and the object URL. */
  collectionPath(inputs: Props): string;
  itemPath(outputs: Props, id: string): string;
  create?: {
    /** Input fields the create call does not accept: the engine PATCHes them right after (same `up`). */
    patchAfter?: string[];
    /** Where the object is in the create answer; by default the answer is the object. */
    parse?(response: Props): ApiAnswer;
  };
  update: {
    /** PATCH sends the changed fields only; PUT sends the full desired object (never a partial PUT). */
    method: "PATCH" | "PUT";
    /** Input fields the update call accepts; default: every body input. */
    fields?: string[];
  };
  read?: {
    /** An object the API still returns but which no longer exists for the user (revoked credential). */
    isGone?(object: Props): boolean;
  };
  nested?: NestedObject;
  action?: TriggeredAction;
  /** Asks the API about the candidate before anything is created or changed (see verification.ts). */
  verification?: PreChangeVerification;
  /** Adds context to an error from delete (e.g. which credentials still use a policy). */
  explainDeleteError?(client: PgBeamClient, outputs: Props, id: string, error: Error): Promise<Error>;
}
