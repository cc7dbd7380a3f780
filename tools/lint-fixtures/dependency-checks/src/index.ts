// Imports zod, which this fixture's package.json does not declare.
import { z } from 'zod';

export const fixtureName = z.string();
