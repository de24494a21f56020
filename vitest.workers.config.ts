// The Cloudflare Workers tests: they run INSIDE workerd (the Workers runtime) through
// @cloudflare/vitest-plugin, against the Worker built from infra/wrangler.toml. `npm run test:workers`.
// The main vitest.config.ts excludes test/workers/, whose tests cannot run in Node's pool.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [cloudflareTest({ remoteBindings: false, wrangler: { configPath: './infra/wrangler.toml' } })],
  test: {
    include: ['test/workers/**/*.test.ts'],
  },
});
