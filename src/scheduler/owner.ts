import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClaimOwner } from '../store/types.ts';

/** Owner ids of the schedulers running in this process right now. */
const liveHere = new Set<string>();

/** A fresh identity for one running scheduler. */
export function newOwner(): ClaimOwner {
  return { id: randomBytes(8).toString('hex'), host: hostname(), pid: process.pid };
}

export function markLive(owner: ClaimOwner, live: boolean): void {
  if (live) liveHere.add(owner.id);
  else liveHere.delete(owner.id);
}

/**
 * Whether the process holding a claim is certainly gone, so the claim can be taken over at once
 * instead of waiting for its lease: only decidable on the same host (the pid no longer exists, or
 * it is this process and that scheduler was stopped). Other hosts' claims wait for the lease.
 */
export function ownerIsGone(owner: ClaimOwner): boolean {
  if (owner.host !== hostname()) return false;
  if (owner.pid === process.pid) return !liveHere.has(owner.id);
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
