import {mkdtemp, rm, writeFile} from 'node:fs/promises'
import {tmpdir} from 'node:os'
import {join} from 'node:path'

import {afterAll, beforeAll, describe, expect, it} from 'vitest'

import {
  bodyFromEntry,
  bodyFromPrompt,
  ENDPOINT_FLAGS,
  loadExplainTarget,
  parseEndpointFlag,
  readJsonLines,
  readRequestFile,
} from '../../src/cli/route-explain.js'
import {ConfigError, UsageError} from '../../src/core/errors.js'

let dir: string

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'route-explain-service-'))
})

afterAll(async () => {
  await rm(dir, {recursive: true, force: true})
})

describe('bodyFromPrompt', () => {
  it('builds the body each endpoint expects', () => {
    expect(bodyFromPrompt(ENDPOINT_FLAGS.chat, 'hi', {system: 'be brief'})).toEqual({
      model: 'auto',
      messages: [
        {role: 'system', content: 'be brief'},
        {role: 'user', content: 'hi'},
      ],
    })
    expect(bodyFromPrompt(ENDPOINT_FLAGS.responses, 'hi', {system: 'be brief', model: 'x/y'})).toEqual({
      model: 'x/y',
      input: 'hi',
      instructions: 'be brief',
    })
    expect(bodyFromPrompt(ENDPOINT_FLAGS.completions, 'hi')).toEqual({model: 'auto', prompt: 'hi'})
    expect(bodyFromPrompt(ENDPOINT_FLAGS.embeddings, 'hi')).toEqual({model: 'auto', input: 'hi'})
    expect(bodyFromPrompt(ENDPOINT_FLAGS.images, 'a cat')).toEqual({model: 'auto', prompt: 'a cat'})
  })
})

describe('parseEndpointFlag', () => {
  it('takes the short name, the endpoint name or the path a client calls', () => {
    for (const value of [
      'chat',
      'chat.completions',
      '/v1/chat/completions',
      'chat/completions',
      '/v1/chat/completions/',
    ]) {
      expect(parseEndpointFlag(value)).toBe('chat.completions')
    }
    expect(parseEndpointFlag('/v1/responses')).toBe('responses')
    expect(parseEndpointFlag('Images')).toBe('images.generations')
    expect(parseEndpointFlag('/v1/images/generations')).toBe('images.generations')
    expect(parseEndpointFlag('v1/embeddings')).toBe('embeddings')
  })

  it('refuses anything else with the list of choices', () => {
    expect(() => parseEndpointFlag('audio')).toThrow(UsageError)
    expect(() => parseEndpointFlag('/v1/moderations')).toThrow(/unknown endpoint "\/v1\/moderations"/)
  })
})

describe('bodyFromEntry', () => {
  it('takes a JSON string as a prompt', () => {
    expect(bodyFromEntry('hello', 'chat.completions')).toEqual({
      model: 'auto',
      messages: [{role: 'user', content: 'hello'}],
    })
  })

  it('takes {"prompt", "system"} as shorthand and keeps the other fields', () => {
    expect(
      bodyFromEntry({prompt: 'hi', system: 'sys', router: {task: 'coding'}, model: 'a/b'}, 'chat.completions'),
    ).toEqual({
      model: 'a/b',
      router: {task: 'coding'},
      messages: [
        {role: 'system', content: 'sys'},
        {role: 'user', content: 'hi'},
      ],
    })
    expect(bodyFromEntry({prompt: 'hi'}, 'embeddings')).toEqual({model: 'auto', input: 'hi'})
  })

  it('keeps a full body as it is, and a prompt where the endpoint takes one', () => {
    const body = {model: 'auto', messages: [{role: 'user', content: 'x'}], prompt: 'not shorthand here'}
    expect(bodyFromEntry(body, 'chat.completions')).toBe(body)
    expect(bodyFromEntry({prompt: 'complete'}, 'completions')).toEqual({prompt: 'complete'})
  })

  it('lets --model replace the body model', () => {
    expect(bodyFromEntry({model: 'auto', input: 'x'}, 'responses', 'a/b')).toEqual({model: 'a/b', input: 'x'})
  })

  it('explains what it expected for anything else', () => {
    expect(bodyFromEntry(42, 'chat.completions')).toMatch(/^expected a request body/)
    expect(bodyFromEntry([1], 'chat.completions')).toMatch(/^expected a request body/)
  })
})

describe('readJsonLines', () => {
  it('reads one value per line with its line number, skips blank lines and reports bad ones', async () => {
    const file = join(dir, 'lines.jsonl')
    await writeFile(file, '"a"\r\n\n{"prompt": "b"}\n{oops\n   \n[1]\n')
    const entries = await readJsonLines(file)
    expect(entries.map((e) => e.line)).toEqual([1, 3, 4, 6])
    expect(entries[0]).toEqual({line: 1, value: 'a'})
    expect(entries[1]).toEqual({line: 3, value: {prompt: 'b'}})
    expect('error' in entries[2] && entries[2].error).toMatch(/^invalid JSON: /)
  })

  it('names the flag when the file is missing', async () => {
    await expect(readJsonLines(join(dir, 'nope.jsonl'))).rejects.toThrow(UsageError)
    await expect(readJsonLines(join(dir, 'nope.jsonl'))).rejects.toThrow(/^--input .*nope\.jsonl: no such file$/)
  })
})

describe('readRequestFile', () => {
  it('locates a syntax error by line and column', async () => {
    const file = join(dir, 'bad.json')
    await writeFile(file, '{\n  "model": "auto",\n  "messages": [,]\n}\n')
    const error = (await readRequestFile(file).catch((e) => e)) as ConfigError
    expect(error).toBeInstanceOf(ConfigError)
    expect(error.exitCode).toBe(2)
    expect(error.problems[0]).toMatchObject({file, line: 3, column: 16})
    expect(error.problems[0].message).toBe("Unexpected token ','")
  })

  it('locates an error that V8 reports by position', async () => {
    const file = join(dir, 'trailing.json')
    await writeFile(file, '{\n  "model": "auto",\n}\n')
    const error = (await readRequestFile(file).catch((e) => e)) as ConfigError
    expect(error.problems[0]).toMatchObject({line: 3, column: 1})
  })
})

describe('loadExplainTarget', () => {
  it('stands in the built-in auto profile, with a note, when no config is named and the default file is missing', async () => {
    const cwd = process.cwd()
    process.chdir(dir)
    try {
      const target = await loadExplainTarget(undefined, {})
      expect(target).toMatchObject({profile: 'auto', ignoreAccounts: true})
      expect(target.notes[0]).toMatch(/^no config file \(router\.profile\.yaml does not exist\)/)
    } finally {
      process.chdir(cwd)
    }
  })

  it('fails with a config error for a named file that does not exist', async () => {
    await expect(loadExplainTarget(join(dir, 'missing.yaml'), {})).rejects.toThrow(ConfigError)
    await expect(loadExplainTarget(undefined, {ROUTING_CONFIG_PATH: join(dir, 'missing.yaml')})).rejects.toThrow(
      ConfigError,
    )
  })

  it('reports a raw config as the custom profile and checks accounts', async () => {
    const file = join(dir, 'router.yaml')
    await writeFile(
      file,
      'default_model: openai/gpt-5-mini\naccounts:\n  - {name: oa, provider: openai, base_url: http://127.0.0.1:9/v1}\n',
    )
    const target = await loadExplainTarget(file, {})
    expect(target).toMatchObject({profile: 'custom', ignoreAccounts: false, notes: []})
    expect(target.config.default_model).toBe('openai/gpt-5-mini')
  })
})
