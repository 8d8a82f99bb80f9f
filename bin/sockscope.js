#!/usr/bin/env node
// The repository's `sockscope` command (demo, bots, cluster, hash-password): it runs the
// TypeScript CLI in this same process through tsx's loader (a devDependency), so the demo needs no
// build step and signals reach it directly. Not published: the package's command is
// dist/bin/sockscope.js, which hands over to this file inside a checkout.
import { register } from 'tsx/esm/api';

register();
await import('../server/cli.ts');
