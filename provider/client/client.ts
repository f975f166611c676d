import { randomUUID } from "node:crypto";
import ky, { type KyInstance } from "ky";
import { PACKAGE_VERSION } from "../version";
import { PgBeamApiError } from "./errors";
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter, RETRYABLE_STATUSES, type RetryPolicy } from "./retry";

export interface ClientOptions {
  apiKey: string;
  baseUrl: string;
  /** Per-attempt timeout. Default 15 s. */
  attemptTimeoutMs?: number;
  /** Whole-call budget across attempts and waits. Default 60 s. */
  callBudgetMs?: number;
  retry?: RetryPolicy;
  /** Injected by tests to observe waits without sleeping. */
  sleep?: (ms: number) => Promise<void>;
}

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
}

/** Methods whose retries could repeat a side effect: PgBeam dedupes them by Idempotency-Key (24 h). */
const IDEMPOTENCY_KEYED: ReadonlySet<HttpMethod> = new Set(["POST", "PATCH"]);

/**
 * The PgBeam control-plane client: bearer auth, bounded retries with backoff and Retry-After, one idempotency key
 * per call, and one typed error. ky does the HTTP; the retry loop is ours because ky has no whole-call budget.
 */
export class PgBeamClient {
  private readonly http: KyInstance;
  private readonly attemptTimeoutMs: number;
  private readonly callBudgetMs: number;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions) {
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 15_000;
    this.callBudgetMs = options.callBudgetMs ?? 60_000;
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.http = ky.create({
      prefixUrl: options.baseUrl.replace(/\/+$/, ""),
      retry: 0,
      throwHttpErrors: false,
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        "user-agent": `pulumi-pgbeam/${PACKAGE_VERSION} (node ${process.version})`,
        accept: "application/json",
      },
    });
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
    const deadline = Date.now() + this.callBudgetMs;
    const headers: Record<string, string> = {};
    if (IDEMPOTENCY_KEYED.has(method)) headers["idempotency-key"] = randomUUID();
    const searchParams = Object.fromEntries(
      Object.entries(options.query ?? {}).filter((entry): entry is [string, string | number] => entry[1] !== undefined),
    );
    const fail = (status: number, code: string | undefined, detail: string, attempts: number) =>
      new PgBeamApiError(method, path, status, code, detail, attempts);

    for (let attempt = 1; ; attempt++) {
      const remaining = deadline - Date.now();
      let outcome: { status: number; code?: string; detail: string; retryAfterMs?: number };
      try {
        const response = await this.http(path.replace(/^\//, ""), {
          method,
          headers,
          searchParams,
          json: options.body,
          timeout: Math.max(1, Math.min(this.attemptTimeoutMs, remaining)),
        });
        if (response.ok) {
          const text = await response.text();
          return (text ? JSON.parse(text) : undefined) as T;
        }
        const envelope = await readErrorEnvelope(response);
        outcome = {
          status: response.status,
          code: envelope.code,
          detail: envelope.message ?? response.statusText ?? "request failed",
          retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
        };
        if (!RETRYABLE_STATUSES.has(response.status)) throw fail(outcome.status, outcome.code, outcome.detail, attempt);
      } catch (error) {
        if (error instanceof PgBeamApiError) throw error;
        outcome = { status: 0, detail: describeTransportError(error, this.attemptTimeoutMs) };
      }

      if (attempt > this.retry.maxRetries) throw fail(outcome.status, outcome.code, outcome.detail, attempt);
      const wait = outcome.retryAfterMs ?? backoffDelay(attempt, this.retry);
      if (outcome.retryAfterMs !== undefined && outcome.retryAfterMs > this.retry.maxRetryAfterMs) {
        const detail = `${outcome.detail}; the API asked to retry after ${Math.ceil(outcome.retryAfterMs / 1000)} s, longer than the ${this.retry.maxRetryAfterMs / 1000} s this provider waits`;
        throw fail(outcome.status, outcome.code, detail, attempt);
      }
      if (Date.now() + wait >= deadline) {
        const detail = `${outcome.detail}; gave up: the ${this.callBudgetMs / 1000} s budget for this call ran out`;
        throw fail(outcome.status, outcome.code, detail, attempt);
      }
      await this.sleep(wait);
    }
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

function describeTransportError(error: unknown, attemptTimeoutMs: number): string {
  if (error instanceof Error && error.name === "TimeoutError") return `no response within ${attemptTimeoutMs} ms`;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `network error${error instanceof Error ? ` (${error.message}${cause})` : ""}`;
}
