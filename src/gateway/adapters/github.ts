/**
 * GitHub Models inference (https://docs.github.com/en/rest/models/inference): OpenAI's chat and embeddings format
 * at `{base}/chat/completions` and `{base}/embeddings`, with base `https://models.github.ai/inference` (or
 * `…/orgs/{org}/inference` to bill an organisation), a GitHub token as the bearer, and GitHub's REST headers.
 */
import type {Endpoint} from '../../core/routing/schema.js'
import {openAIFormatAdapter} from './openai.js'

/** The REST API version the inference endpoints are documented against. */
export const GITHUB_API_VERSION = '2022-11-28'

/** GitHub Models: chat completions and embeddings are the only inference endpoints (Responses go through the bridge). */
export const githubAdapter = openAIFormatAdapter({
  // A bare `https://models.github.ai` means the inference root, which is `/inference` rather than a version.
  versionSegment: '/inference',
  endpoints: new Set<Endpoint>(['chat.completions', 'embeddings']),
  headers: {accept: 'application/vnd.github+json', 'x-github-api-version': GITHUB_API_VERSION},
})
