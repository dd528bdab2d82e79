import {describe, expect, it} from 'vitest'

import {isFollowUp, sessionKeyOf} from '../../../src/core/routing/session.js'

const firstTurn = {
  model: 'auto',
  messages: [
    {role: 'system', content: 'You are helpful.'},
    {role: 'user', content: 'Fix the parser.'},
  ],
}
const laterTurn = {
  model: 'auto',
  messages: [...firstTurn.messages, {role: 'assistant', content: 'Done.'}, {role: 'user', content: 'Now the lexer.'}],
}

describe('sessionKeyOf: what clients already send', () => {
  it('takes an x-session-id header first, from any client', () => {
    const key = sessionKeyOf('chat.completions', laterTurn, {'x-session-id': 'abc'}, undefined)
    expect(key).toMatchObject({source: 'header', opening: false})
    expect(key!.id).toMatch(/^header:/)
    expect(key!.id).not.toContain('abc')
  })

  it('recognises Claude Code by its session header and by the session_id in its metadata.user_id', () => {
    const body = {
      model: 'claude-opus-4-8',
      messages: [{role: 'user', content: 'hi'}],
      metadata: {user_id: JSON.stringify({device_id: 'd', account_uuid: '', session_id: 'fcdc05b2-7e18'})},
    }
    const byHeader = sessionKeyOf('messages', body, {'x-claude-code-session-id': 'fcdc05b2-7e18'}, undefined)
    const byMetadata = sessionKeyOf('messages', body, {}, undefined)
    expect(byHeader!.source).toBe('claude_code')
    expect(byMetadata!.source).toBe('claude_code')
    expect(byMetadata!.id).toBe(byHeader!.id)
    const legacy = sessionKeyOf(
      'messages',
      {...body, metadata: {user_id: 'user_ab12_account_x_session_0b6f3c44-1111-2222'}},
      {},
      undefined,
    )
    expect(legacy).toMatchObject({source: 'claude_code'})
  })

  it("recognises Codex CLI by its session-id header, and OpenAI's prompt_cache_key and user", () => {
    expect(sessionKeyOf('responses', {input: 'hi'}, {'session-id': '01a24fc7'}, undefined)!.source).toBe('codex')
    expect(sessionKeyOf('responses', {input: 'hi', prompt_cache_key: '01a24fc7'}, {}, undefined)!.source).toBe(
      'prompt_cache_key',
    )
    expect(sessionKeyOf('chat.completions', {...laterTurn, user: 'u-42'}, {}, undefined)!.source).toBe('user')
  })

  it('falls back to the stable prefix, which every turn of one conversation shares', () => {
    const first = sessionKeyOf('chat.completions', firstTurn, {}, undefined)
    const later = sessionKeyOf('chat.completions', laterTurn, {}, undefined)
    expect(first).toMatchObject({source: 'prefix', opening: true})
    expect(later).toMatchObject({source: 'prefix', opening: false})
    expect(later!.id).toBe(first!.id)
    const otherSystem = {messages: [{role: 'system', content: 'You are terse.'}, ...laterTurn.messages.slice(1)]}
    expect(sessionKeyOf('chat.completions', otherSystem, {}, undefined)!.id).not.toBe(first!.id)
  })

  it('scopes ids by ingress principal, and has none for endpoints that are not conversations', () => {
    const alice = sessionKeyOf('chat.completions', laterTurn, {'x-session-id': 's'}, 'alice')
    const bob = sessionKeyOf('chat.completions', laterTurn, {'x-session-id': 's'}, 'bob')
    expect(alice!.id).not.toBe(bob!.id)
    expect(sessionKeyOf('embeddings', {input: 'x'}, {'x-session-id': 's'}, undefined)).toBeNull()
  })

  it('never throws on hostile bodies', () => {
    let deep: unknown = 'x'
    for (let i = 0; i < 10_000; i++) deep = [deep]
    for (const messages of [
      [null, 7, 'text'],
      [{role: 'user', content: deep}],
      [{role: 'user', content: [null, {text: 5}]}],
    ]) {
      expect(() => sessionKeyOf('chat.completions', {messages, tools: [null, 3]}, {}, undefined)).not.toThrow()
      expect(() => isFollowUp('chat.completions', {messages})).not.toThrow()
    }
  })
})

describe('isFollowUp', () => {
  it('is a tool result in each dialect, or a short "continue"', () => {
    expect(
      isFollowUp('chat.completions', {
        messages: [...laterTurn.messages, {role: 'tool', tool_call_id: 'c', content: 'ok'}],
      }),
    ).toBe(true)
    expect(
      isFollowUp('messages', {
        messages: [{role: 'user', content: [{type: 'tool_result', tool_use_id: 't', content: 'ok'}]}],
      }),
    ).toBe(true)
    expect(isFollowUp('responses', {input: [{type: 'function_call_output', call_id: 'c', output: 'ok'}]})).toBe(true)
    expect(isFollowUp('chat.completions', {messages: [{role: 'user', content: 'continue'}]})).toBe(true)
    expect(
      isFollowUp('chat.completions', {
        messages: [{role: 'user', content: 'Continue with a new design for the cache.'}],
      }),
    ).toBe(false)
    expect(isFollowUp('chat.completions', laterTurn)).toBe(false)
  })
})
