/** Shared builders and realistic upstream payloads for the adapter tests. */
import OpenAI from 'openai'

import {AccountSchema, type Account} from '../../../src/core/config/schema.js'
import type {Endpoint} from '../../../src/core/routing/schema.js'
import {SseParser} from '../../../src/core/sse.js'
import type {AdapterRequestContext, StreamTranslator} from '../../../src/gateway/adapters/types.js'

/** A validated account (schema defaults applied). */
export function account(fields: Partial<Account> & {base_url: string; provider?: string}): Account {
  return AccountSchema.parse({name: 'acct', provider: 'openai', ...fields})
}

/** A request context for one attempt. */
export function context(options: {
  endpoint?: Endpoint
  path?: string
  body: Record<string, unknown>
  account: Account
  token?: string | null
  accountId?: string
  model?: string
}): AdapterRequestContext {
  const model = options.model ?? (typeof options.body.model === 'string' ? options.body.model : 'model-x')
  const body = {...options.body, model}
  return {
    endpoint: options.endpoint ?? 'chat.completions',
    path: options.path ?? '/chat/completions',
    body,
    bodyJson: () => JSON.stringify(body),
    upstreamModel: model,
    stream: options.body.stream === true,
    account: options.account,
    credential: {token: options.token === undefined ? 'sk-test-secret' : options.token, accountId: options.accountId},
  }
}

/** Feeds text to a translator in pieces of `size` characters (1 = one character at a time) and returns its output. */
export function feed(translator: StreamTranslator, text: string, size = text.length): string {
  let out = ''
  for (let i = 0; i < text.length; i += size) out += translator.push(text.slice(i, i + size))
  return out + translator.end()
}

/** A chat completion stream as OpenAI writes it: `chunks` (each with the stream's head), then `[DONE]` unless cut. */
export function chatStream(
  chunks: Array<Record<string, unknown>>,
  options: {model?: string; done?: boolean} = {},
): string {
  const head = {
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model: options.model ?? 'gpt-5-mini',
  }
  const text = chunks.map((chunk) => `data: ${JSON.stringify({...head, ...chunk})}\n\n`).join('')
  return options.done === false ? text : `${text}data: [DONE]\n\n`
}

/** One chat chunk's choice: its delta and finish reason. */
export function chatDelta(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
  return {choices: [{index: 0, delta, finish_reason: finishReason}]}
}

/** The events of an SSE text, with `data` parsed as JSON where it is JSON. */
export function events(text: string): Array<{event?: string; data: unknown}> {
  const parser = new SseParser()
  return [...parser.push(text), ...parser.end()].map((event) => {
    let data: unknown = event.data
    try {
      data = JSON.parse(event.data)
    } catch {}
    return {event: event.event, data}
  })
}

/** Formats upstream events exactly as Anthropic and OpenAI send them (`event:` line, then `data:`). */
export function sse(list: Array<Record<string, unknown>>): string {
  return list.map((data) => `event: ${String(data.type)}\ndata: ${JSON.stringify(data)}\n\n`).join('')
}

/** The official OpenAI client, answering every request with the given body (our translated output). */
export function openaiClientAnswering(body: string, contentType: string): OpenAI {
  return new OpenAI({
    apiKey: 'sk-client',
    baseURL: 'http://127.0.0.1:9/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, {status: 200, headers: {'content-type': contentType}}),
  })
}

// ---------------------------------------------------------------------------------------------------------------
// Anthropic Messages API, as documented at https://docs.anthropic.com/en/docs/build-with-claude/streaming

/**
 * A call of a tool that takes no arguments, as Anthropic streams it: `input: {}` in the block start, then one empty
 * `partial_json` (https://docs.anthropic.com/en/docs/build-with-claude/streaming).
 */
export const ANTHROPIC_NO_ARGUMENTS_STREAM = sse([
  {
    type: 'message_start',
    message: {
      id: 'msg_0args',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      usage: {input_tokens: 40, output_tokens: 1},
    },
  },
  {
    type: 'content_block_start',
    index: 0,
    content_block: {type: 'tool_use', id: 'toolu_0args', name: 'list_files', input: {}},
  },
  {type: 'ping'},
  {type: 'content_block_delta', index: 0, delta: {type: 'input_json_delta', partial_json: ''}},
  {type: 'content_block_stop', index: 0},
  {type: 'message_delta', delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {output_tokens: 12}},
  {type: 'message_stop'},
])

/** A refusal as Anthropic streams it: the text so far, then `stop_reason: "refusal"` with its `stop_details`. */
export const ANTHROPIC_REFUSAL_STREAM = sse([
  {
    type: 'message_start',
    message: {
      id: 'msg_refused',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      usage: {input_tokens: 30, output_tokens: 1},
    },
  },
  {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}},
  {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Hello..'}},
  {type: 'content_block_stop', index: 0},
  {
    type: 'message_delta',
    delta: {
      stop_reason: 'refusal',
      stop_sequence: null,
      stop_details: {
        type: 'refusal',
        category: 'cyber',
        explanation: 'This request was declined because it could enable cyber harm.',
      },
    },
    usage: {output_tokens: 3},
  },
  {type: 'message_stop'},
])

export const ANTHROPIC_TOOL_STREAM = sse([
  {
    type: 'message_start',
    message: {
      id: 'msg_014p7gG3wDgGV9EUtLvnow3U',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      stop_sequence: null,
      usage: {input_tokens: 472, output_tokens: 2, cache_creation_input_tokens: 0, cache_read_input_tokens: 100},
      content: [],
      stop_reason: null,
    },
  },
  {type: 'content_block_start', index: 0, content_block: {type: 'text', text: ''}},
  {type: 'ping'},
  {type: 'content_block_delta', index: 0, delta: {type: 'text_delta', text: 'Okay'}},
  {
    type: 'content_block_delta',
    index: 0,
    delta: {type: 'text_delta', text: ", let's check the weather for San Francisco, CA:"},
  },
  {type: 'content_block_stop', index: 0},
  {
    type: 'content_block_start',
    index: 1,
    content_block: {type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: {}},
  },
  {type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: ''}},
  {type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: '{"location":'}},
  {type: 'content_block_delta', index: 1, delta: {type: 'input_json_delta', partial_json: ' "San'}},
  {
    type: 'content_block_delta',
    index: 1,
    delta: {type: 'input_json_delta', partial_json: ' Francisco, CA", "unit": "fahrenheit"}'},
  },
  {type: 'content_block_stop', index: 1},
  {type: 'message_delta', delta: {stop_reason: 'tool_use', stop_sequence: null}, usage: {output_tokens: 89}},
  {type: 'message_stop'},
])

export const ANTHROPIC_THINKING_STREAM = sse([
  {
    type: 'message_start',
    message: {
      id: 'msg_01thinking',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {input_tokens: 20, output_tokens: 1},
    },
  },
  {type: 'content_block_start', index: 0, content_block: {type: 'thinking', thinking: '', signature: ''}},
  {type: 'content_block_delta', index: 0, delta: {type: 'thinking_delta', thinking: 'The user wants 27 * 453.'}},
  {
    type: 'content_block_delta',
    index: 0,
    delta: {type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds'},
  },
  {type: 'content_block_stop', index: 0},
  {type: 'content_block_start', index: 1, content_block: {type: 'text', text: ''}},
  {type: 'content_block_delta', index: 1, delta: {type: 'text_delta', text: '27 * 453 = 12,231'}},
  {type: 'content_block_stop', index: 1},
  {type: 'message_delta', delta: {stop_reason: 'end_turn', stop_sequence: null}, usage: {output_tokens: 120}},
  {type: 'message_stop'},
])

// ---------------------------------------------------------------------------------------------------------------
// Responses API stream, as the ChatGPT backend sends it for a Codex model

const RESPONSE_BASE = {
  id: 'resp_68a1c0ffee',
  object: 'response',
  created_at: 1755000000,
  model: 'gpt-5-codex',
  output: [],
  parallel_tool_calls: false,
  store: false,
  tool_choice: 'auto',
  tools: [],
}

export const CODEX_TEXT_STREAM = sse([
  {type: 'response.created', sequence_number: 0, response: {...RESPONSE_BASE, status: 'in_progress', usage: null}},
  {type: 'response.in_progress', sequence_number: 1, response: {...RESPONSE_BASE, status: 'in_progress', usage: null}},
  {
    type: 'response.output_item.added',
    sequence_number: 2,
    output_index: 0,
    item: {id: 'rs_01', type: 'reasoning', summary: []},
  },
  {
    type: 'response.reasoning_summary_part.added',
    sequence_number: 3,
    item_id: 'rs_01',
    output_index: 0,
    summary_index: 0,
    part: {type: 'summary_text', text: ''},
  },
  {
    type: 'response.reasoning_summary_text.delta',
    sequence_number: 4,
    item_id: 'rs_01',
    output_index: 0,
    summary_index: 0,
    delta: '**Greeting**',
  },
  {
    type: 'response.reasoning_summary_text.done',
    sequence_number: 5,
    item_id: 'rs_01',
    output_index: 0,
    summary_index: 0,
    text: '**Greeting**',
  },
  {
    type: 'response.output_item.done',
    sequence_number: 6,
    output_index: 0,
    item: {id: 'rs_01', type: 'reasoning', summary: [{type: 'summary_text', text: '**Greeting**'}]},
  },
  {
    type: 'response.output_item.added',
    sequence_number: 7,
    output_index: 1,
    item: {id: 'msg_01', type: 'message', status: 'in_progress', role: 'assistant', content: []},
  },
  {
    type: 'response.content_part.added',
    sequence_number: 8,
    item_id: 'msg_01',
    output_index: 1,
    content_index: 0,
    part: {type: 'output_text', annotations: [], text: ''},
  },
  {
    type: 'response.output_text.delta',
    sequence_number: 9,
    item_id: 'msg_01',
    output_index: 1,
    content_index: 0,
    delta: 'Hello',
  },
  {
    type: 'response.output_text.delta',
    sequence_number: 10,
    item_id: 'msg_01',
    output_index: 1,
    content_index: 0,
    delta: ' there — ünïcødé 👋',
  },
  {
    type: 'response.output_text.done',
    sequence_number: 11,
    item_id: 'msg_01',
    output_index: 1,
    content_index: 0,
    text: 'Hello there — ünïcødé 👋',
  },
  {
    type: 'response.content_part.done',
    sequence_number: 12,
    item_id: 'msg_01',
    output_index: 1,
    content_index: 0,
    part: {type: 'output_text', annotations: [], text: 'Hello there — ünïcødé 👋'},
  },
  {
    type: 'response.output_item.done',
    sequence_number: 13,
    output_index: 1,
    item: {
      id: 'msg_01',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{type: 'output_text', annotations: [], text: 'Hello there — ünïcødé 👋'}],
    },
  },
  {
    type: 'response.completed',
    sequence_number: 14,
    response: {
      ...RESPONSE_BASE,
      status: 'completed',
      output: [
        {id: 'rs_01', type: 'reasoning', summary: [{type: 'summary_text', text: '**Greeting**'}]},
        {
          id: 'msg_01',
          type: 'message',
          status: 'completed',
          role: 'assistant',
          content: [{type: 'output_text', annotations: [], text: 'Hello there — ünïcødé 👋'}],
        },
      ],
      usage: {
        input_tokens: 36,
        input_tokens_details: {cached_tokens: 12},
        output_tokens: 87,
        output_tokens_details: {reasoning_tokens: 64},
        total_tokens: 123,
      },
    },
  },
])

export const CODEX_TOOL_STREAM = sse([
  {type: 'response.created', sequence_number: 0, response: {...RESPONSE_BASE, status: 'in_progress', usage: null}},
  {
    type: 'response.output_item.added',
    sequence_number: 1,
    output_index: 0,
    item: {
      id: 'fc_01',
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_AbC123',
      name: 'get_weather',
    },
  },
  {
    type: 'response.function_call_arguments.delta',
    sequence_number: 2,
    item_id: 'fc_01',
    output_index: 0,
    delta: '{"location":',
  },
  {
    type: 'response.function_call_arguments.delta',
    sequence_number: 3,
    item_id: 'fc_01',
    output_index: 0,
    delta: '"Paris"}',
  },
  {
    type: 'response.function_call_arguments.done',
    sequence_number: 4,
    item_id: 'fc_01',
    output_index: 0,
    arguments: '{"location":"Paris"}',
  },
  {
    type: 'response.output_item.done',
    sequence_number: 5,
    output_index: 0,
    item: {
      id: 'fc_01',
      type: 'function_call',
      status: 'completed',
      arguments: '{"location":"Paris"}',
      call_id: 'call_AbC123',
      name: 'get_weather',
    },
  },
  {
    type: 'response.output_item.added',
    sequence_number: 6,
    output_index: 1,
    item: {
      id: 'fc_02',
      type: 'function_call',
      status: 'in_progress',
      arguments: '',
      call_id: 'call_DeF456',
      name: 'get_time',
    },
  },
  {
    type: 'response.function_call_arguments.delta',
    sequence_number: 7,
    item_id: 'fc_02',
    output_index: 1,
    delta: '{"tz":"CET"}',
  },
  {
    type: 'response.function_call_arguments.done',
    sequence_number: 8,
    item_id: 'fc_02',
    output_index: 1,
    arguments: '{"tz":"CET"}',
  },
  {
    type: 'response.output_item.done',
    sequence_number: 9,
    output_index: 1,
    item: {
      id: 'fc_02',
      type: 'function_call',
      status: 'completed',
      arguments: '{"tz":"CET"}',
      call_id: 'call_DeF456',
      name: 'get_time',
    },
  },
  {
    type: 'response.completed',
    sequence_number: 10,
    response: {
      ...RESPONSE_BASE,
      status: 'completed',
      output: [
        {
          id: 'fc_01',
          type: 'function_call',
          status: 'completed',
          arguments: '{"location":"Paris"}',
          call_id: 'call_AbC123',
          name: 'get_weather',
        },
        {
          id: 'fc_02',
          type: 'function_call',
          status: 'completed',
          arguments: '{"tz":"CET"}',
          call_id: 'call_DeF456',
          name: 'get_time',
        },
      ],
      usage: {
        input_tokens: 80,
        input_tokens_details: {cached_tokens: 0},
        output_tokens: 30,
        output_tokens_details: {reasoning_tokens: 0},
        total_tokens: 110,
      },
    },
  },
])

/** A stream that starts well and then fails (what the backend sends when the model errors mid-answer). */
export const CODEX_FAILED_STREAM = sse([
  {type: 'response.created', sequence_number: 0, response: {...RESPONSE_BASE, status: 'in_progress'}},
  {
    type: 'response.output_text.delta',
    sequence_number: 1,
    item_id: 'msg_01',
    output_index: 0,
    content_index: 0,
    delta: 'Partial',
  },
  {
    type: 'response.failed',
    sequence_number: 2,
    response: {
      ...RESPONSE_BASE,
      status: 'failed',
      error: {code: 'server_error', message: 'The model produced invalid content.'},
    },
  },
])

/** The backend's `error` event (e.g. the plan's rate limit hit while streaming). */
export const CODEX_ERROR_EVENT_STREAM = sse([
  {type: 'response.created', sequence_number: 0, response: {...RESPONSE_BASE, status: 'in_progress'}},
  {
    type: 'error',
    sequence_number: 1,
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for gpt-5-codex.',
    param: null,
  },
])

export const CODEX_INCOMPLETE_STREAM = sse([
  {type: 'response.created', sequence_number: 0, response: {...RESPONSE_BASE, status: 'in_progress'}},
  {
    type: 'response.output_text.delta',
    sequence_number: 1,
    item_id: 'msg_01',
    output_index: 0,
    content_index: 0,
    delta: 'A long ans',
  },
  {
    type: 'response.incomplete',
    sequence_number: 2,
    response: {
      ...RESPONSE_BASE,
      status: 'incomplete',
      incomplete_details: {reason: 'max_output_tokens'},
      usage: {input_tokens: 5, output_tokens: 4, total_tokens: 9},
    },
  },
])
