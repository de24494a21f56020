// The Cloudflare Workers tests: they run INSIDE workerd (the Workers runtime) through
// @cloudflare/vitest-plugin, against the Worker built from infra/wrangler.toml. `npm run test:workers`.
// The main vitest.config.ts excludes test/workers/, whose tests cannot run in Node's pool.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [cloudflareTest({ remoteBindings: false, wrangler: { configPath: './infra/wrangler.toml' } })],
  test: {
    include: ['test/workers/**/*.test.ts'],
    // The first request waits for workerd to load the Worker; generous on a busy 2-core CI machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
