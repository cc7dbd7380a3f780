import { FLOCK_SEARCH_ATTRIBUTE_TYPES } from '@flock-ts/contracts';
import { FLOCK_DEV_SEARCH_ATTRIBUTES } from './flock-search-attributes';

describe('FLOCK_DEV_SEARCH_ATTRIBUTES', () => {
  it('is exactly the set of search attributes the contracts define', () => {
    expect(FLOCK_DEV_SEARCH_ATTRIBUTES).toEqual(FLOCK_SEARCH_ATTRIBUTE_TYPES);
  });
});
