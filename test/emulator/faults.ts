import type { Fault } from "./types";

interface QueuedFault {
  fault: Fault;
  remaining: number;
}

function matches(fault: Fault, method: string, path: string): boolean {
  if (fault.method !== undefined && fault.method.toUpperCase() !== method) return false;
  if (fault.path === undefined) return true;
  return typeof fault.path === "string" ? fault.path === path : fault.path.test(path);
}

/** Injected faults, consumed first-in first-out by the requests they match. */
export class FaultQueue {
  private queue: QueuedFault[] = [];

  add(fault: Fault): void {
    const times = fault.times ?? 1;
    if (!Number.isInteger(times) || times < 1) throw new Error(`fault.times must be a positive integer, got ${fault.times}`);
    if (fault.drop === undefined && fault.status === undefined && fault.delayMs === undefined) {
      throw new Error("a fault needs at least one of status, drop or delayMs");
    }
    this.queue.push({ fault, remaining: times });
  }

  clear(): void {
    this.queue = [];
  }

  /** The oldest fault matching this request, counted as used. */
  take(method: string, path: string): Fault | undefined {
    const index = this.queue.findIndex((queued) => matches(queued.fault, method, path));
    if (index < 0) return undefined;
    const queued = this.queue[index];
    queued.remaining -= 1;
    if (queued.remaining === 0) this.queue.splice(index, 1);
    return queued.fault;
  }
}
