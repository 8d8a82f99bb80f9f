#!/usr/bin/env node
// The `sockscope` command runs the TypeScript CLI in this same process through tsx's loader, so
// the demo needs no build step and signals reach it directly.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
