/**
 * A large, deterministic corpus of requests for the classifier's equivalence snapshot: every labelled fixture
 * prompt as sent, each also in two other shapes (upper case, a multi-turn chat, the responses and completions APIs,
 * tools and reasoning effort, images, a long pasted document, curly quotes and accents), the benchmark requests,
 * texts whose length straddles the scan windows, conversations that exhaust the scan budget, malformed bodies, and
 * seeded random texts built from the lexicon's own terms, code and punctuation. Changing it changes the snapshot.
 */
import {readFileSync} from 'node:fs'
import {fileURLToPath} from 'node:url'

import {document, mixedChat} from '../../../bench/lib/document.js'
import {LEXICON, RULE_WORDS} from '../../../src/core/routing/classifier/lexicon.js'
import type {Endpoint} from '../../../src/core/routing/schema.js'
import {createPrng} from '../../../src/sim/prng.js'

/** One request of the corpus, with a stable id. */
export interface CorpusCase {
  id: string
  endpoint: Endpoint
  body: unknown
}

type Body = Record<string, unknown>

interface FixtureItem {
  prompt?: string
  system?: string
  request?: Body
  endpoint?: Endpoint
}

function chat(prompt: string, system?: string): Body {
  const messages = system ? [{role: 'system', content: system}] : []
  return {model: 'auto', messages: [...messages, {role: 'user', content: prompt}]}
}

/** The text of a fixture item (its prompt, or the last text of its request). */
function textOf(item: FixtureItem): string {
  if (item.prompt !== undefined) return item.prompt
  return JSON.stringify(item.request).slice(0, 400)
}

const CODE_BLOCK =
  '```python\nimport asyncio\nfrom dataclasses import dataclass\n\n@dataclass\nclass Order:\n    id: int\n    total: float\n\n' +
  'async def handle(queue, db):\n    while True:\n        msg = await queue.get()\n        order = Order(**msg)\n' +
  '        if order.total <= 0:\n            raise ValueError(f"bad total {order.total}")\n' +
  '        await db.execute("INSERT INTO orders VALUES ($1, $2)", order.id, order.total)\n        queue.task_done()\n```\n'

const TRACE =
  'Traceback (most recent call last):\n  File "app.py", line 42, in <module>\n    main()\n' +
  '  File "app.py", line 17, in main\n    total = sum(x / y for x, y in pairs)\nZeroDivisionError: division by zero\n'

/** The routing benchmark's 2 KB coding conversation (`bench/routing.mjs`). */
function routingChat2kb(): Body {
  const last =
    'Under load the consumer falls behind and some orders are written twice after a restart. ' +
    'Here is the handler:\n```ts\nasync function handle(msg) {\n  const order = JSON.parse(msg.body)\n' +
    '  await db.query("insert into orders(id, total) values ($1, $2)", [order.id, order.total])\n' +
    '  await queue.ack(msg)\n}\n```\n' +
    'How do I make this idempotent and keep up with about 2,000 messages per second? ' +
    'Explain the trade-offs between batching inserts, using ON CONFLICT, and moving the ack before the write. '
  const messages = [
    {role: 'system', content: 'You are a senior engineer. Answer precisely, with short code examples where they help.'},
    {role: 'user', content: 'We have a Node service that reads orders from a queue and writes them to Postgres.'},
    {role: 'assistant', content: 'Understood. What problem are you seeing with the current setup?'},
    {role: 'user', content: last},
  ]
  const body = {model: 'auto', temperature: 0.2, stream: true, messages}
  while (JSON.stringify(body).length < 2048) messages[3].content += 'We run three consumer replicas. '
  return body
}

const TOOLS = Array.from({length: 10}, (_, i) => ({
  type: 'function',
  function: {
    name: `tool_${i}`,
    description: `Looks up record kind ${i}.`,
    parameters: {type: 'object', properties: {id: {type: 'string'}}},
  },
}))
const EFFORTS = ['minimal', 'low', 'medium', 'high', 'xhigh', 'none', 'max', 'bogus']

/** Curly quotes, accents and a few non-Latin words, to exercise case folding and apostrophes beyond ASCII. */
function decorate(text: string): string {
  return `${text.replaceAll("'", '\u2019').replaceAll('"', '\u201c')} — café naïve Straße Überprüfung Прямой 日本語 😀`
}

/** The fixture item in one of eight other shapes. */
function variant(index: number, shape: number, items: FixtureItem[]): CorpusCase {
  const item = items[index]
  const prompt = textOf(item)
  const other = (k: number): string => textOf(items[(index + k) % items.length])
  const id = `variant/${index}`
  switch (shape) {
    case 0:
      return {
        id: `${id}/upper`,
        endpoint: 'chat.completions',
        body: chat(prompt.toUpperCase(), item.system?.toUpperCase()),
      }
    case 1: {
      const follow = index % 3 === 0 ? 'Now ' : index % 3 === 1 ? 'Unrelated question: ' : ''
      const messages = [
        {role: 'system', content: other(3)},
        {role: 'user', content: other(1)},
        {
          role: 'assistant',
          content: [{type: 'text', text: other(5)}],
          tool_calls: [{function: {arguments: '{"q": "lookup"}'}}],
        },
        {role: 'tool', content: other(9)},
        {role: 'user', content: other(2)},
        {role: 'assistant', content: other(6)},
        {role: 'user', content: follow + prompt},
      ]
      return {id: `${id}/conversation`, endpoint: 'chat.completions', body: {model: 'auto', messages}}
    }
    case 2:
      return {
        id: `${id}/responses`,
        endpoint: index % 16 === 2 ? 'passthrough' : 'responses',
        body: {
          instructions: item.system ?? other(4),
          input: [
            {role: 'user', content: [{type: 'input_text', text: other(1)}]},
            {type: 'function_call', arguments: '{"city": "Paris"}'},
            {type: 'function_call_output', output: other(2)},
            {type: 'reasoning', summary: []},
            {type: 'input_text', text: prompt},
          ],
          reasoning: {effort: EFFORTS[index % EFFORTS.length]},
          max_output_tokens: 5000 + index,
        },
      }
    case 3:
      return {
        id: `${id}/completions`,
        endpoint: 'completions',
        body:
          index % 2 === 0
            ? {prompt: [prompt, other(1), [1, 2, 3]], suffix: 'return x\n'}
            : {prompt, max_tokens: 20_000},
      }
    case 4:
      return {
        id: `${id}/tools`,
        endpoint: 'chat.completions',
        body: {
          ...chat(prompt, item.system),
          tools: TOOLS.slice(0, index % 2 === 0 ? 3 : 10),
          reasoning_effort: EFFORTS[index % EFFORTS.length],
          max_completion_tokens: 100 * index,
          response_format: index % 3 === 0 ? {type: 'json_schema', json_schema: {name: 'x', schema: {}}} : undefined,
          stream: index % 2 === 0,
        },
      }
    case 5:
      return {
        id: `${id}/images`,
        endpoint: 'chat.completions',
        body: {
          model: 'auto',
          messages: [
            {
              role: 'user',
              content: [
                {type: 'text', text: prompt},
                {type: 'image_url', image_url: {url: 'data:image/png;base64,AAAA', detail: index % 2 ? 'low' : 'high'}},
                ...(index % 3 === 0 ? [{type: 'image_url', image_url: {url: 'https://example.com/b.png'}}] : []),
              ],
            },
          ],
        },
      }
    case 6: {
      // A long paste between the question and a repeat of it: the scan reads the head and the tail only.
      const doc = index % 2 === 0 ? document(6000 + index * 37) : CODE_BLOCK.repeat(10 + (index % 40)) + TRACE
      return {
        id: `${id}/long`,
        endpoint: 'chat.completions',
        body: chat(`${prompt}\n\n${doc}\n\n${prompt}`, item.system),
      }
    }
    default:
      return {
        id: `${id}/decorated`,
        endpoint: 'passthrough',
        body: chat(decorate(prompt), item.system && decorate(item.system)),
      }
  }
}

/** Every piece of vocabulary the scanner knows, plus code, numbers and punctuation: the fuzzer's alphabet. */
function fuzzAlphabet(): string[] {
  const terms = new Set<string>()
  for (const list of Object.values(LEXICON))
    for (const spec of list) terms.add(typeof spec === 'string' ? spec : spec[0])
  for (const list of Object.values(RULE_WORDS)) for (const word of list) terms.add(word)
  const extra = [
    '42',
    '3.5',
    '1,000',
    '$20',
    '15%',
    '2x + 3 = 7',
    '17 × 23',
    '12 divided by 4',
    'O(n log n)',
    '\\frac{1}{2}',
    '$x^2$',
    '(A) ',
    'B. ',
    '1. ',
    '- ',
    '* ',
    '• ',
    'a) ',
    '(b) ',
    '```',
    '```json',
    '```python',
    '\n',
    '\n\n',
    '?',
    '!',
    '.',
    ',',
    ';',
    ':',
    '"',
    "'",
    '`x = [1]`',
    'snake_case_name',
    'camelCase(',
    'obj.method(',
    '==',
    '&&',
    '=>',
    '::',
    '<<Title>>',
    'Input: nums = [1,2]',
    'Output: 3',
    '1 <= n <= 10^5',
    'Traceback (most recent call last)',
    '  at foo (bar.js:1:2)',
    'def f(x):',
    'return x;',
    '{"a": 1}',
    '[{"b": 2}]',
    'True and not False or (False)',
    'All cats are mammals.',
    "What has keys but can't open locks?",
    "Dijkstra's",
    'don\u2019t',
    'C++',
    'c#',
    'F#',
    'node.js',
    'km/h',
    'ÉCOLE',
    'Ärger',
    'ПРИВЕТ',
    '東京',
    '😀',
    '\t',
    '-',
    '–',
    '…',
    '€5',
    '£3',
    'the letter "q"',
    'at least 3 paragraphs',
    'exactly twice',
    'SELECT * FROM t;',
    '<div class="x">',
    '#include <stdio.h>',
    'x += 1',
    'ValueError:',
    'KeyError',
  ]
  return [...terms, ...extra]
}

/** Seeded random texts over the fuzz alphabet, in random case, of 3 to 400 pieces. */
function fuzzCases(count: number): CorpusCase[] {
  const alphabet = fuzzAlphabet()
  const next = createPrng(20_240_611)
  const cases: CorpusCase[] = []
  for (let c = 0; c < count; c++) {
    const pieces = 3 + Math.floor(next() * next() * 400)
    let text = ''
    for (let p = 0; p < pieces; p++) {
      let piece = alphabet[Math.floor(next() * alphabet.length)]
      const r = next()
      if (r < 0.1) piece = piece.toUpperCase()
      else if (r < 0.2) piece = piece.charAt(0).toUpperCase() + piece.slice(1)
      const glue = next()
      text += glue < 0.7 ? ' ' : glue < 0.8 ? '' : glue < 0.9 ? '\n' : glue < 0.95 ? '-' : "'"
      text += piece
    }
    const system = c % 5 === 0 ? 'Answer in JSON only.' : undefined
    cases.push({id: `fuzz/${c}`, endpoint: 'chat.completions', body: chat(text, system)})
  }
  return cases
}

/** Texts whose length straddles the scan windows (8 000 + 4 000 for the last user turn, 3 000 + 1 000 otherwise). */
function windowCases(): CorpusCase[] {
  const base = document(13_000).replaceAll('figures', 'calculate the figures in Python')
  const cases: CorpusCase[] = []
  for (const length of [3999, 4000, 4001, 4003, 11_998, 11_999, 12_000, 12_001, 12_002, 12_007]) {
    const text = base.slice(0, length)
    cases.push({id: `window/last/${length}`, endpoint: 'chat.completions', body: chat(text)})
    cases.push({id: `window/system/${length}`, endpoint: 'chat.completions', body: chat('Sum 3 and 4?', text)})
  }
  // Cuts in the middle of a word, a phrase, a fence, and an apostrophe.
  const cut = `${'x'.repeat(7995)}don't ${'word '.repeat(200)}\`\`\`js\nconst a = 1;\n\`\`\`\n${'y'.repeat(3990)}Dijkstra's binary search tree`
  for (const shift of [0, 1, 2, 3, 4, 5, 6]) {
    cases.push({id: `window/cut/${shift}`, endpoint: 'chat.completions', body: chat('z'.repeat(shift) + cut)})
  }
  return cases
}

/** Conversations long enough to spend the whole scan budget before the oldest turns. */
function budgetCases(items: FixtureItem[]): CorpusCase[] {
  const cases: CorpusCase[] = []
  for (const turns of [6, 12, 30]) {
    const messages: Body[] = [{role: 'system', content: document(5000)}]
    for (let t = 0; t < turns; t++) {
      const filler = t % 2 === 0 ? document(2000 + t * 150) : CODE_BLOCK.repeat(1 + (t % 5))
      messages.push({
        role: t % 2 === 0 ? 'user' : 'assistant',
        content: `${textOf(items[(t * 31) % items.length])}\n${filler}`,
      })
    }
    messages.push({role: 'user', content: 'And why is that? Then prove it step by step.'})
    cases.push({id: `budget/${turns}`, endpoint: 'chat.completions', body: {model: 'auto', messages}})
  }
  return cases
}

function benchCases(): CorpusCase[] {
  const doc = (bytes: number): Body =>
    chat(
      `${document(bytes)}\n\nBased on the report above, list the three biggest operational risks.`,
      'You are an analyst. Be concise.',
    )
  return [
    {id: 'bench/chat-1kb', endpoint: 'chat.completions', body: mixedChat(1024)},
    {id: 'bench/chat-2kb', endpoint: 'chat.completions', body: mixedChat(2048)},
    {id: 'bench/chat-100kb', endpoint: 'chat.completions', body: mixedChat(100 * 1024)},
    {id: 'bench/routing-2kb', endpoint: 'chat.completions', body: routingChat2kb()},
    {id: 'bench/routing-100kb', endpoint: 'chat.completions', body: doc(100 * 1024)},
    {id: 'bench/doc-20kb', endpoint: 'chat.completions', body: doc(20 * 1024)},
    {
      id: 'bench/code-30kb',
      endpoint: 'chat.completions',
      body: chat(`Why does this fail?\n${CODE_BLOCK.repeat(60)}${TRACE}`),
    },
  ]
}

function shapeCases(): CorpusCase[] {
  const endpoints: Endpoint[] = [
    'chat.completions',
    'responses',
    'completions',
    'embeddings',
    'images.generations',
    'passthrough',
  ]
  const bodies: unknown[] = [
    null,
    undefined,
    42,
    'just a string',
    [],
    {},
    {messages: 'nope'},
    {messages: [null, 3, {role: 'user', content: 7}]},
    {input: {weird: true}},
    {prompt: [1, 2, 3]},
    {prompt: []},
    {input: ['a', 'b']},
    {messages: [{role: 'developer', content: ''}]},
    {messages: [{role: 'user', content: {type: 'text', text: 'What is 2 + 2?'}}]},
    {
      messages: [
        {role: 'user', content: [{type: 'input_audio'}, {type: 'file'}, 'bare part', {type: 'refusal', refusal: 'no'}]},
      ],
    },
    {
      messages: [
        {role: 'function', content: 'result'},
        {role: 'assistant', function_call: {arguments: '{"x": 1}'}},
      ],
    },
    {
      input: [
        {type: 'custom_tool_call', arguments: 'x'},
        {type: 'custom_tool_call_output', output: [{type: 'input_image'}]},
      ],
    },
    {prompt: 'A watercolor fox reading under a maple tree', size: '1024x1024'},
    {input: 'How many ways can 5 people sit in a row?', text: {format: {type: 'json_schema'}}},
    {messages: [{role: 'user', content: 'hi'}], functions: [{name: 'f'}], max_tokens: 4000.7, reasoning_effort: 'HIGH'},
  ]
  const cases: CorpusCase[] = []
  for (const [b, body] of bodies.entries()) {
    for (const endpoint of endpoints) cases.push({id: `shape/${b}/${endpoint}`, endpoint, body})
  }
  return cases
}

/** Builds the whole corpus (about 3 700 requests) from the labelled fixture and the generators above. */
export function buildCorpus(): CorpusCase[] {
  const path = fileURLToPath(new URL('../../fixtures/classifier/prompts.jsonl', import.meta.url))
  const items = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as FixtureItem)
  const cases: CorpusCase[] = []
  for (const [index, item] of items.entries()) {
    cases.push({
      id: `fixture/${index}`,
      endpoint: item.endpoint ?? 'chat.completions',
      body: item.request ?? chat(item.prompt ?? '', item.system),
    })
    // Two other shapes per item, so that each shape covers a quarter of the fixture.
    cases.push(variant(index, index % 8, items), variant(index, (index + 3) % 8, items))
  }
  return [...cases, ...benchCases(), ...windowCases(), ...budgetCases(items), ...shapeCases(), ...fuzzCases(1000)]
}
