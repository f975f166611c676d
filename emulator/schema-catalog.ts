import type { EmulatorState, Handlers } from "./context";
import { requireDatabase } from "./resources";

/**
 * What the upstream database of a PgBeam database holds, as `getSchemaCatalog` and `scanDatabaseForPii` read it.
 * The emulator connects to nothing: each database answers from a seeded schema (tables, views, columns with their
 * types and sample values), `DEFAULT_SCHEMA` unless a test seeds its own (`Emulator.seedDatabaseSchema`). Both
 * operations persist nothing.
 */

export interface SeededColumn {
  name: string;
  /** PostgreSQL type as `information_schema.data_type` spells it ("text", "bigint", "bytea"…). */
  dataType: string;
  /** Values the scanner samples (non-null ones count). */
  samples?: (string | number | null)[];
}

export interface SeededRelation {
  /** Default "public". */
  schema?: string;
  name: string;
  /** Default "table". */
  kind?: "table" | "view" | "materialized_view" | "other";
  columns: SeededColumn[];
}

/** A shop's database: users, their orders and sessions, a view over users, payroll in its own schema. */
export const DEFAULT_SCHEMA: readonly SeededRelation[] = [
  {
    name: "users",
    columns: [
      { name: "id", dataType: "bigint", samples: [1, 2, 3, 4] },
      { name: "email", dataType: "text", samples: ["alice@example.com", "bob@example.org", "carol.diaz@example.net", "dan@example.com"] },
      { name: "full_name", dataType: "text", samples: ["Alice Martin", "Bob Okafor", "Carol Diaz", "Dan Lee"] },
      { name: "phone", dataType: "text", samples: ["+1 415 555 0100", "+44 20 7946 0958", null, "(212) 555-0147"] },
      { name: "avatar", dataType: "bytea" },
      { name: "created_at", dataType: "timestamp with time zone", samples: ["2026-01-04T10:00:00Z", "2026-02-11T08:30:00Z"] },
    ],
  },
  {
    name: "orders",
    columns: [
      { name: "id", dataType: "bigint", samples: [1001, 1002, 1003] },
      { name: "user_id", dataType: "bigint", samples: [1, 2, 1] },
      { name: "total", dataType: "numeric", samples: ["19.90", "250.00", "7.50"] },
      { name: "status", dataType: "text", samples: ["paid", "shipped", "refunded"] },
      {
        name: "shipping_address",
        dataType: "text",
        samples: ["12 Market Street, Springfield", "400 Elm Avenue, Portland", "7 Harbour Road, Leith"],
      },
      { name: "payment_card", dataType: "text", samples: ["4242 4242 4242 4242", "5555 5555 5555 4444", "4000 0566 5566 5556"] },
      { name: "created_at", dataType: "timestamp with time zone", samples: ["2026-03-01T12:00:00Z"] },
    ],
  },
  {
    name: "sessions",
    columns: [
      { name: "id", dataType: "uuid", samples: ["8d0f1c9e-3c1b-4b5e-9a51-0c6f0e2b7a11"] },
      { name: "user_id", dataType: "bigint", samples: [1, 3] },
      { name: "client_ip", dataType: "inet", samples: ["203.0.113.7", "198.51.100.23", "2001:db8::1"] },
      { name: "user_agent", dataType: "text", samples: ["Mozilla/5.0", "curl/8.5.0"] },
    ],
  },
  {
    name: "active_users",
    kind: "view",
    columns: [
      { name: "id", dataType: "bigint", samples: [1, 2] },
      { name: "email", dataType: "text", samples: ["alice@example.com", "bob@example.org"] },
    ],
  },
  {
    schema: "payroll",
    name: "employees",
    columns: [
      { name: "id", dataType: "integer", samples: [1, 2] },
      { name: "full_name", dataType: "text", samples: ["Erin Walsh", "Farid Haddad"] },
      { name: "ssn", dataType: "text", samples: ["123-45-6789", "987-65-4320"] },
      { name: "iban", dataType: "text", samples: ["DE89370400440532013000", "GB29NWBK60161331926819"] },
      { name: "date_of_birth", dataType: "date", samples: ["1988-04-12", "1991-11-30"] },
    ],
  },
];

type PiiType =
  | "email"
  | "phone"
  | "ssn"
  | "credit_card"
  | "ip_address"
  | "full_name"
  | "street_address"
  | "date_of_birth"
  | "national_id"
  | "passport"
  | "bank_account"
  | "api_secret";

interface Detector {
  type: PiiType;
  /** What it is, with its article, as the reasons say it. */
  label: string;
  /** Column names that suggest it, with how strongly (a bare `name` is weaker than `full_name`). */
  names: [RegExp, number][];
  /** What a sampled value of this kind looks like; none where values prove nothing (a date is not a birth date). */
  value?: (value: string) => boolean;
  /** SPEC `PiiSuggestion.mask_kind`: hash for join keys, redact for free text, null for highly sensitive secrets. */
  mask: "hash" | "redact" | "null";
}

const digits = (value: string) => value.replace(/\D/g, "");

function luhn(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i++) {
    let digit = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) digit = digit * 2 > 9 ? digit * 2 - 9 : digit * 2;
    sum += digit;
  }
  return sum % 10 === 0;
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/** In order of precedence: a column whose name matches several (`email_address`) takes the first. */
const DETECTORS: Detector[] = [
  {
    type: "email",
    label: "an email address",
    names: [[/e_?mail/, 0.7]],
    value: (v) => /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v),
    mask: "hash",
  },
  {
    type: "ip_address",
    label: "an IP address",
    names: [[/(^|_)ip(_?addr(ess)?)?$|^ip_/, 0.6]],
    value: (v) => IPV4.test(v) || /^[0-9a-f:]+:[0-9a-f:]*$/i.test(v),
    mask: "hash",
  },
  {
    type: "ssn",
    label: "a social security number",
    names: [[/(^|_)ssn$|social_?security/, 0.8]],
    value: (v) => /^\d{3}-\d{2}-\d{4}$/.test(v),
    mask: "null",
  },
  {
    type: "credit_card",
    label: "a payment card number",
    names: [[/card_?(number|num|no)?$|credit_?card|(^|_)pan$|cc_?num/, 0.6]],
    value: (v) => /^[\d -]+$/.test(v) && digits(v).length >= 13 && digits(v).length <= 19 && luhn(digits(v)),
    mask: "null",
  },
  {
    type: "bank_account",
    label: "a bank account number",
    names: [[/iban|bank_?account|account_?number|routing_?number/, 0.7]],
    value: (v) => /^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(v),
    mask: "null",
  },
  { type: "passport", label: "a passport number", names: [[/passport/, 0.8]], mask: "null" },
  { type: "national_id", label: "a national id", names: [[/national_?id|tax_?id|(^|_)nin$/, 0.7]], mask: "null" },
  {
    type: "api_secret",
    label: "a secret",
    names: [[/api_?key|secret|password|passwd|(^|_)token$/, 0.7]],
    value: (v) => /^(sk|pk|rk|ghp|xox[bp])[-_][A-Za-z0-9_]{16,}$/.test(v),
    mask: "null",
  },
  { type: "date_of_birth", label: "a date of birth", names: [[/date_of_birth|birth_?date|(^|_)dob$|birthday/, 0.8]], mask: "redact" },
  {
    type: "phone",
    label: "a phone number",
    names: [[/phone|mobile|(^|_)tel$|msisdn/, 0.6]],
    value: (v) => /^\+?[\d\s().-]+$/.test(v) && digits(v).length >= 10 && digits(v).length <= 15 && /[\s().+-]/.test(v),
    mask: "redact",
  },
  {
    type: "street_address",
    label: "a street address",
    names: [[/address|street|addr_?line/, 0.5]],
    value: (v) => /^\d+[a-z]?\s+\S.*\b(street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|way|place|pl)\b/i.test(v),
    mask: "redact",
  },
  {
    type: "full_name",
    label: "a person's name",
    names: [
      [/^(full_?name|first_?name|last_?name|surname|given_?name|family_?name)$/, 0.6],
      [/^name$/, 0.3],
    ],
    value: (v) => /^[A-Z][a-z'-]+(?: [A-Z][a-z'-]+){1,3}$/.test(v),
    mask: "redact",
  },
];

/** Below this, a column is not suggested. */
const MIN_CONFIDENCE = 0.5;
/** A column whose name says nothing is suggested only when at least this share of its samples match. */
const VALUE_ONLY_SHARE = 0.5;
const VALUE_WEIGHT = 0.9;

const BINARY_TYPES = new Set(["bytea"]);
const isBinary = (column: SeededColumn) => BINARY_TYPES.has(column.dataType.toLowerCase());

/** The strongest PII signal of a column (name and sampled values combined), if any reaches `MIN_CONFIDENCE`. */
export function detectPii(
  column: SeededColumn,
): { detector: Detector; confidence: number; reasons: string[]; matched: number; sampled: number } | undefined {
  const name = column.name.toLowerCase();
  // Binary values are not text to match; their name is all there is.
  const samples = isBinary(column) ? [] : (column.samples ?? []).filter((v) => v !== null).map(String);
  let best: ReturnType<typeof detectPii>;
  for (const detector of DETECTORS) {
    const nameScore = Math.max(0, ...detector.names.filter(([pattern]) => pattern.test(name)).map(([, score]) => score));
    const matched = detector.value ? samples.filter(detector.value).length : 0;
    const share = samples.length > 0 ? matched / samples.length : 0;
    if (nameScore === 0 && share < VALUE_ONLY_SHARE) continue;
    const confidence = Math.round((1 - (1 - nameScore) * (1 - share * VALUE_WEIGHT)) * 100) / 100;
    if (confidence < MIN_CONFIDENCE || (best && best.confidence >= confidence)) continue;
    const reasons = [
      ...(nameScore > 0 ? [`column name suggests ${detector.label}`] : []),
      ...(detector.value && samples.length > 0 ? [`${matched}/${samples.length} sampled values look like ${detector.label}`] : []),
    ];
    best = { detector, confidence, reasons, matched, sampled: samples.length };
  }
  return best;
}

const schemaOf = (relation: SeededRelation) => relation.schema ?? "public";

function seededSchema(state: EmulatorState, databaseId: string): readonly SeededRelation[] {
  const relations = state.databaseSchemas.get(databaseId) ?? DEFAULT_SCHEMA;
  return [...relations].sort((a, b) => schemaOf(a).localeCompare(schemaOf(b)) || a.name.localeCompare(b.name));
}

/** Replaces what a database's upstream holds (see `Emulator.seedDatabaseSchema`). */
export function seedDatabaseSchema(state: EmulatorState, databaseId: string, relations: SeededRelation[]): void {
  const database = state.store.find("database", databaseId);
  if (!database || database.deleted) throw new Error(`seedDatabaseSchema: no live database ${databaseId}`);
  state.databaseSchemas.set(databaseId, structuredClone(relations));
}

export const schemaCatalogHandlers: Handlers = {
  getSchemaCatalog(ctx) {
    const relations = seededSchema(ctx.state, requireDatabase(ctx).id);
    const body = {
      relations: relations.map((relation) => ({
        schema: schemaOf(relation),
        name: relation.name,
        kind: relation.kind ?? "table",
        columns: relation.columns.map((column) => ({ name: column.name, data_type: column.dataType, is_binary: isBinary(column) })),
      })),
      scanned_relations: relations.length,
      scanned_columns: relations.reduce((sum, relation) => sum + relation.columns.length, 0),
      truncated: false,
    };
    return { status: 200, body };
  },
  /**
   * Every relation agents can name is scanned, views included (a view exposes its columns as a table does); ranked
   * by confidence, then by schema, relation and column.
   */
  scanDatabaseForPii(ctx) {
    const relations = seededSchema(ctx.state, requireDatabase(ctx).id);
    const suggestions = relations.flatMap((relation) =>
      relation.columns.flatMap((column) => {
        const found = detectPii(column);
        if (!found) return [];
        return [
          {
            schema: schemaOf(relation),
            table: relation.name,
            column: column.name,
            data_type: column.dataType,
            pii_type: found.detector.type,
            mask_kind: isBinary(column) ? "null" : found.detector.mask,
            confidence: found.confidence,
            reasons: found.reasons,
            sample_match_count: found.matched,
            sample_size: found.sampled,
          },
        ];
      }),
    );
    suggestions.sort((a, b) => b.confidence - a.confidence);
    const body = {
      scanned_tables: relations.length,
      scanned_columns: relations.reduce((sum, relation) => sum + relation.columns.length, 0),
      suggestions,
      truncated: false,
    };
    return { status: 200, body };
  },
};
