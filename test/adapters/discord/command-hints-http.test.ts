import { useTransport } from './harness.ts';

// The command-hint suite again, every interaction POSTed (signed) to /discord/interactions.
useTransport('http');
await import('./command-hints.test.ts');
