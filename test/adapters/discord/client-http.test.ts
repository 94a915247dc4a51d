import { useTransport } from './harness.ts';

// The whole client suite again, every interaction POSTed (signed) to /discord/interactions and
// answered in the HTTP response instead of arriving over the gateway.
useTransport('http');
await import('./client.test.ts');
