/**
 * A coding agent's workload, as Claude Code sends it (Anthropic's Messages API), seeded: the same seed gives the same
 * sessions, byte for byte, so that every mode of `npm run bench -- --sessions` sends the same requests.
 *
 * A session is one conversation of 20–60 turns (by default). Each turn is one request that resends the whole
 * conversation so far: a ~10 KB system prompt and four tool definitions (the same for every session, as an agent's
 * are), the user's task, and every earlier step, with Claude Code's two prompt-cache breakpoints (the system prompt and
 * the last message, https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching). Most turns carry a tool
 * result (a file read, a search, a test run) after the assistant's tool call; now and then the user writes (a
 * "continue", a small follow-up); a few sessions have one hard turn in their middle, and some start with a hard task.
 * The assistant's turns in the history are written here, not taken from the answers, so that the workload does not
 * depend on where a turn was routed. The session is named by Claude Code's `x-claude-code-session-id` header.
 */
import {prng} from '../synthetic-audit.mjs'
import {document} from './document.js'

/** The system prompt every session sends: an agent's instructions (about 10 KB). */
const SYSTEM =
  'You are an interactive coding agent that helps users with software engineering tasks in their repository. ' +
  'Use the tools available to you to read files before you change them, search the code base instead of guessing, and ' +
  'run the tests after every change. Keep changes small and focused; follow the conventions of the surrounding code; ' +
  'never commit secrets. When a command fails, read its output and fix the cause rather than the symptom. Answer ' +
  'concisely: one short paragraph on what you changed and why, and the commands the user may want to run.\n\n' +
  '# Tone and style\n' +
  document(4200) +
  '\n\n# Doing tasks\n' +
  document(3600) +
  '\n\n# Tool usage policy\nPrefer Grep over Bash for searching; read whole files with Read; use Edit for exact replacements.\n'

const TOOLS = [
  {
    name: 'Read',
    description:
      'Reads a file from the local filesystem. The file_path must be absolute. Returns the file with line numbers.',
    input_schema: {
      type: 'object',
      properties: {file_path: {type: 'string'}, offset: {type: 'number'}, limit: {type: 'number'}},
      required: ['file_path'],
    },
  },
  {
    name: 'Edit',
    description:
      'Performs an exact string replacement in a file. old_string must be unique in the file unless replace_all is set.',
    input_schema: {
      type: 'object',
      properties: {
        file_path: {type: 'string'},
        old_string: {type: 'string'},
        new_string: {type: 'string'},
        replace_all: {type: 'boolean'},
      },
      required: ['file_path', 'old_string', 'new_string'],
    },
  },
  {
    name: 'Grep',
    description:
      'Searches file contents with a regular expression (ripgrep syntax). Returns matching lines with their paths.',
    input_schema: {
      type: 'object',
      properties: {pattern: {type: 'string'}, path: {type: 'string'}, glob: {type: 'string'}},
      required: ['pattern'],
    },
  },
  {
    name: 'Bash',
    description:
      'Runs a shell command in the repository (tests, builds, git). Output longer than 30000 characters is truncated.',
    input_schema: {
      type: 'object',
      properties: {command: {type: 'string'}, timeout: {type: 'number'}},
      required: ['command'],
    },
  },
]

/** Opening tasks by kind: most are small edits, some features, a few hard problems. */
const TASKS = {
  easy: [
    "Fix the typo in the error message of parseArgs in src/cli/args.ts: it says 'recieved'.",
    'Rename the variable cnt to count in src/utils/stats.ts.',
    'The README still says Node 16 is supported; change it to Node 20.',
    'Add a missing semicolon in src/server/routes.ts, the linter complains about line 42.',
    'Make the log message in src/jobs/cleanup.ts say how many files were removed.',
  ],
  feature: [
    'Add a --dry-run flag to the sync command that lists the files it would copy without copying them, with a test.',
    'Add pagination to the GET /api/orders endpoint (limit and cursor query parameters) and update the client.',
    'Support a config file in YAML besides JSON for the CLI; keep JSON working and document both.',
    'Add retries with exponential backoff to the HTTP client in src/net/client.ts for 502 and 503 answers.',
  ],
  hard: [
    'Our job scheduler in src/scheduler/ loses jobs when two workers claim the same job at once. Redesign the claiming protocol so that each job runs exactly once even when workers crash mid-job, prove that no job is lost or run twice, and describe how to test it under fault injection.',
    'The query planner in src/db/planner.ts picks nested loop joins for large tables. Derive a cost model for hash and merge joins from the table statistics, prove that it never chooses a plan worse than the current one on the benchmark queries, and implement it.',
  ],
}

/** What the user says between steps. */
const FOLLOW_UPS = [
  'continue',
  'go on',
  'Also update the CHANGELOG.',
  'Looks good. Now add a test for the empty case.',
  'Run the tests again, please.',
]
const HARD_TURNS = [
  'Stop. Before going further: the cache layer has a race between invalidation and refill. Prove whether a reader can observe a stale value after a write commits under the current locking scheme, give a counterexample interleaving if it can, and redesign it so that it cannot, with the argument why.',
  'Wait, the numbers in the benchmark do not add up. Derive the expected throughput of the worker pool as a function of the job size distribution and the number of workers, explain the gap to the measured figures, and propose a scheduling change with the expected gain.',
]

/** A source file of the project, about `chars` long, deterministic by `seed`. */
function sourceFile(random, chars) {
  const names = ['parse', 'load', 'store', 'sync', 'claim', 'release', 'render', 'fetch', 'retry', 'merge']
  let text = ''
  for (let i = 0; text.length < chars; i++) {
    const name = names[Math.floor(random() * names.length)] + (i + 1)
    text +=
      `${i + 1}\texport async function ${name}(input: Input, options: Options = {}): Promise<Result> {\n` +
      `${i + 2}\t  const started = Date.now()\n${i + 3}\t  if (!input.id) throw new Error('${name}: missing id')\n` +
      `${i + 4}\t  const value = await options.store?.get(input.id)\n${i + 5}\t  return {id: input.id, value, ms: Date.now() - started}\n${i + 6}\t}\n\n`
  }
  return text.slice(0, chars)
}

/** One tool step: the assistant's call (in the history) and the user's tool result (the next request's last message). */
function toolStep(random, step) {
  const id = `toolu_${step.toString(36).padStart(4, '0')}${Math.floor(random() * 1e9).toString(36)}`
  const file = `/repo/src/${['cli', 'server', 'jobs', 'db', 'net'][Math.floor(random() * 5)]}/module${Math.floor(random() * 40)}.ts`
  const pick = random()
  let call
  let result
  if (pick < 0.45) {
    call = {name: 'Read', input: {file_path: file}}
    result = sourceFile(random, 1000 + Math.floor(random() * 3000))
  } else if (pick < 0.65) {
    call = {name: 'Grep', input: {pattern: 'export async function (claim|release)', path: '/repo/src'}}
    result = Array.from(
      {length: 8 + Math.floor(random() * 20)},
      (_, i) => `${file}:${10 * i + 3}:export async function claim${i}(input: Input)`,
    ).join('\n')
  } else if (pick < 0.85) {
    call = {
      name: 'Edit',
      input: {
        file_path: file,
        old_string: 'return {id: input.id, value',
        new_string: 'return {id: input.id, value: value ?? null',
      },
    }
    result = `The file ${file} has been updated. Here's the result of running \`cat -n\` on a snippet of the edited file:\n${sourceFile(random, 600)}`
  } else {
    call = {name: 'Bash', input: {command: 'npm test -- --reporter=dot'}}
    const failed = random() < 0.3
    result = `> vitest run\n\n${'·'.repeat(120)}\n\n Test Files  ${failed ? '1 failed | ' : ''}${18 + Math.floor(random() * 5)} passed\n      Tests  ${failed ? '2 failed | ' : ''}${240 + Math.floor(random() * 30)} passed\n${failed ? `\nFAIL src/jobs/claim.test.ts > releases a job whose worker died\nAssertionError: expected 'claimed' to be 'free'\n` : ''}`
  }
  const assistant = {
    role: 'assistant',
    content: [
      {type: 'text', text: `I'll use ${call.name} on ${call.input.file_path ?? call.input.path ?? 'the repository'}.`},
      {type: 'tool_use', id, ...call},
    ],
  }
  const user = {role: 'user', content: [{type: 'tool_result', tool_use_id: id, content: result}]}
  return {assistant, user}
}

/** The assistant's text answer to a user turn (in the history before the next user turn). */
function textAnswer(random) {
  return {role: 'assistant', content: [{type: 'text', text: `Done. ${document(200 + Math.floor(random() * 400))}`}]}
}

/** The request body of a session's turn `index`: the conversation so far in Claude Code's shape, with its two cache breakpoints. */
export function turnBody(session, index) {
  const messages = session.messages.slice(0, session.turns[index].messages)
  const last = messages[messages.length - 1]
  const content = typeof last.content === 'string' ? [{type: 'text', text: last.content}] : last.content
  const marked = {
    ...last,
    content: content.map((block, i) =>
      i === content.length - 1 ? {...block, cache_control: {type: 'ephemeral'}} : block,
    ),
  }
  return {
    model: 'auto',
    max_tokens: 8192,
    system: [{type: 'text', text: SYSTEM, cache_control: {type: 'ephemeral'}}],
    tools: TOOLS,
    messages: [...messages.slice(0, -1), marked],
  }
}

/**
 * The sessions of the workload: `[{id, kind, messages, turns: [{kind, messages}]}]`, where a turn's `kind` is `task`,
 * `tool_result`, `follow_up` or `hard`, and `messages` how many of the session's messages it sends (`turnBody` builds
 * its request).
 */
export function agentWorkload({sessions = 50, minTurns = 20, maxTurns = 60, seed = 1} = {}) {
  const random = prng(seed)
  const out = []
  for (let s = 0; s < sessions; s++) {
    const draw = random()
    const kind = draw < 0.5 ? 'easy' : draw < 0.85 ? 'feature' : 'hard'
    const length = minTurns + Math.floor(random() * (maxTurns - minTurns + 1))
    const hardAt = random() < 0.2 ? Math.floor(length * (0.3 + 0.4 * random())) : -1
    const task = TASKS[kind][Math.floor(random() * TASKS[kind].length)]
    const messages = [{role: 'user', content: `${task}\n\nThe repository is /repo (project ${s + 1}).`}]
    const turns = [{kind: 'task', messages: 1}]
    let untilUser = 6 + Math.floor(random() * 7)
    for (let t = 1; t < length; t++) {
      let turnKind
      if (t === hardAt || --untilUser === 0) {
        messages.push(textAnswer(random))
        const hard = t === hardAt
        messages.push({
          role: 'user',
          content: hard
            ? HARD_TURNS[Math.floor(random() * HARD_TURNS.length)]
            : FOLLOW_UPS[Math.floor(random() * FOLLOW_UPS.length)],
        })
        turnKind = hard ? 'hard' : 'follow_up'
        untilUser = 6 + Math.floor(random() * 7)
      } else {
        const step = toolStep(random, t)
        messages.push(step.assistant, step.user)
        turnKind = 'tool_result'
      }
      turns.push({kind: turnKind, messages: messages.length})
    }
    out.push({
      id: `bench-${seed}-${String(s + 1).padStart(3, '0')}-${Math.floor(random() * 1e12).toString(16)}`,
      kind,
      messages,
      turns,
    })
  }
  return out
}
