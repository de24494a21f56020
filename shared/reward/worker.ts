// The default pool worker: scores chunks through the registry.
import { scoreItem } from './score.ts';
import { runWorker } from './worker-protocol.ts';

runWorker(scoreItem);
