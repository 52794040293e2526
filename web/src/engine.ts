/**
 * The page's handle on the engine worker: requests with ids, answers as promises, and
 * cancellation by terminating the worker (the only way to stop a synchronous computation) and
 * starting a fresh one, which the caller then re-loads.
 */
import type { Request, Response } from './protocol.js';

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Outgoing = Without<Request, 'id'>;

/** Thrown to the callers of requests that were pending when the worker was stopped. */
export class Cancelled extends Error {
  constructor() {
    super('cancelled');
    this.name = 'Cancelled';
  }
}

interface Pending {
  resolve: (r: Response) => void;
  reject: (e: Error) => void;
}

export class Engine {
  private worker!: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  /** Messages that follow a request's answer (`sliceData` after `slicePicture`), by request id. */
  private readonly followUps = new Map<number, (r: Response) => void>();
  /** Called whenever the number of requests in flight changes. */
  onBusy: (inFlight: number) => void = () => {};

  constructor() {
    this.start();
  }

  private start(): void {
    this.worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'relu-preimage engine' });
    this.worker.onmessage = (e: MessageEvent<Response>) => {
      const p = this.pending.get(e.data.id);
      if (!p) {
        const f = this.followUps.get(e.data.id);
        this.followUps.delete(e.data.id);
        f?.(e.data);
        return;
      }
      this.pending.delete(e.data.id);
      // only a picture is followed by more
      if (e.data.type !== 'slicePicture') this.followUps.delete(e.data.id);
      this.onBusy(this.pending.size);
      p.resolve(e.data);
    };
    this.worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const err = new Error(`the engine worker failed: ${e.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      this.followUps.clear();
      this.onBusy(0);
    };
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** Sends a request; `followUp` receives a message that follows its answer (see protocol.ts `slicePicture`). */
  request(msg: Outgoing, transfer: Transferable[] = [], followUp?: (r: Response) => void): Promise<Response> {
    const id = this.nextId++;
    if (followUp) this.followUps.set(id, followUp);
    return new Promise<Response>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.onBusy(this.pending.size);
      this.worker.postMessage({ ...msg, id } as Request, transfer);
    });
  }

  /** Gives the worker buffers the page no longer reads (see protocol.ts `recycle`); no answer. */
  recycle(buffers: ArrayBuffer[]): void {
    const live = buffers.filter((b) => b.byteLength > 0);
    if (live.length > 0) this.worker.postMessage({ type: 'recycle', id: 0, buffers: live } satisfies Request, live);
  }

  /** Stops whatever runs (rejecting pending requests with {@link Cancelled}) and starts a fresh worker. */
  cancel(): void {
    this.worker.terminate();
    const pending = [...this.pending.values()];
    this.pending.clear();
    this.followUps.clear();
    this.start();
    this.onBusy(0);
    for (const p of pending) p.reject(new Cancelled());
  }
}
