// The `gradus` command as a program: what functions/cli/launch.mjs runs, and the npm package's entry.
import { main } from './gradus.ts';

main().catch((err: unknown) => {
  console.error(`gradus: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
