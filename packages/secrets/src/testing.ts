/** Test aids: fake credentials of every detected shape, built at run time so no scanner flags this repository. */
export * from './lib/fake-secrets.fixture';
