export * from './lib/errors';
export * from './lib/resolve-model';
export * from './lib/classify-error';
export * from './lib/usage';
export * from './lib/model-evaluator';
export * from './lib/llm-router';
export * from './lib/fake-model';
export * from './lib/openai-stand-in';
