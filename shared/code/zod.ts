/**
 * zod with `.openapi()`: the same extension of the same zod that @hono/zod-openapi applies, so the test
 * formats and code options document themselves on the wire while shared/code stays free of the HTTP framework.
 */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
