/**
 * The ChatGPT sign-in (`router provider login openai --kind chatgpt`): OAuth authorization code with PKCE, as Codex
 * CLI does it. A loopback server receives the redirect; with `--no-browser` in a terminal, a pasted redirect URL or
 * code also works (for machines without a browser). The code is exchanged for tokens, which the caller stores.
 */
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {createInterface} from 'node:readline'

import {
  CHATGPT_OAUTH,
  buildAuthorizeUrl,
  buildCodeExchangeRequest,
  chatGptAccountId,
  createPkce,
  createState,
  parseAuthorizationResponse,
  parseTokenResponse,
  tokenEmail,
  tokenExpiry,
  type OAuthTokens,
} from '../../core/credentials/oauth.js'
import {RouterError} from '../../core/errors.js'
import {fetchFailureReason} from '../../core/fetch-failure.js'

const EXCHANGE_TIMEOUT_MS = 30_000

export interface ChatGptLoginOptions {
  authorizeUrl?: string
  tokenUrl?: string
  clientId?: string
  /** Port of the loopback redirect (default 1455; 0 picks a free port). */
  redirectPort?: number
  /** Whole redirect URI; its port and path are where the loopback server listens. */
  redirectUri?: string
  /** Launch the system browser. */
  openBrowser: boolean
  /** Also read a pasted redirect URL or code from `input` (terminal only). */
  acceptPaste: boolean
  input?: NodeJS.ReadableStream
  /** Progress lines for the user (stderr). */
  print: (line: string) => void
  /** Give up after this long (default 5 minutes). */
  timeoutMs?: number
  fetch?: typeof fetch
  now?: () => number
  /** Opens a URL in the browser (default: the `open` package). */
  openUrl?: (url: string) => Promise<unknown>
}

/** Tokens of a finished sign-in, and the e-mail address they were issued to. */
export interface ChatGptTokens extends OAuthTokens {
  email?: string
}

/** Runs the whole sign-in and returns the tokens; throws a `RouterError` on denial, mismatch, timeout or failure. */
export async function signInWithChatGpt(options: ChatGptLoginOptions): Promise<ChatGptTokens> {
  const authorizeUrl = options.authorizeUrl ?? CHATGPT_OAUTH.authorizeUrl
  const tokenUrl = options.tokenUrl ?? CHATGPT_OAUTH.tokenUrl
  const clientId = options.clientId ?? CHATGPT_OAUTH.clientId
  const timeoutMs = options.timeoutMs ?? 5 * 60_000
  const now = options.now ?? Date.now
  const pkce = createPkce()
  const state = createState()

  const requested = new URL(
    options.redirectUri ?? `http://localhost:${CHATGPT_OAUTH.redirectPort}${CHATGPT_OAUTH.redirectPath}`,
  )
  if (options.redirectPort !== undefined) requested.port = String(options.redirectPort)
  const port = requested.port === '' ? 80 : Number(requested.port)
  const host = requested.hostname === '[::1]' || requested.hostname === '::1' ? '::1' : '127.0.0.1'

  const server = createServer()
  await listen(server, port, host)
  const redirect = new URL(requested)
  redirect.port = String((server.address() as AddressInfo).port)
  const redirectUri = redirect.toString()
  const url = buildAuthorizeUrl({authorizeUrl, clientId, redirectUri, challenge: pkce.challenge, state})

  const exchange = async (code: string): Promise<ChatGptTokens> => {
    const request = buildCodeExchangeRequest({tokenUrl, clientId, code, redirectUri, verifier: pkce.verifier})
    let response: Response
    try {
      response = await (options.fetch ?? fetch)(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(EXCHANGE_TIMEOUT_MS),
      })
    } catch (error) {
      throw new RouterError(
        'oauth_token_failed',
        `Could not reach the token endpoint ${request.url}: ${fetchFailureReason(error, EXCHANGE_TIMEOUT_MS)}.`,
        {
          hint: 'check your network connection (or --token-url) and run the command again',
        },
      )
    }
    const tokens = parseTokenResponse(response.status, await response.text())
    return {
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      idToken: tokens.id_token,
      expiresAt: tokenExpiry(tokens, now()),
      accountId: chatGptAccountId(tokens.id_token, tokens.access_token),
      email: tokenEmail(tokens.id_token),
      tokenUrl,
      clientId,
    }
  }

  let settled = false
  let timer: NodeJS.Timeout | undefined
  let readline: ReturnType<typeof createInterface> | undefined
  try {
    return await new Promise<ChatGptTokens>((resolve, reject) => {
      const finish = (outcome: Promise<ChatGptTokens>) => {
        if (settled) return
        settled = true
        outcome.then(resolve, reject)
      }

      server.on('request', (req: IncomingMessage, res: ServerResponse) => {
        const target = new URL(req.url ?? '/', redirectUri)
        if (req.method !== 'GET' || target.pathname !== redirect.pathname) {
          res.writeHead(404, {'content-type': 'text/plain'}).end('Not found')
          return
        }
        if (settled) {
          page(res, 409, 'Sign-in already finished', 'This sign-in has already been handled. You can close this tab.')
          return
        }
        let code: string
        try {
          code = parseAuthorizationResponse(target.searchParams, state).code
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error)
          page(res, 400, 'Sign-in failed', `${message} Return to the terminal for details.`)
          finish(Promise.reject(error))
          return
        }
        const outcome = exchange(code)
        finish(outcome)
        outcome.then(
          (tokens) =>
            page(
              res,
              200,
              'Signed in',
              `Open-LLM Router is signed in${tokens.email ? ` as ${tokens.email}` : ''}. You can close this tab and return to the terminal.`,
            ),
          (error: unknown) =>
            page(
              res,
              502,
              'Sign-in failed',
              `${error instanceof Error ? error.message : String(error)} Return to the terminal.`,
            ),
        )
      })

      timer = setTimeout(() => {
        finish(
          Promise.reject(
            new RouterError('oauth_timeout', `No sign-in was completed within ${Math.round(timeoutMs / 1000)} s.`, {
              hint: 'run the command again and finish the sign-in in the browser (or pass --timeout with more seconds)',
            }),
          ),
        )
      }, timeoutMs)

      options.print(`Sign in to ChatGPT in your browser. If it does not open, visit this URL:\n\n  ${url}\n`)
      if (options.openBrowser) {
        void (options.openUrl ?? openInBrowser)(url).catch(() =>
          options.print('Could not open a browser; open the URL above yourself.'),
        )
      }
      if (options.acceptPaste && options.input) {
        options.print(
          'Waiting for the browser... or paste the address of the page it landed on (or the code) and press Enter:',
        )
        readline = createInterface({input: options.input, terminal: false})
        readline.on('line', (line) => {
          if (settled || line.trim() === '') return
          try {
            finish(exchange(parseAuthorizationResponse(line, state).code))
          } catch (error) {
            finish(Promise.reject(error))
          }
        })
      } else {
        options.print(
          `Waiting for the sign-in to finish (up to ${timeoutMs >= 120_000 ? `${Math.round(timeoutMs / 60_000)} min` : `${Math.round(timeoutMs / 1000)} s`})...`,
        )
      }
    })
  } finally {
    if (timer) clearTimeout(timer)
    readline?.close()
    options.input?.pause?.()
    await close(server)
  }
}

async function openInBrowser(url: string): Promise<void> {
  const {default: open} = await import('open')
  const child = await open(url)
  child.on('error', () => {})
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') {
        reject(
          new RouterError(
            'oauth_port_in_use',
            `Port ${port} on ${host} is in use, so the sign-in cannot receive its answer.`,
            {
              hint: `close the program that uses it (another \`router provider login\` or \`codex login\`?) and run the command again`,
            },
          ),
        )
      } else reject(error)
    })
    server.listen(port, host, () => resolve())
  })
}

/** Closes the loopback server once the last page has been sent. */
function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
    // A browser may keep a connection open; nothing more will be served on it.
    setTimeout(() => server.closeAllConnections(), 200).unref()
  })
}

function page(res: ServerResponse, status: number, title: string, message: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
</head><body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`
  res
    .writeHead(status, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close'})
    .end(html)
}

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'})[c] ?? c,
  )
}
