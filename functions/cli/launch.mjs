#!/usr/bin/env node
// The `gradus` command (package.json "bin"). In a checkout it runs the TypeScript sources (Node 24 strips
// their types); the npm package ships no sources but their bundle (scripts/build-package.ts).
import { existsSync } from 'node:fs';

const sources = new URL('./main.ts', import.meta.url);
await import(
  existsSync(sources) ? sources.href : new URL('../../dist/package/gradus.mjs', import.meta.url).href
);
