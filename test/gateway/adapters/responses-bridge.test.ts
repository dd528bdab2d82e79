import {describe, expect, it} from 'vitest'

import {ADAPTER_ENDPOINTS} from '../../../src/core/routing/endpoints.js'
import {EndpointSchema} from '../../../src/core/routing/schema.js'
import {anthropicAdapter} from '../../../src/gateway/adapters/anthropic/index.js'
import {ADAPTERS} from '../../../src/gateway/adapters/index.js'
import {
  ChatToResponsesStream,
  responseFromChat,
  responsesToChatBody,
} from '../../../src/gateway/adapters/responses-bridge.js'
import {AdapterError} from '../../../src/gateway/adapters/types.js'
import {
  account,
  ANTHROPIC_NO_ARGUMENTS_STREAM,
  ANTHROPIC_REFUSAL_STREAM,
  ANTHROPIC_TOOL_STREAM,
  chatDelta,
  chatStream as chatStreamOf,
  context,
  events,
  feed,
  openaiClientAnswering,
} from './fixtures.js'

const chatStream = (chunks: Array<Record<string, unknown>>, done = true) =>
  chatStreamOf(chunks, {model: 'gemini-2.5-flash', done})
const delta = chatDelta

const TEXT_STREAM = chatStream([
  delta({role: 'assistant', content: ''}),
  delta({content: 'Hello'}),
  delta({content: ', world'}),
  delta({}, 'stop'),
  {choices: [], usage: {prompt_tokens: 12, completion_tokens: 3, total_tokens: 15}},
])

const TOOL_STREAM = chatStream([
  delta({role: 'assistant', content: 'Checking.'}),
  delta({tool_calls: [{index: 0, id: 'call_a', type: 'function', function: {name: 'get_weather', arguments: ''}}]}),
  delta({tool_calls: [{index: 0, function: {arguments: '{"city":'}}]}),
  delta({tool_calls: [{index: 0, function: {arguments: '"Paris"}'}}]}),
  delta({tool_calls: [{index: 1, id: 'call_b', type: 'function', function: {name: 'get_time', arguments: '{}'}}]}),
  delta({}, 'tool_calls'),
])

type Event = {event?: string; data: Record<string, any>}

function translate(request: Record<string, unknown>, text: string, size?: number): Event[] {
  return events(feed(new ChatToResponsesStream(request), text, size)) as Event[]
}

describe('Responses over chat completions: the request', () => {
  it('turns instructions and a string input into a system and a user message, and maps the options', () => {
    const chat = responsesToChatBody(
      {
        model: 'claude-haiku-4-5',
        instructions: 'Be terse.',
        input: 'Hi',
        max_output_tokens: 300,
        temperature: 0.2,
        top_p: 0.9,
        user: 'u-1',
        reasoning: {effort: 'high', summary: 'auto'},
        text: {format: {type: 'json_schema', name: 'answer', schema: {type: 'object'}, strict: true}},
        store: true,
        metadata: {a: '1'},
        include: ['reasoning.encrypted_content'],
      },
      false,
    )
    expect(chat).toEqual({
      model: 'claude-haiku-4-5',
      messages: [
        {role: 'system', content: 'Be terse.'},
        {role: 'user', content: 'Hi'},
      ],
      max_tokens: 300,
      temperature: 0.2,
      top_p: 0.9,
      user: 'u-1',
      reasoning_effort: 'high',
      response_format: {type: 'json_schema', json_schema: {name: 'answer', schema: {type: 'object'}, strict: true}},
    })
  })

  it('translates a tool-using conversation: parts, images, grouped function calls and their outputs', () => {
    const chat = responsesToChatBody(
      {
        model: 'm',
        input: [
          {role: 'developer', content: 'Use the tools.'},
          {
            type: 'message',
            role: 'user',
            content: [
              {type: 'input_text', text: 'Weather and time in Paris? '},
              {type: 'input_image', image_url: 'data:image/png;base64,AAAA', detail: 'low'},
            ],
          },
          {type: 'reasoning', id: 'rs_1', summary: []},
          {type: 'function_call', call_id: 'call_a', name: 'get_weather', arguments: '{"city":"Paris"}'},
          {type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}'},
          {type: 'function_call_output', call_id: 'call_a', output: '18°C'},
          {type: 'function_call_output', call_id: 'call_b', output: [{type: 'input_text', text: '14:00'}]},
          {role: 'assistant', content: [{type: 'output_text', text: 'It is 18°C at 14:00.'}]},
        ],
        tools: [
          {type: 'function', name: 'get_weather', description: 'Weather', parameters: {type: 'object'}, strict: false},
        ],
        tool_choice: {type: 'function', name: 'get_weather'},
        parallel_tool_calls: false,
      },
      true,
    )
    expect(chat.messages).toEqual([
      {role: 'system', content: 'Use the tools.'},
      {
        role: 'user',
        content: [
          {type: 'text', text: 'Weather and time in Paris? '},
          {type: 'image_url', image_url: {url: 'data:image/png;base64,AAAA', detail: 'low'}},
        ],
      },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {id: 'call_a', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
          {id: 'call_b', type: 'function', function: {name: 'get_time', arguments: '{}'}},
        ],
      },
      {role: 'tool', tool_call_id: 'call_a', content: '18°C'},
      {role: 'tool', tool_call_id: 'call_b', content: '14:00'},
      {role: 'assistant', content: 'It is 18°C at 14:00.'},
    ])
    expect(chat.tools).toEqual([
      {
        type: 'function',
        function: {name: 'get_weather', description: 'Weather', parameters: {type: 'object'}, strict: false},
      },
    ])
    expect(chat.tool_choice).toEqual({type: 'function', function: {name: 'get_weather'}})
    expect(chat.parallel_tool_calls).toBe(false)
    expect(chat).toMatchObject({stream: true, stream_options: {include_usage: true}})
  })

  it("sends a custom (free-form) tool such as Codex CLI's apply_patch as a function with one string argument", () => {
    const chat = responsesToChatBody(
      {
        model: 'm',
        input: [
          {role: 'user', content: 'Fix the typo.'},
          {type: 'custom_tool_call', call_id: 'call_p', name: 'apply_patch', input: '*** Begin Patch\n*** End Patch'},
          {type: 'custom_tool_call_output', call_id: 'call_p', output: 'Done!'},
        ],
        tools: [
          {
            type: 'custom',
            name: 'apply_patch',
            description: 'Edit files.',
            format: {type: 'grammar', syntax: 'lark', definition: 'start: "*** Begin Patch"'},
          },
        ],
        tool_choice: {type: 'custom', name: 'apply_patch'},
      },
      false,
    )
    expect(chat.tools).toEqual([
      {
        type: 'function',
        function: {
          name: 'apply_patch',
          description: 'Edit files.',
          parameters: {
            type: 'object',
            properties: {
              input: {
                type: 'string',
                description: 'The input, as text that follows this lark grammar:\nstart: "*** Begin Patch"',
              },
            },
            required: ['input'],
            additionalProperties: false,
          },
        },
      },
    ])
    expect(chat.tool_choice).toEqual({type: 'function', function: {name: 'apply_patch'}})
    expect(chat.messages).toEqual([
      {role: 'user', content: 'Fix the typo.'},
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          {
            id: 'call_p',
            type: 'function',
            function: {name: 'apply_patch', arguments: '{"input":"*** Begin Patch\\n*** End Patch"}'},
          },
        ],
      },
      {role: 'tool', tool_call_id: 'call_p', content: 'Done!'},
    ])
  })

  it("offers the functions of a namespace (Codex CLI's sub-agent tools) by their own names, and sends their calls back", () => {
    const namespace = {
      type: 'namespace',
      name: 'multi_agent_v1',
      description: 'Sub-agents.',
      tools: [
        {
          type: 'function',
          name: 'spawn_agent',
          description: 'Start one.',
          strict: false,
          parameters: {type: 'object', properties: {task: {type: 'string'}}},
        },
        {type: 'function', name: 'close_agent', parameters: {type: 'object', properties: {}}},
      ],
    }
    const chat: Record<string, any> = responsesToChatBody(
      {
        model: 'm',
        tools: [{type: 'function', name: 'exec_command', parameters: {type: 'object', properties: {}}}, namespace],
        input: [
          {role: 'user', content: 'Delegate.'},
          {
            type: 'function_call',
            call_id: 'call_s',
            name: 'spawn_agent',
            namespace: 'multi_agent_v1',
            arguments: '{"task":"t"}',
          },
          {type: 'function_call_output', call_id: 'call_s', output: 'agent-1'},
        ],
      },
      false,
    )
    expect(chat.tools.map((tool: any) => tool.function.name)).toEqual(['exec_command', 'spawn_agent', 'close_agent'])
    expect(chat.tools[1].function).toEqual({
      name: 'spawn_agent',
      description: 'Start one.',
      strict: false,
      parameters: namespace.tools[0].parameters,
    })
    expect(chat.messages[1].tool_calls[0].function).toEqual({name: 'spawn_agent', arguments: '{"task":"t"}'})
    // The answer's call of a namespaced function goes back with its namespace.
    const request = {model: 'm', input: 'x', tools: [namespace]}
    const response = responseFromChat(
      {
        model: 'm',
        choices: [
          {
            message: {tool_calls: [{id: 'c1', function: {name: 'close_agent', arguments: '{}'}}]},
            finish_reason: 'tool_calls',
          },
        ],
      },
      request,
    )
    expect(response.output).toEqual([
      {
        id: expect.stringMatching(/^fc_/),
        type: 'function_call',
        status: 'completed',
        call_id: 'c1',
        name: 'close_agent',
        namespace: 'multi_agent_v1',
        arguments: '{}',
      },
    ])
  })

  it('qualifies namespaced functions that share a name, and still refuses a tool that OpenAI runs', () => {
    const tools = [
      {type: 'function', name: 'search', parameters: {type: 'object'}},
      {
        type: 'namespace',
        name: 'docs',
        description: '',
        tools: [{type: 'function', name: 'search', parameters: {type: 'object'}}],
      },
    ]
    const chat: Record<string, any> = responsesToChatBody(
      {
        model: 'm',
        input: [
          {type: 'function_call', call_id: 'c', name: 'search', namespace: 'docs', arguments: '{}'},
          {type: 'function_call_output', call_id: 'c', output: ''},
        ],
        tools,
      },
      false,
    )
    expect(chat.tools.map((tool: any) => tool.function.name)).toEqual(['search', 'docs__search'])
    expect(chat.messages[0].tool_calls[0].function.name).toBe('docs__search')
    const answer: Record<string, any> = responseFromChat(
      {
        choices: [
          {
            message: {tool_calls: [{id: 'c2', function: {name: 'docs__search', arguments: '{}'}}]},
            finish_reason: 'tool_calls',
          },
        ],
      },
      {tools},
    )
    expect(answer.output[0]).toMatchObject({name: 'search', namespace: 'docs'})
    expect(() => responsesToChatBody({model: 'm', input: 'x', tools: [{type: 'web_search'}]}, false)).toThrow(
      /"web_search" tool is hosted by OpenAI/,
    )
  })

  it('keeps a turn that says something and calls tools as one assistant message, whatever reasoning lies between', () => {
    const chat = responsesToChatBody(
      {
        model: 'm',
        input: [
          {role: 'user', content: 'List the files, then read the README.'},
          {type: 'reasoning', id: 'rs_1', summary: [], encrypted_content: 'gAAA'},
          {type: 'message', role: 'assistant', content: [{type: 'output_text', text: 'Looking.'}]},
          {type: 'function_call', call_id: 'c1', name: 'shell', arguments: '{"command":["ls"]}'},
          {type: 'reasoning', id: 'rs_2', summary: []},
          {type: 'function_call', call_id: 'c2', name: 'shell', arguments: '{"command":["cat","README.md"]}'},
          {type: 'function_call_output', call_id: 'c1', output: 'README.md'},
          {type: 'function_call_output', call_id: 'c2', output: '# Hello'},
        ],
      },
      false,
    )
    expect(chat.messages).toEqual([
      {role: 'user', content: 'List the files, then read the README.'},
      {
        role: 'assistant',
        content: 'Looking.',
        tool_calls: [
          {id: 'c1', type: 'function', function: {name: 'shell', arguments: '{"command":["ls"]}'}},
          {id: 'c2', type: 'function', function: {name: 'shell', arguments: '{"command":["cat","README.md"]}'}},
        ],
      },
      {role: 'tool', tool_call_id: 'c1', content: 'README.md'},
      {role: 'tool', tool_call_id: 'c2', content: '# Hello'},
    ])
  })

  it.each([
    [{previous_response_id: 'resp_1'}, 'previous_response_id'],
    [{conversation: 'conv_1'}, 'conversation'],
    [{prompt: {id: 'pmpt_1'}}, 'prompt'],
    [{background: true}, 'background'],
    [{tools: [{type: 'web_search'}]}, 'the "web_search" tool is hosted by OpenAI'],
    [{tool_choice: {type: 'file_search'}, tools: [{type: 'function', name: 'f'}]}, 'tool_choice'],
    [{input: [{type: 'item_reference', id: 'msg_1'}]}, 'item_reference'],
    [{input: [{role: 'user', content: [{type: 'input_file', file_id: 'file-1'}]}]}, '"input_file"'],
    [{input: [{role: 'user', content: [{type: 'input_image', file_id: 'file-1'}]}]}, 'file_id'],
    [{input: [{type: 'web_search_call', id: 'ws_1'}]}, '"web_search_call"'],
  ])('refuses what needs OpenAI state or hosted tools: %j', (fields, named) => {
    let error: unknown
    try {
      responsesToChatBody({model: 'm', input: 'Hi', ...fields}, false)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(AdapterError)
    expect(error).toMatchObject({status: 400, type: 'invalid_request_error', code: 'unsupported_parameter'})
    expect((error as Error).message).toContain(named)
    expect((error as Error).message).toContain('chat completion')
  })
})

describe('Responses over chat completions: the answer', () => {
  it('turns a completion with reasoning, text and tool calls into output items, with usage', () => {
    const response = responseFromChat(
      {
        id: 'chatcmpl-1',
        created: 1_700_000_000,
        model: 'claude-haiku-4-5',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: 'Checking.',
              reasoning_content: 'The user wants the weather.',
              tool_calls: [
                {id: 'call_a', type: 'function', function: {name: 'get_weather', arguments: '{"city":"Paris"}'}},
              ],
            },
          },
        ],
        usage: {prompt_tokens: 20, completion_tokens: 7, total_tokens: 27, prompt_tokens_details: {cached_tokens: 4}},
      },
      {model: 'auto', input: 'Weather?', instructions: 'Be terse.', tools: [{type: 'function', name: 'get_weather'}]},
    )
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      created_at: 1_700_000_000,
      model: 'claude-haiku-4-5',
      instructions: 'Be terse.',
      incomplete_details: null,
      error: null,
      tools: [{type: 'function', name: 'get_weather'}],
      usage: {
        input_tokens: 20,
        input_tokens_details: {cached_tokens: 4},
        output_tokens: 7,
        output_tokens_details: {reasoning_tokens: 0},
        total_tokens: 27,
      },
    })
    expect(response.id).toMatch(/^resp_[0-9a-f]{24}$/)
    expect(response.output).toMatchObject([
      {type: 'reasoning', summary: [{type: 'summary_text', text: 'The user wants the weather.'}]},
      {
        type: 'message',
        role: 'assistant',
        status: 'completed',
        content: [{type: 'output_text', text: 'Checking.', annotations: []}],
      },
      {
        type: 'function_call',
        status: 'completed',
        call_id: 'call_a',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
      },
    ])
  })

  it('answers a call of a custom tool as a custom_tool_call item with its free-form input', () => {
    const request = {
      input: 'x',
      tools: [
        {type: 'custom', name: 'apply_patch'},
        {type: 'function', name: 'shell'},
      ],
    }
    const response = responseFromChat(
      {
        choices: [
          {
            finish_reason: 'tool_calls',
            message: {
              content: null,
              tool_calls: [
                {id: 'c1', function: {name: 'apply_patch', arguments: '{"input":"*** Begin Patch"}'}},
                {id: 'c2', function: {name: 'shell', arguments: '{"command":["ls"]}'}},
              ],
            },
          },
        ],
      },
      request,
    )
    expect(response.output).toMatchObject([
      {type: 'custom_tool_call', call_id: 'c1', name: 'apply_patch', input: '*** Begin Patch', status: 'completed'},
      {type: 'function_call', call_id: 'c2', name: 'shell', arguments: '{"command":["ls"]}'},
    ])
    expect((response.output as Array<{id: string}>)[0].id).toMatch(/^ctc_/)
  })

  it('reports a cut answer as incomplete, as OpenAI does', () => {
    const response = responseFromChat(
      {choices: [{message: {content: 'A long'}, finish_reason: 'length'}]},
      {input: 'x'},
    )
    expect(response).toMatchObject({status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}})
  })

  it('refuses an answer that is not a chat completion', () => {
    expect(() => responseFromChat({object: 'list'}, {input: 'x'})).toThrow(AdapterError)
  })

  it('is what the official client reads: output_text and the function call', async () => {
    const body = JSON.stringify(
      responseFromChat(
        {
          model: 'm',
          choices: [
            {
              message: {content: 'Hello there', tool_calls: [{id: 'c1', function: {name: 'f', arguments: '{}'}}]},
              finish_reason: 'tool_calls',
            },
          ],
        },
        {input: 'x'},
      ),
    )
    const response = await openaiClientAnswering(body, 'application/json').responses.create({model: 'm', input: 'x'})
    expect(response.output_text).toBe('Hello there')
    expect(response.output.find((item) => item.type === 'function_call')).toMatchObject({call_id: 'c1', name: 'f'})
  })
})

describe('Responses over chat completions: the stream', () => {
  it('writes the event sequence OpenAI writes for a text answer, numbered, ending with the whole response', () => {
    const out = translate({model: 'auto', input: 'Hi', instructions: 'Be terse.'}, TEXT_STREAM)
    expect(out.map((e) => e.event)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ])
    expect(out.map((e) => e.data.sequence_number)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    for (const e of out) expect(e.data.type).toBe(e.event)
    expect(out[0].data.response).toMatchObject({
      status: 'in_progress',
      output: [],
      model: 'gemini-2.5-flash',
      instructions: 'Be terse.',
    })
    expect(out[4].data).toMatchObject({output_index: 0, content_index: 0, delta: 'Hello'})
    expect(out[6].data.text).toBe('Hello, world')
    const final = out.at(-1)!.data.response
    expect(final).toMatchObject({
      status: 'completed',
      output: [{type: 'message', status: 'completed', content: [{type: 'output_text', text: 'Hello, world'}]}],
      usage: {input_tokens: 12, output_tokens: 3, total_tokens: 15},
    })
    expect(final.id).toBe(out[0].data.response.id)
    expect(final.output[0].id).toBe(out[2].data.item.id)
  })

  it('streams function calls as their own items with argument deltas, after the text', () => {
    const out = translate({model: 'auto', input: 'Weather?'}, TOOL_STREAM)
    const types = out.map((e) => e.event)
    expect(types.filter((t) => t === 'response.output_item.added')).toHaveLength(3)
    const args = out.filter((e) => e.event === 'response.function_call_arguments.delta').map((e) => e.data.delta)
    expect(args).toEqual(['{"city":', '"Paris"}', '{}'])
    const done = out.filter((e) => e.event === 'response.function_call_arguments.done').map((e) => e.data.arguments)
    expect(done).toEqual(['{"city":"Paris"}', '{}'])
    const final = out.at(-1)!
    expect(final.event).toBe('response.completed')
    expect(final.data.response.output).toMatchObject([
      {type: 'message', content: [{text: 'Checking.'}]},
      {
        type: 'function_call',
        call_id: 'call_a',
        name: 'get_weather',
        arguments: '{"city":"Paris"}',
        status: 'completed',
      },
      {type: 'function_call', call_id: 'call_b', name: 'get_time', arguments: '{}', status: 'completed'},
    ])
  })

  it('streams a custom tool call as one input when the call ends, never as JSON argument fragments', () => {
    const stream = chatStream([
      delta({
        tool_calls: [{index: 0, id: 'call_p', type: 'function', function: {name: 'apply_patch', arguments: '{"inp'}}],
      }),
      delta({tool_calls: [{index: 0, function: {arguments: 'ut":"*** Begin Patch\\n*** End Patch"}'}}]}),
      delta({}, 'tool_calls'),
    ])
    const out = translate({input: 'x', tools: [{type: 'custom', name: 'apply_patch'}]}, stream, 5)
    expect(out.some((e) => e.event === 'response.function_call_arguments.delta')).toBe(false)
    expect(out.find((e) => e.event === 'response.output_item.added')!.data.item).toMatchObject({
      type: 'custom_tool_call',
      name: 'apply_patch',
      input: '',
    })
    expect(out.find((e) => e.event === 'response.custom_tool_call_input.delta')!.data.delta).toBe(
      '*** Begin Patch\n*** End Patch',
    )
    expect(out.find((e) => e.event === 'response.custom_tool_call_input.done')!.data.input).toBe(
      '*** Begin Patch\n*** End Patch',
    )
    expect(out.at(-1)!.data.response.output).toMatchObject([
      {type: 'custom_tool_call', call_id: 'call_p', input: '*** Begin Patch\n*** End Patch'},
    ])
  })

  it('gives the same events whatever the chunking, with CRLF too', () => {
    const shape = (list: Event[]) => list.map((e) => [e.event, e.data.delta ?? e.data.text ?? e.data.arguments ?? null])
    const whole = shape(translate({input: 'x'}, TOOL_STREAM))
    expect(shape(translate({input: 'x'}, TOOL_STREAM, 1))).toEqual(whole)
    expect(shape(translate({input: 'x'}, TOOL_STREAM.replaceAll('\n', '\r\n'), 7))).toEqual(whole)
  })

  it('streams reasoning as a reasoning summary item before the answer', () => {
    const out = translate(
      {input: 'x'},
      chatStream([
        delta({reasoning_content: 'Think'}),
        delta({reasoning_content: 'ing.'}),
        delta({content: 'Done.'}),
        delta({}, 'stop'),
      ]),
    )
    expect(out.filter((e) => e.event === 'response.reasoning_summary_text.delta').map((e) => e.data.delta)).toEqual([
      'Think',
      'ing.',
    ])
    expect(out.at(-1)!.data.response.output).toMatchObject([
      {type: 'reasoning', summary: [{type: 'summary_text', text: 'Thinking.'}]},
      {type: 'message', content: [{text: 'Done.'}]},
    ])
  })

  it('ends a cut answer with response.incomplete', () => {
    const out = translate({input: 'x'}, chatStream([delta({content: 'A long'}), delta({}, 'length')]))
    expect(out.at(-1)).toMatchObject({
      event: 'response.incomplete',
      data: {response: {status: 'incomplete', incomplete_details: {reason: 'max_output_tokens'}}},
    })
  })

  it('never completes a stream that ended before its finish reason, and raises an error event from the upstream', () => {
    const cut = new ChatToResponsesStream({input: 'x'})
    cut.push(chatStream([delta({content: 'Half an'})], false))
    expect(() => cut.end()).toThrow(/ended before the answer was complete/)
    const failing = new ChatToResponsesStream({input: 'x'})
    expect(() => failing.push('data: {"error":{"message":"overloaded","code":"overloaded_error"}}\n\n')).toThrow(
      AdapterError,
    )
  })

  it('is what the official client reads, event by event and as the final response', async () => {
    const text = feed(new ChatToResponsesStream({model: 'm', input: 'x'}), TOOL_STREAM)
    const stream = await openaiClientAnswering(text, 'text/event-stream').responses.create({
      model: 'm',
      input: 'x',
      stream: true,
    })
    const seen: string[] = []
    for await (const event of stream) seen.push(event.type)
    expect(seen.at(-1)).toBe('response.completed')
    const helper = openaiClientAnswering(text, 'text/event-stream').responses.stream({model: 'm', input: 'x'})
    const final = await helper.finalResponse()
    expect(final.output_text).toBe('Checking.')
    expect(final.output.filter((item) => item.type === 'function_call')).toHaveLength(2)
  })
})

describe('Responses over chat completions: the adapters', () => {
  const ctx = (stream: boolean) =>
    context({
      endpoint: 'responses',
      path: '/responses',
      body: {
        model: 'claude-sonnet-4-20250514',
        instructions: 'Be terse.',
        input: 'Weather in SF?',
        stream,
        max_output_tokens: 256,
      },
      account: account({provider: 'anthropic', base_url: 'https://api.anthropic.com/v1'}),
      model: 'claude-sonnet-4-20250514',
    })

  it('serves exactly the endpoints that routing believes each protocol serves', () => {
    for (const [kind, adapter] of Object.entries(ADAPTERS)) {
      for (const endpoint of EndpointSchema.options) {
        expect([kind, endpoint, adapter.supports(endpoint)]).toEqual([
          kind,
          endpoint,
          ADAPTER_ENDPOINTS[kind as keyof typeof ADAPTERS].has(endpoint),
        ])
      }
    }
  })

  it("sends a Responses request to Anthropic's Messages API and answers a Response", () => {
    const adapter = ADAPTERS.anthropic
    const request = adapter.buildRequest(ctx(false))
    expect(request.url).toBe('https://api.anthropic.com/v1/messages')
    expect(JSON.parse(String(request.body))).toMatchObject({
      model: 'claude-sonnet-4-20250514',
      system: [{type: 'text', text: 'Be terse.'}],
      messages: [{role: 'user', content: [{type: 'text', text: 'Weather in SF?'}]}],
      max_tokens: 256,
    })
    const message = {
      id: 'msg_1',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-20250514',
      content: [{type: 'text', text: 'Sunny.'}],
      stop_reason: 'end_turn',
      usage: {input_tokens: 9, output_tokens: 2},
    }
    const translated = adapter.translateResponse!(200, JSON.stringify(message), ctx(false))!
    expect(translated.body).toMatchObject({
      object: 'response',
      status: 'completed',
      output: [{type: 'message', content: [{text: 'Sunny.'}]}],
      usage: {input_tokens: 9, output_tokens: 2},
    })
    // Chat completions through the same adapter are unchanged.
    const chatCtx = context({
      body: {model: 'claude-sonnet-4-20250514', messages: [{role: 'user', content: 'Hi'}]},
      account: account({provider: 'anthropic', base_url: 'https://api.anthropic.com/v1'}),
    })
    expect(adapter.translateResponse!(200, JSON.stringify(message), chatCtx)).toEqual(
      anthropicAdapter.translateResponse(200, JSON.stringify(message), chatCtx),
    )
  })

  it("streams Anthropic's events to a Responses client through the chat translation", () => {
    const out = events(
      feed(ADAPTERS.anthropic.createStreamTranslator!(ctx(true))!, ANTHROPIC_TOOL_STREAM, 9),
    ) as Event[]
    expect(out[0].event).toBe('response.created')
    expect(out.at(-1)!.event).toBe('response.completed')
    expect(out.at(-1)!.data.response.output.some((item: {type: string}) => item.type === 'function_call')).toBe(true)
  })

  it('gives a call without arguments from an Anthropic stream "{}" arguments, as OpenAI does', () => {
    const out = events(
      feed(ADAPTERS.anthropic.createStreamTranslator!(ctx(true))!, ANTHROPIC_NO_ARGUMENTS_STREAM, 6),
    ) as Event[]
    expect(
      out.filter((event) => event.event === 'response.function_call_arguments.delta').map((event) => event.data.delta),
    ).toEqual(['{}'])
    expect(out.find((event) => event.event === 'response.function_call_arguments.done')!.data.arguments).toBe('{}')
    expect(out.at(-1)!.data.response.output).toEqual([
      expect.objectContaining({type: 'function_call', name: 'list_files', arguments: '{}'}),
    ])
  })

  it('answers an Anthropic refusal with a refusal part that keeps its explanation', () => {
    const out = events(
      feed(ADAPTERS.anthropic.createStreamTranslator!(ctx(true))!, ANTHROPIC_REFUSAL_STREAM),
    ) as Event[]
    expect(out.find((event) => event.event === 'response.refusal.done')!.data.refusal).toBe(
      'This request was declined because it could enable cyber harm.',
    )
    const final = out.at(-1)!.data.response
    expect(final.incomplete_details).toEqual({reason: 'content_filter'})
    expect(final.output.map((item: any) => item.content)).toEqual([
      [{type: 'output_text', text: 'Hello..', annotations: [], logprobs: []}],
      [{type: 'refusal', refusal: 'This request was declined because it could enable cyber harm.'}],
    ])
  })

  it('relays a Gemini chat answer untouched for chat clients, and translates it for Responses clients', () => {
    const gemini = ADAPTERS.gemini
    const acct = account({provider: 'gemini', base_url: 'https://generativelanguage.googleapis.com/v1beta/openai'})
    const chat = context({body: {model: 'gemini-2.5-flash', messages: [{role: 'user', content: 'Hi'}]}, account: acct})
    expect(gemini.translateResponse!(200, '{"choices":[]}', chat)).toBeUndefined()
    expect(gemini.createStreamTranslator!({...chat, stream: true})).toBeUndefined()
    const responses = context({
      endpoint: 'responses',
      path: '/responses',
      body: {model: 'gemini-2.5-flash', input: 'Hi', stream: true},
      account: acct,
    })
    const request = gemini.buildRequest({...responses, stream: true})
    expect(request.url).toBe('https://generativelanguage.googleapis.com/v1beta/openai/chat/completions')
    expect(JSON.parse(String(request.body))).toEqual({
      model: 'gemini-2.5-flash',
      messages: [{role: 'user', content: 'Hi'}],
      stream: true,
      stream_options: {include_usage: true},
    })
    const out = events(feed(gemini.createStreamTranslator!({...responses, stream: true})!, TEXT_STREAM)) as Event[]
    expect(out.at(-1)!.data.response.output[0].content[0].text).toBe('Hello, world')
  })
})
