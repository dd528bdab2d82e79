/**
 * The ChatGPT backend that Codex uses (`POST {base}/codex/responses`): the Responses API, stream only, with a ChatGPT
 * access token and the `chatgpt-account-id` header. Like the real service it rejects `stream: false` and `store: true`.
 */
import {json, type Answer, type HandlerContext} from '../answer.js'
import {isObject} from '../../core/is-object.js'
import {invalidRequest} from './errors.js'
import {answerResponses} from './responses.js'

/** `POST /codex/responses`. Authentication was checked by the server. */
export function codexResponses(ctx: HandlerContext): Answer {
  const body = ctx.body
  if (isObject(body) && body.stream !== true) return invalidRequest('codex', 'Stream must be set to true')
  if (isObject(body) && body.store === true) return invalidRequest('codex', 'Store must be set to false')
  return answerResponses(ctx, {dialect: 'codex', store: false})
}

/** `GET /codex/models`: the model list in the backend's shape (`models[].slug`). */
export function codexModels(ctx: HandlerContext): Answer {
  return json(200, {
    models: ctx.settings.models.map((slug, priority) => ({
      slug,
      display_name: slug,
      description: `Simulated by sim:${ctx.settings.name}`,
      supported_in_api: true,
      visibility: 'list',
      priority,
    })),
  })
}
