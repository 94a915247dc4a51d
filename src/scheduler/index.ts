export { createConsoleSender, TERMINAL_CHANNEL } from './console-sender.ts';
export { type CronSpec, nextSlot, parseCronSpec, slotsBetween } from './cron.ts';
export { idempotencyKey, type SchedulerLog } from './deliver.ts';
export { DEFAULT_LIMITS, type PlatformLimits, RateLimiter } from './rate-limit.ts';
export {
  createScheduler,
  type DigestConfig,
  type Scheduler,
  type SchedulerDeps,
  type SchedulerTuning,
  type SweepReport,
} from './scheduler.ts';
export { type DigestSetup, setupDigests } from './setup.ts';
export { describeCron, parseSchedule } from './when.ts';
