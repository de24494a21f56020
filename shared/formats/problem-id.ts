import { z } from 'zod';

/** A problem id as every pipeline file spells it: strings as they are, integers as their digits. */
export const ProblemId = z.union([z.string().min(1), z.number().int()]).transform(String);
