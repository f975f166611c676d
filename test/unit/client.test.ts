import { PgBeamClient } from "../../provider/client/client";
import { resolveClientOptions } from "../../provider/client/config";
import { isPgBeamApiError, PgBeamApiError } from "../../provider/client/errors";
import { backoffDelay, DEFAULT_RETRY_POLICY, parseRetryAfter } from "../../provider/client/retry";
import { type Emulator, startEmulator } from "../emulator";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(() => emulator.stop());
beforeEach(() => {
  emulator.clearRequests();
  emulator.clearFaults();
});

/** A client whose waits are recorded instead of slept, so retry timing is asserted exactly and fast. */
function clientWithRecordedWaits(overrides: Partial<ConstructorParameters<typeof PgBeamClient>[0]> = {}) {
  const waits: number[] = [];
  const client = new PgBeamClient({
    apiKey: emulator.apiKey,
    baseUrl: emulator.url,
    sleep: async (ms) => void waits.push(ms),
    ...overrides,
  });
  return { client, waits };
}

const projectBody = (name: string) => ({
  name,
  org_id: emulator.orgId,
  database: { host: "db.internal", port: 5432, name: "app", username: "app", password: "s3cret-pw" },
});

async function rejection(promise: Promise<unknown>): Promise<PgBeamApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isPgBeamApiError(error)) throw new Error(`expected a PgBeamApiError, got ${String(error)}`);
  return error;
}

describe("requests", () => {
  it("sends bearer auth, a versioned User-Agent and JSON, and parses the answer", async () => {
    const { client } = clientWithRecordedWaits();
    const orgs = await client.get<{ organizations: { id: string }[] }>("/v1/organizations");
    expect(orgs.organizations.map((o) => o.id)).toContain(emulator.orgId);
    const [request] = emulator.requests;
    expect(request.headers.authorization).toBe(`Bearer ${emulator.apiKey}`);
    expect(request.headers["user-agent"]).toMatch(/^pulumi-pgbeam\/\d+\.\d+\.\d+/);
  });

  it("sends one UUID v4 Idempotency-Key per POST/PATCH call, none on GET/PUT/DELETE", async () => {
    const { client } = clientWithRecordedWaits();
    const created = await client.post<{ project: { id: string } }>("/v1/projects", projectBody("idem-a"));
    await client.patch(`/v1/projects/${created.project.id}`, { description: "x" });
    await client.get(`/v1/projects/${created.project.id}`);
    await client.delete(`/v1/projects/${created.project.id}`);
    const keys = emulator.requests.map((r) => r.headers["idempotency-key"]);
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(keys[1]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys.slice(2)).toEqual([undefined, undefined]);
  });

  it("follows next_page_token to the end", async () => {
    const { client } = clientWithRecordedWaits();
    const org = "org_paging";
    emulator.addOrganization(org);
    for (let i = 0; i < 105; i++) {
      await client.post("/v1/projects", { ...projectBody(`paged-${i}`), org_id: org });
    }
    emulator.clearRequests();
    const all = await client.listAll<{ name: string }>("/v1/projects", "projects", { org_id: org });
    expect(all).toHaveLength(105);
    expect(new Set(all.map((p) => p.name)).size).toBe(105);
    expect(emulator.requests.filter((r) => r.method === "GET")).toHaveLength(2);
  });
});

describe("retries", () => {
  it.each([408, 429, 502, 503, 504])("retries %i and succeeds, reusing the idempotency key", async (status) => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ method: "POST", path: "/v1/projects", status, times: 2 });
    const created = await client.post<{ project: { id: string } }>("/v1/projects", projectBody(`retry-${status}`));
    expect(created.project.id).toMatch(/^prj_[0-9a-z]{26}$/);
    const posts = emulator.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => r.status)).toEqual([status, status, 201]);
    expect(new Set(posts.map((r) => r.headers["idempotency-key"])).size).toBe(1);
    expect(waits).toHaveLength(2);
  });

  it("never retries a 500", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ method: "GET", path: "/v1/organizations", status: 500, times: 3 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(500);
    expect(error.code).toBe("INTERNAL_ERROR");
    expect(emulator.requests).toHaveLength(1);
    expect(waits).toEqual([]);
  });

  it("never retries a 4xx other than 408/429, and says what failed and why", async () => {
    const { client } = clientWithRecordedWaits();
    await client.post("/v1/projects", projectBody("dup"));
    const error = await rejection(client.post("/v1/projects", projectBody("dup")));
    expect(error.status).toBe(409);
    expect(error.code).toBe("CONFLICT");
    expect(error.message).toMatch(/^PgBeam API POST \/v1\/projects failed with 409 CONFLICT: .+/);
    expect(emulator.requests.filter((r) => r.method === "POST")).toHaveLength(2);
  });

  it("honours Retry-After in seconds and as an HTTP-date", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ path: "/v1/organizations", status: 429, retryAfter: "2" });
    emulator.inject({ path: "/v1/organizations", status: 503, retryAfter: new Date(Date.now() + 5000).toUTCString() });
    await client.get("/v1/organizations");
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeGreaterThan(3000);
    expect(waits[1]).toBeLessThanOrEqual(5000);
  });

  it("does not wait out a Retry-After beyond its cap: fails at once, saying so", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ path: "/v1/organizations", status: 429, retryAfter: "3600" });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(429);
    expect(error.message).toContain("retry after 3600 s");
    expect(waits).toEqual([]);
  });

  it("stops after maxRetries and reports the attempts", async () => {
    const { client, waits } = clientWithRecordedWaits();
    emulator.inject({ path: "/v1/organizations", status: 503, times: 10 });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.attempts).toBe(DEFAULT_RETRY_POLICY.maxRetries + 1);
    expect(error.message).toContain(`after ${DEFAULT_RETRY_POLICY.maxRetries + 1} attempts`);
    expect(waits).toHaveLength(DEFAULT_RETRY_POLICY.maxRetries);
  });

  it("retries a dropped connection; a POST whose answer was lost is replayed, not repeated", async () => {
    const { client } = clientWithRecordedWaits();
    emulator.inject({ method: "POST", path: "/v1/projects", drop: "after" });
    const created = await client.post<{ project: { id: string } }>("/v1/projects", projectBody("lost-answer"));
    const named = emulator.objects("project").filter((o) => o.data.name === "lost-answer");
    expect(named.map((o) => o.id)).toEqual([created.project.id]);
    expect(emulator.requests.filter((r) => r.method === "POST").map((r) => r.replayed ?? false)).toEqual([false, true]);
  });

  it("gives up within the call budget when every attempt times out", async () => {
    const client = new PgBeamClient({
      apiKey: emulator.apiKey,
      baseUrl: emulator.url,
      attemptTimeoutMs: 150,
      callBudgetMs: 700,
      retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 50, baseDelayMs: 10, maxDelayMs: 20 },
    });
    emulator.inject({ path: "/v1/organizations", delayMs: 1000, times: 50 });
    const started = Date.now();
    const error = await rejection(client.get("/v1/organizations"));
    const elapsed = Date.now() - started;
    expect(error.status).toBe(0);
    expect(error.message).toMatch(/budget|no response/);
    expect(elapsed).toBeLessThan(1500);
    expect(error.attempts).toBeGreaterThanOrEqual(2);
  });
});

describe("errors never reveal the API key", () => {
  it("a rejected key gives a 401 naming the call, not the key", async () => {
    const secretKey = "pbu_this_key_must_never_be_printed_0123456789";
    const client = new PgBeamClient({ apiKey: secretKey, baseUrl: emulator.url });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(401);
    expect(error.code).toBe("UNAUTHORIZED");
    expect(`${error.message} ${error.stack} ${JSON.stringify(error)}`).not.toContain(secretKey);
  });

  it("a network failure message holds no key either", async () => {
    const secretKey = "pbu_unreachable_key_abcdefghijklmnopqrstuvwxyz";
    const client = new PgBeamClient({
      apiKey: secretKey,
      baseUrl: "http://127.0.0.1:9",
      retry: { ...DEFAULT_RETRY_POLICY, maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const error = await rejection(client.get("/v1/organizations"));
    expect(error.status).toBe(0);
    expect(error.message).toContain("network error");
    expect(`${error.message} ${error.stack}`).not.toContain(secretKey);
  });
});

describe("configuration", () => {
  const config = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

  it("prefers stack config over the environment", () => {
    const options = resolveClientOptions(config({ "pgbeam:apiKey": "pbu_cfg", "pgbeam:baseUrl": "http://cfg" }), {
      PGBEAM_API_KEY: "pbu_env",
      PGBEAM_API_URL: "http://env",
    });
    expect([options.apiKey, options.baseUrl]).toEqual(["pbu_cfg", "http://cfg"]);
  });

  it("falls back to PGBEAM_API_KEY, then its aliases, and the default URL", () => {
    expect(resolveClientOptions(undefined, { PGBEAM_API_KEY: "pbu_a", PGBEAM_TOKEN: "pbu_b" }).apiKey).toBe("pbu_a");
    expect(resolveClientOptions(undefined, { PGBEAM_TOKEN: "pbu_b" }).apiKey).toBe("pbu_b");
    const options = resolveClientOptions(config({}), { PGBEAM_API_TOKEN: "pbu_c" });
    expect([options.apiKey, options.baseUrl]).toEqual(["pbu_c", "https://api.pgbeam.com"]);
  });

  it("explains how to set a missing key", () => {
    expect(() => resolveClientOptions(config({}), {})).toThrow(/pulumi config set --secret pgbeam:apiKey/);
  });

  it("rejects a malformed numeric setting, naming it", () => {
    expect(() => resolveClientOptions(config({ "pgbeam:apiKey": "pbu_x", "pgbeam:callBudgetMs": "soon" }), {})).toThrow(
      /pgbeam:callBudgetMs/,
    );
  });
});

describe("retry rules", () => {
  it("parses Retry-After seconds and dates; ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it("backs off exponentially with jitter, within [ceiling/2, ceiling] and capped", () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(10, policy, () => 1)).toBe(1000);
    expect(backoffDelay(10, policy, () => 0)).toBe(500);
  });
});
