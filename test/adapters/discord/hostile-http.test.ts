import { useTransport } from './harness.ts';

// Hostile briefings again, over HTTP interactions.
useTransport('http');
await import('./hostile.test.ts');
