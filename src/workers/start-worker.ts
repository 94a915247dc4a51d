import { type ResourceLimits, Worker } from 'node:worker_threads';

/**
 * A worker thread running `entry`. From TypeScript sources (the bot runs through tsx) the
 * worker registers tsx first, as worker threads do not inherit the loader.
 */
export function startWorker(entry: URL, resourceLimits?: ResourceLimits): Worker {
  const options = resourceLimits ? { resourceLimits } : {};
  if (!entry.pathname.endsWith('.ts')) return new Worker(entry, options);
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import { register } from ${JSON.stringify(tsx)}; register(); await import(${JSON.stringify(entry.href)});`;
  return new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), options);
}
