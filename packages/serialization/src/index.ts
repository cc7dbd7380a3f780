export * from './lib/errors';
export * from './lib/superjson';
export { assertSerializable } from './lib/serializable';
export * from './lib/secret-detection';
export * from './lib/strip-secrets';
export * from './lib/definition';
export * from './lib/memo';
export { CodecEncodedPayloadConverter, SUPERJSON_META_KEY, SuperJsonPayloadConverter, payloadConverter } from './lib/payload-converter';
export * from './lib/payload-size';
