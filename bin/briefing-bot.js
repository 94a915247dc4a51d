#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx (a runtime dependency), so `npx briefing-bot` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { cli } = await import('../src/cli.ts');
const code = await cli(process.argv.slice(2));
process.exitCode = code;
