import { createHmac, randomUUID } from "node:crypto";
import type { KyInstance } from "ky";
import { PACKAGE_VERSION } from "../version";
import { type ApiKeyOrigin, PgBeamApiError, rejectedKeyHint } from "./errors";
import {
  backoffDelay,
  type Clock,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  RETRYABLE_STATUSES,
  type RetryPolicy,
  retryAfterDelay,
  SYSTEM_CLOCK,
} from "./retry";
import { processThrottle, type SharedThrottle } from "./throttle";

export interface ClientOptions {
  apiKey: string;
  /** Where the key came from, named when the API refuses it. Default: stack config. */
  apiKeyOrigin?: ApiKeyOrigin;
  baseUrl: string;
  /** Per-attempt timeout. Default 15 s. */
  attemptTimeoutMs?: number;
  /** How long one call keeps retrying, waits included; it then fails saying so. Default 110 s. */
  callBudgetMs?: number;
  /** Where `baseUrl` was set, for the message when it cannot be reached (see `resolveClientOptions`). */
  baseUrlOrigin?: string;
  retry?: RetryPolicy;
  /** Injected by tests to run retries in virtual time. */
  clock?: Clock;
  /** Default: the one shared by the whole provider process. */
  throttle?: SharedThrottle;
  random?: () => number;
  /** Told before each retry's wait, e.g. to show the user what the call is waiting for (see `reportingRetries`). */
  onRetry?: RetryListener;
  /** Told of each call as it starts (see `recordingRequests`), e.g. to say what planning a change cost. */
  onRequest?: (method: HttpMethod, path: string) => void;
}

/** A retry about to happen: what the last attempt ended with, and where the call stands against its budget. */
export interface RetryEvent {
  method: HttpMethod;
  path: string;
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** Its HTTP status; 0 when no answer came (network error, timeout). */
  status: number;
  code?: string;
  detail: string;
  /** The wait before the next attempt. */
  waitMs: number;
  /** Time spent on this call so far, and how long it may take in all (pgbeam:callBudgetMs). */
  elapsedMs: number;
  budgetMs: number;
  /** Since when no connection could be made, if the last attempt made none (tried for `UNREACHABLE_BUDGET_MS`). */
  unreachableForMs?: number;
  /** The client's clock at this moment. */
  at: number;
}

export type RetryListener = (event: RetryEvent) => void;

export const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;
/** Rides out an outage of about 90 s (the last retry lands within 8 s of its end) and gives up within 2 minutes. */
export const DEFAULT_CALL_BUDGET_MS = 110_000;
/**
 * How long a host that does not resolve or refuses connections is retried: long enough for a DNS blip or a restart,
 * short enough that a mistyped URL fails in seconds. An outage (5xx, timeouts, dropped connections) has the whole
 * call budget: behind PgBeam's load balancer, a real outage answers or times out, it does not refuse.
 */
export const UNREACHABLE_BUDGET_MS = 15_000;

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Sent on POST/PATCH instead of a fresh random key (see `deriveIdempotencyKey`). */
  idempotencyKey?: string;
}

export interface Answer<T> {
  body: T;
  /** The API answered from its idempotency cache: the call was made before, with this key and body. */
  replayed: boolean;
}

/** Methods whose retries could repeat a side effect: PgBeam dedupes them by Idempotency-Key (24 h). */
const IDEMPOTENCY_KEYED: ReadonlySet<HttpMethod> = new Set(["POST", "PATCH"]);

/** What one attempt ended with, when it was not a success. */
interface Outcome {
  status: number;
  code?: string;
  detail: string;
  retryAfterMs?: number;
  replayed?: boolean;
  /** No connection could be made: the host does not resolve or refuses (see `UNREACHABLE_BUDGET_MS`). */
  unreachable?: boolean;
  /** Trying again cannot help (a certificate this machine does not trust will not be trusted a second later). */
  final?: boolean;
}

/**
 * The PgBeam control-plane client: bearer auth, retries bounded by time with backoff and Retry-After, a
 * process-wide throttle, one idempotency key per call, and one typed error. ky does the HTTP; the retry loop is
 * ours because ky has no whole-call budget.
 */
export class PgBeamClient {
  /**
   * ky with its transport (one keep-alive agent), made at the first call and shared with the clients derived from
   * this one (they differ in listeners only).
   */
  private readonly http: () => KyInstance;
  private readonly attemptTimeoutMs: number;
  private readonly callBudgetMs: number;
  private readonly retry: RetryPolicy;
  private readonly clock: Clock;
  private readonly throttle: SharedThrottle;
  private readonly random: () => number;
  private readonly baseUrl: string;
  private readonly baseUrlOrigin?: string;
  private readonly onRetry?: RetryListener;
  private readonly options: ClientOptions;
  /** Keys the idempotency digests (see `keyedDigest`); sent only in the authorization header. */
  private readonly apiKey: string;
  private readonly rejectedKeyHint: string;

  /** `http`: the ky of the client this one is derived from (see `reportingRetries`). */
  constructor(options: ClientOptions, http?: () => KyInstance) {
    this.options = options;
    this.apiKey = options.apiKey;
    this.rejectedKeyHint = rejectedKeyHint(options.apiKeyOrigin);
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS;
    this.callBudgetMs = options.callBudgetMs ?? DEFAULT_CALL_BUDGET_MS;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.clock = options.clock ?? SYSTEM_CLOCK;
    this.throttle = options.throttle ?? processThrottle();
    this.random = options.random ?? Math.random;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.baseUrlOrigin = options.baseUrlOrigin;
    this.onRetry = options.onRetry;
    let instance: KyInstance | undefined;
    this.http =
      http ??
      (() =>
        (instance ??= loadKy().create({
          prefixUrl: this.baseUrl,
          retry: 0,
          throwHttpErrors: false,
          fetch: loadTransport().nodeHttpTransport(this.baseUrl),
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            "user-agent": `pulumi-pgbeam/${PACKAGE_VERSION} (node ${process.version})`,
            accept: "application/json",
          },
        })));
  }

  /**
   * The account this client talks to (base URL and key, the key only as a keyed digest): the clients derived from one
   * (`reportingRetries`, `recordingRequests`) share it, so a cache of reads can be shared by them.
   */
  get accountScope(): string {
    return `${this.baseUrl} ${this.keyedDigest("account scope")}`;
  }

  /** This client (same settings, throttle, clock and other listeners) telling `onRetry` about each retry of its calls. */
  reportingRetries(onRetry: RetryListener): PgBeamClient {
    return new PgBeamClient({ ...this.options, clock: this.clock, throttle: this.throttle, random: this.random, onRetry }, this.http);
  }

  /** This client (same settings, throttle, clock and other listeners) telling `onRequest` about each of its calls. */
  recordingRequests(onRequest: NonNullable<ClientOptions["onRequest"]>): PgBeamClient {
    return new PgBeamClient({ ...this.options, clock: this.clock, throttle: this.throttle, random: this.random, onRequest }, this.http);
  }

  /**
   * HMAC-SHA256 (hex) of `data` keyed with this client's API key: stable across runs with the same key, and without
   * the key nothing in `data` (a password in a create body) can be confirmed by hashing guesses.
   */
  keyedDigest(data: string): string {
    return createHmac("sha256", this.apiKey).update(data).digest("hex");
  }

  get<T>(path: string, query?: RequestOptions["query"]): Promise<T> {
    return this.request<T>("GET", path, { query });
  }
  post<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("POST", path, { body });
  }
  put<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PUT", path, { body });
  }
  patch<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>("PATCH", path, { body });
  }
  delete(path: string): Promise<void> {
    return this.request<void>("DELETE", path, {});
  }

  /** Follows `next_page_token` until the API says there is no more. */
  async listAll<T>(path: string, itemsKey: string, query: RequestOptions["query"] = {}): Promise<T[]> {
    const items: T[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.get<Record<string, unknown>>(path, { ...query, page_size: 100, page_token: pageToken });
      items.push(...((page[itemsKey] as T[] | undefined) ?? []));
      pageToken = (page.next_page_token as string | undefined) || undefined;
    } while (pageToken);
    return items;
  }

  async request<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<T> {
    return (await this.send<T>(method, path, options)).body;
  }

  /** One call: attempts until success, a final answer, or the budget runs out. */
  async send<T>(method: HttpMethod, path: string, options: RequestOptions): Promise<Answer<T>> {
    this.options.onRequest?.(method, path);
    const started = this.clock.now();
    const deadline = started + this.callBudgetMs;
    const headers: Record<string, string> = {};
    if (IDEMPOTENCY_KEYED.has(method)) headers["idempotency-key"] = options.idempotencyKey ?? randomUUID();
    const searchParams = Object.fromEntries(
      Object.entries(options.query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined),
    );
    const fail = (outcome: Outcome, attempts: number, why?: string) => {
      const seconds = ((this.clock.now() - started) / 1000).toFixed(1);
      const tried = attempts > 1 || why ? ` (${attempts} attempt${attempts > 1 ? "s" : ""} in ${seconds} s${why ? `; ${why}` : ""})` : "";
      const hint = outcome.status === 401 ? `. ${this.rejectedKeyHint}` : "";
      const next = outcome.unreachable ? `. ${this.unreachableHint()}` : "";
      return new PgBeamApiError(
        method,
        path,
        outcome.status,
        outcome.code,
        `${outcome.detail}${hint}${tried}${next}`,
        attempts,
        outcome.replayed,
      );
    };
    const budgetSpent = `gave up: the ${this.callBudgetMs / 1000} s retry budget ran out (pgbeam:callBudgetMs)`;
    let last: Outcome = { status: 0, detail: "the API was not reached" };
    /** When the current run of unreachable attempts began. */
    let unreachableSince: number | undefined;

    for (let attempt = 1; ; attempt++) {
      // A backoff that overslept the deadline (a loaded machine's timers) is the budget running out, not throttling.
      if (this.clock.now() > deadline) throw fail(last, attempt - 1, budgetSpent);
      if (!(await this.throttle.acquire(deadline))) throw fail(last, attempt - 1, `${budgetSpent} while the API was throttling`);
      const attemptStarted = this.clock.now();
      // The last attempts get what is left of the budget, which may be less than an attempt's timeout.
      const timeoutMs = Math.max(1, Math.min(this.attemptTimeoutMs, deadline - attemptStarted));
      try {
        const response = await this.http()(path.replace(/^\//, ""), {
          method,
          headers,
          searchParams,
          json: options.body,
          timeout: timeoutMs,
        });
        if (response.ok) {
          this.throttle.succeeded();
          const text = await response.text();
          const body = parseAnswer(text, (detail) => fail({ status: response.status, detail }, attempt));
          return { body: body as T, replayed: response.headers.get("idempotent-replayed") === "true" };
        }
        const envelope = await readErrorEnvelope(response);
        last = {
          status: response.status,
          code: envelope.code,
          detail: envelope.message ?? response.statusText ?? "request failed",
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after"), this.clock.now()),
          replayed: response.headers.get("idempotent-replayed") === "true",
        };
        if (!RETRYABLE_STATUSES.has(response.status)) throw fail(last, attempt);
      } catch (error) {
        if (error instanceof PgBeamApiError) throw error;
        last = describeTransportError(
          error,
          timeoutMs < this.attemptTimeoutMs ? `${timeoutMs} ms, all that was left of the retry budget` : `${timeoutMs} ms`,
          this.baseUrl,
        );
        if (last.final) throw fail(last, attempt);
      }
      unreachableSince = last.unreachable ? (unreachableSince ?? attemptStarted) : undefined;

      if (last.status === 429) this.throttle.throttled(last.retryAfterMs ?? backoffDelay(attempt, this.retry, this.random));
      const wait =
        last.retryAfterMs === undefined ? backoffDelay(attempt, this.retry, this.random) : retryAfterDelay(last.retryAfterMs, this.random);
      if (unreachableSince !== undefined && this.clock.now() + wait - unreachableSince >= UNREACHABLE_BUDGET_MS) {
        throw fail(last, attempt, "gave up: no connection could be made");
      }
      if (this.clock.now() + wait >= deadline) {
        const asked = last.retryAfterMs === undefined ? "" : `; the API asked to retry after ${Math.ceil(last.retryAfterMs / 1000)} s`;
        throw fail(last, attempt, `${budgetSpent}${asked}`);
      }
      const now = this.clock.now();
      const unreachableForMs = unreachableSince === undefined ? undefined : now - unreachableSince;
      const { status, code, detail } = last;
      this.onRetry?.({
        method,
        path,
        attempt,
        status,
        code,
        detail,
        waitMs: wait,
        elapsedMs: now - started,
        budgetMs: this.callBudgetMs,
        unreachableForMs,
        at: now,
      });
      await this.clock.sleep(wait);
    }
  }

  /** What to do when the base URL cannot be reached, naming where it was set. */
  private unreachableHint(): string {
    if (this.baseUrlOrigin) return `Check the API URL ${this.baseUrl}: it is set by ${this.baseUrlOrigin}`;
    return (
      `${this.baseUrl} is the default API URL: check this machine's network and DNS, or if your API is elsewhere, ` +
      "set it with `pulumi config set pgbeam:baseUrl <url>` or PGBEAM_API_URL"
    );
  }
}

/**
 * ky and its transport, required at the first call rather than at start: a provider host answering only check and
 * diff (a preview) needs neither. ky is an ES module, loaded through Node's ES module loader (about 45 ms of CPU);
 * the transport's answers are `Response`s, and Node loads its fetch implementation (undici) when that global is first
 * touched (about 10 ms).
 */
function loadKy(): typeof import("ky").default {
  return (require("ky") as typeof import("ky")).default;
}
function loadTransport(): typeof import("./transport") {
  return require("./transport") as typeof import("./transport");
}

/** A success answer is JSON or empty; anything else (a web page, a proxy's banner) is not the PgBeam API answering. */
function parseAnswer(text: string, fail: (detail: string) => PgBeamApiError): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw fail(`the answer is not JSON (it begins ${JSON.stringify(text.slice(0, 40))}): check that pgbeam:baseUrl is the PgBeam API`);
  }
}

async function readErrorEnvelope(response: Response): Promise<{ code?: string; message?: string }> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string }; message?: string };
    return { code: body.error?.code, message: body.error?.message ?? body.message };
  } catch {
    return {};
  }
}

/** Error codes of a connection that could not be made at all (the host does not resolve, or nothing listens), in words. */
const UNREACHABLE: Readonly<Record<string, string>> = {
  ENOTFOUND: "host name not found",
  EAI_AGAIN: "host name lookup failed",
  ECONNREFUSED: "connection refused",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "no route to host",
};

/** Node's codes for a server certificate it does not accept (expired, self-signed, unknown issuer, wrong host name). */
const TLS_REJECTED =
  /^(CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_(VERIFY|GET_ISSUER)|ERR_TLS_CERT_ALTNAME_INVALID$)/;

/**
 * Fields of a thrown value, read without `instanceof` (an error may come from another realm, a test's VM): Node's
 * network errors carry `code` themselves, a wrapped one (fetch's `TypeError`) on its `cause`.
 */
type Thrown = { name?: unknown; message?: unknown; code?: unknown; cause?: Thrown } | undefined;

/** `waited`: the attempt's timeout in words. */
function describeTransportError(error: unknown, waited: string, baseUrl: string): Outcome {
  const thrown = (typeof error === "object" && error !== null ? error : undefined) as Thrown;
  if (thrown?.name === "TimeoutError") return { status: 0, detail: `no response within ${waited}` };
  const cause = typeof thrown?.cause === "object" && thrown.cause !== null ? thrown.cause : undefined;
  const coded = typeof thrown?.code === "string" ? thrown : cause;
  const unreachable = typeof coded?.code === "string" ? UNREACHABLE[coded.code] : undefined;
  if (unreachable)
    return { status: 0, detail: `could not connect to ${baseUrl}: ${unreachable} (${String(coded!.message)})`, unreachable: true };
  if (typeof coded?.code === "string" && TLS_REJECTED.test(coded.code))
    return {
      status: 0,
      detail:
        `the TLS certificate of ${baseUrl} was not accepted: ${String(coded.message)} (${coded.code}). Check pgbeam:baseUrl; ` +
        "if the API sits behind a proxy with its own certificate authority, give Node its certificate with NODE_EXTRA_CA_CERTS",
      final: true,
    };
  const message =
    thrown?.message === undefined ? "" : ` (${String(thrown.message)}${cause?.message === undefined ? "" : `: ${String(cause.message)}`})`;
  return { status: 0, detail: `network error${message}` };
}
