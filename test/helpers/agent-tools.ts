/** Tool lists that real coding agents send, for routing tests. */

/**
 * Codex CLI's tool list on a Responses request (its multi-agent tools come as a `namespace`, with the hosted web
 * search beside them; https://developers.openai.com/api/docs/guides/tools-tool-search).
 */
export const CODEX_TOOLS: Array<Record<string, unknown>> = [
  {
    type: 'function',
    name: 'shell',
    description: 'Runs a shell command',
    parameters: {type: 'object', properties: {command: {type: 'array', items: {type: 'string'}}}},
  },
  {
    type: 'custom',
    name: 'apply_patch',
    description: 'Edits files',
    format: {type: 'grammar', syntax: 'lark', definition: 'start: /.+/'},
  },
  {
    type: 'namespace',
    name: 'agents',
    description: 'Sub-agents',
    tools: [{type: 'function', name: 'spawn_agent', parameters: {type: 'object', properties: {}}}],
  },
  {type: 'web_search', external_web_access: false},
]
