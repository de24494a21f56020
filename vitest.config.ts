import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Run inside workerd by vitest.workers.config.ts (npm run test:workers).
    exclude: ['test/workers/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // isolated-vm's README asks for this on Node >= 20 (V8's shared read-only heap vs. isolates that do
    // not start from Node's snapshot). Not needed on Linux x64 with Node 24.21 in our runs; kept as cheap insurance.
    execArgv: ['--no-node-snapshot'],
  },
});
