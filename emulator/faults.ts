import type { Fault } from "./types";

interface QueuedFault {
  fault: Fault;
  remaining: number;
  /** When a `forMs` fault first matched. */
  firstHitAt?: number;
}

function matches(fault: Fault, method: string, path: string, body: unknown): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (fault.bodyIncludes !== undefined && !(JSON.stringify(body ?? null) ?? "").includes(fault.bodyIncludes)) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === "string" ? fault.path === path : fault.path.test(path);
}

/** Injected faults, consumed first-in first-out by the requests they match. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer, got ${fault.times}`);
    if (fault.drop === undefined && fault.status === undefined && fault.delayMs === undefined) {
      throw new Error("a fault needs at least one of status, drop or delayMs");
    }
    if (fault.forMs !== undefined && (fault.times !== undefined || !(fault.forMs > 0))) {
      throw new Error(`fault.forMs must be positive and cannot be combined with times, got ${JSON.stringify(fault)}`);
    }
    this.queue.push({ fault, remaining: times });
  }

  clear(): void {
    this.queue = [];
  }

  /** The oldest fault matching this request, counted as used. */
  take(method: string, path: string, body?: unknown): Fault | undefined {
    const now = this.now();
    // A `forMs` fault whose time is over is gone.
    this.queue = this.queue.filter((q) => q.fault.forMs === undefined || q.firstHitAt === undefined || now - q.firstHitAt < q.fault.forMs);
    const index = this.queue.findIndex((queued) => matches(queued.fault, method, path, body));
    if (index < 0) return undefined;
    const queued = this.queue[index];
    if (queued.fault.forMs !== undefined) {
      queued.firstHitAt ??= now;
      return queued.fault;
    }
    queued.remaining -= 1;
    if (queued.remaining === 0) this.queue.splice(index, 1);
    return queued.fault;
  }
}
