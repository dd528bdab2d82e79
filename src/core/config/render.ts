/** Writing a runtime config back out as YAML (what `profile compile` produces). */
import {Document, isScalar, isSeq, visit} from 'yaml'

import type {RuntimeConfig} from './schema.js'

/**
 * `config` as a YAML document, keys in the order of the raw schema, short lists of scalars on one line
 * (`low: [openai/gpt-5-nano, gemini/gemini-2.5-flash-lite]`). `header` becomes a comment at the top.
 */
export function renderConfigYaml(config: RuntimeConfig, options: {header?: string} = {}): string {
  const ordered = {
    default_model: config.default_model,
    task_routes: config.task_routes,
    fallback_models: config.fallback_models,
    endpoint_models: config.endpoint_models,
    model_aliases: config.model_aliases,
    retry_statuses: config.retry_statuses,
    accounts: config.accounts.map((account) => dropUndefined(account)),
    models: config.models,
  }
  const doc = new Document(dropUndefined(ordered))
  visit(doc, {
    Seq(_, node) {
      if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true
    },
  })
  if (options.header)
    doc.commentBefore = options.header
      .split('\n')
      .map((line) => (line ? ` ${line}` : ''))
      .join('\n')
  return doc.toString({lineWidth: 0, flowCollectionPadding: false})
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
