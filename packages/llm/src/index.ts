export * from './lib/errors';
export * from './lib/resolve-model';
export * from './lib/classify-error';
export * from './lib/usage';
export * from './lib/model-evaluator';
export * from './lib/llm-router';
