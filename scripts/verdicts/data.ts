/** Where the shared data lies (../shared/data next to the repo), and the line to print when it does not. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DATA_DIR = new URL('../../../shared/data/', import.meta.url);

export const MISSING_DATA =
  `no ${fileURLToPath(DATA_DIR)}: the labelled data is kept next to the repo (see ../shared/data/README.md); ` +
  'put it there to check verdicts';

export const hasData = () => existsSync(new URL('math/', DATA_DIR)) && existsSync(new URL('code/', DATA_DIR));
