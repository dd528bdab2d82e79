/**
 * `route explain --session ID`: what the gateway remembered of a session, rebuilt from the audit log (the same events
 * the gateway's session tracker learns from): the model, account and provider that answered its last turn, when, the
 * session's task and complexity, and the prompt size. No prompt text is needed, so a redacted log will do.
 */
import {createReadStream} from 'node:fs'
import {createInterface} from 'node:readline'

import {parseAuditEventJson} from '../core/audit/parse-event.js'
import {UsageError} from '../core/errors.js'
import {GatewaySettingsSchema} from '../core/settings/schema.js'
import type {SessionSource, SessionState} from '../core/routing/schema.js'
import type {SessionKey} from '../core/routing/session.js'

/** The session as of its last answered turn in `path`, or why it cannot be found. */
export async function sessionFromLog(path: string, id: string): Promise<{key: SessionKey; state: SessionState}> {
  const decisions = new Map<
    string,
    {task: SessionState['task']; complexity: SessionState['complexity']; source: SessionSource; inputTokens: number}
  >()
  const promptTokens = new Map<string, number>()
  let state: SessionState | undefined
  let source: SessionSource | undefined
  let turns = 0
  const lines = createInterface({input: createReadStream(path, {encoding: 'utf8'}), crlfDelay: Infinity})
  try {
    for await (const line of lines) {
      // Most lines are about other requests: parse only those that can be about this session's.
      if (!line.includes(id) && decisions.size === 0) continue
      const parsed = parseAuditEventJson(line)
      if (parsed.kind !== 'event') continue
      const event = parsed.event
      if (event.event === 'route_decision' && event.session?.id === id) {
        decisions.set(event.request_id, {
          task: event.task,
          complexity: event.complexity,
          source: event.session.source,
          inputTokens: event.requirements?.input_tokens ?? 0,
        })
      } else if (
        event.event === 'proxy_response' &&
        decisions.has(event.request_id) &&
        event.usage?.prompt_tokens != null
      ) {
        promptTokens.set(event.request_id, event.usage.prompt_tokens)
      } else if (event.event === 'proxy_terminal' && decisions.has(event.request_id)) {
        const turn = decisions.get(event.request_id)!
        decisions.delete(event.request_id)
        if (event.outcome !== 'success' || event.model === null || event.account === null || event.provider === null)
          continue
        turns++
        source = turn.source
        state = {
          task: turn.task,
          complexity: turn.complexity,
          model: event.model,
          account: event.account,
          provider: event.provider,
          answered_at: Date.parse(event.ts),
          prompt_tokens: promptTokens.get(event.request_id) ?? turn.inputTokens,
          turns,
        }
        promptTokens.delete(event.request_id)
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new UsageError(`cannot read the audit log ${path}${code ? ` (${code})` : ''}`, {
      hint: 'give the log with --log, or set ROUTER_AUDIT_LOG_PATH as the gateway has it',
    })
  }
  if (state === undefined || source === undefined) {
    throw new UsageError(`no answered turn of session ${id} in ${path}`, {
      hint: "session ids are the `session.id` of route_decision events (e.g. `header:…`, `prefix:…`); the dashboard's detail view shows them",
    })
  }
  return {key: {id, source, opening: false}, state}
}

/** The gateway's audit log path as `router serve` would use it: `ROUTER_AUDIT_LOG_PATH`, else the default. */
export function auditLogPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.ROUTER_AUDIT_LOG_PATH?.trim() || GatewaySettingsSchema.shape.audit_log_path.parse(undefined)
}
