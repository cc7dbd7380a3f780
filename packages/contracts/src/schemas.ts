/**
 * zod schemas of the workflow contracts' wire shapes, for clients, tools
 * and tests. Apart from the main entry so that workflow code never
 * evaluates them: the Temporal sandbox would rebuild them for each workflow.
 */
export * from './lib/wire-schemas';
