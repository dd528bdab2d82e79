/**
 * Which routes each protocol serves, and how each dialect authenticates. A table rather than branches: the server
 * builds its route map from the protocols it was asked for.
 */
import type {IncomingHttpHeaders} from 'node:http'

import type {Dialect, Handler, JsonAnswer} from './answer.js'
import {json} from './answer.js'
import {anthropicModels, countTokens, messages} from './protocols/anthropic.js'
import {codexModels, codexResponses} from './protocols/codex.js'
import {errorAnswer} from './protocols/errors.js'
import {
  chatCompletions,
  completions,
  echo,
  embeddings,
  imageGenerations,
  listModels,
  retrieveModel,
} from './protocols/openai.js'
import {responses} from './protocols/responses.js'
import type {SimProtocol} from './types.js'

/** A route found for a request: its dialect, handler and the normalised path. */
export interface Route {
  dialect: Dialect
  handle: Handler
  path: string
}

/** `METHOD /path` → dialect and handler, plus the prefix routes of the OpenAI protocol. */
export interface RouteTable {
  /** Several protocols may share a key (`GET /v1/models`): the request's headers pick one. */
  exact: Map<string, Omit<Route, 'path'>[]>
  /** `GET /v1/models/{id}` and the `POST /v1/*` echo. */
  openaiPrefixes: boolean
}

const ROUTES: Record<SimProtocol, Record<string, Handler>> = {
  openai: {
    'GET /v1/models': listModels,
    'POST /v1/chat/completions': chatCompletions,
    'POST /v1/responses': responses,
    'POST /v1/completions': completions,
    'POST /v1/embeddings': embeddings,
    'POST /v1/images/generations': imageGenerations,
  },
  anthropic: {
    'GET /v1/models': anthropicModels,
    'POST /v1/messages': messages,
    'POST /v1/messages/count_tokens': countTokens,
  },
  codex: {
    'POST /codex/responses': codexResponses,
    'GET /codex/models': codexModels,
  },
}

/** The route map for a set of protocols. */
export function routeTable(protocols: SimProtocol[]): RouteTable {
  const exact = new Map<string, Omit<Route, 'path'>[]>()
  for (const protocol of protocols) {
    for (const [key, handle] of Object.entries(ROUTES[protocol])) {
      exact.set(key, [...(exact.get(key) ?? []), {dialect: protocol, handle}])
    }
  }
  return {exact, openaiPrefixes: protocols.includes('openai')}
}

/** Anthropic's clients always send `anthropic-version`; OpenAI's never do. */
function pick(
  candidates: Omit<Route, 'path'>[] | undefined,
  headers: IncomingHttpHeaders,
): Omit<Route, 'path'> | undefined {
  if (candidates === undefined || candidates.length < 2) return candidates?.[0]
  const dialect = headers['anthropic-version'] === undefined ? 'openai' : 'anthropic'
  return candidates.find((route) => route.dialect === dialect) ?? candidates[0]
}

/**
 * Finds the route of a request. Paths without `/v1` are accepted too (`/chat/completions`), and the ChatGPT
 * backend's `/backend-api` prefix is optional, so any of the base URLs users write works.
 */
export function findRoute(
  table: RouteTable,
  method: string,
  rawPath: string,
  headers: IncomingHttpHeaders,
): Route | undefined {
  let path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath
  if (path.startsWith('/backend-api/')) path = path.slice('/backend-api'.length)
  const direct = pick(table.exact.get(`${method} ${path}`), headers)
  if (direct) return {...direct, path}
  if (!path.startsWith('/v1/') && !path.startsWith('/codex/')) {
    const prefixed = `/v1${path}`
    const found = pick(table.exact.get(`${method} ${prefixed}`), headers)
    if (found) return {...found, path: prefixed}
    path = prefixed
  }
  if (!table.openaiPrefixes || !path.startsWith('/v1/')) return undefined
  if (method === 'GET' && path.startsWith('/v1/models/')) return {dialect: 'openai', handle: retrieveModel, path}
  if (method === 'POST') return {dialect: 'openai', handle: echo, path}
  return undefined
}

/** Checks the credentials a dialect requires; an error answer when they are missing or wrong. */
export function authenticate(
  dialect: Dialect,
  headers: IncomingHttpHeaders,
  apiKey: string | undefined,
  requestId?: string,
): JsonAnswer | undefined {
  const bearer = bearerToken(headers.authorization)
  switch (dialect) {
    case 'openai':
      if (apiKey === undefined || bearer === apiKey) return undefined
      return errorAnswer('openai', 401, {
        message:
          bearer === undefined
            ? "You didn't provide an API key. Send it as 'Authorization: Bearer KEY'."
            : 'Incorrect API key provided.',
        code: bearer === undefined ? null : 'invalid_api_key',
      })
    case 'anthropic': {
      if (headers['anthropic-version'] === undefined)
        return errorAnswer('anthropic', 400, {message: 'anthropic-version: header is required', requestId})
      const key = headers['x-api-key'] ?? bearer
      if (apiKey === undefined || key === apiKey) return undefined
      return errorAnswer('anthropic', 401, {
        message: key === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
        requestId,
      })
    }
    case 'codex':
      if (bearer === undefined || bearer === '' || (apiKey !== undefined && bearer !== apiKey)) {
        return json(401, {detail: 'Could not parse your authentication token. Please try signing in again.'})
      }
      if (typeof headers['chatgpt-account-id'] !== 'string' || headers['chatgpt-account-id'] === '') {
        return json(400, {detail: 'Missing chatgpt-account-id header.'})
      }
      return undefined
  }
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined
  const match = /^Bearer\s+(.*)$/i.exec(header)
  return match ? match[1].trim() : undefined
}
