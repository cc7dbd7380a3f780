import { join } from 'node:path';

/**
 * Absolute path of the small corpus shipped with this package (a few short
 * `.txt` files). Sources live in `src/lib`, the build in `dist/lib`: both
 * two levels below the package root, beside `corpus/`.
 */
export const exampleCorpusPath: string = join(__dirname, '..', '..', 'corpus');
