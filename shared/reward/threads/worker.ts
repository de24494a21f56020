// The default pool worker: scores chunks through the registry.
import { scoreMathItem } from '../score.ts';
import { runWorker } from './protocol.ts';

runWorker(scoreMathItem);
