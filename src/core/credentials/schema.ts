/**
 * Schemas of the credentials file (`~/.config/open-llm-router/credentials.json`): the secrets `router provider login`
 * stores so that profiles never hold them. Entries are keyed by the account's `credential_ref` (default: its name).
 */
import {z} from 'zod'

/** Current version of the file format. */
export const CREDENTIALS_FILE_VERSION = 1

const timestamps = {
  /** ISO 8601 times, for `provider list` and for humans reading the file. */
  created_at: z.string().min(1),
  updated_at: z.string().min(1),
  /** Provider the secret was stored for (informational). */
  provider: z.string().min(1).optional(),
}

/** A stored API key. */
export const ApiKeyCredentialSchema = z.strictObject({
  kind: z.literal('api_key'),
  api_key: z.string().min(1),
  ...timestamps,
})
export type ApiKeyCredential = z.infer<typeof ApiKeyCredentialSchema>

/** Stored OAuth tokens (ChatGPT sign-in), with what a refresh needs. */
export const OAuthCredentialSchema = z.strictObject({
  kind: z.literal('oauth'),
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  /** Expiry of the access token, epoch milliseconds. */
  expires_at: z.number().int(),
  /** ChatGPT account id (`chatgpt-account-id` header). */
  account_id: z.string().min(1).optional(),
  token_url: z.string().url(),
  client_id: z.string().min(1),
  id_token: z.string().min(1).optional(),
  ...timestamps,
})
export type OAuthCredential = z.infer<typeof OAuthCredentialSchema>

/** One entry of the credentials file. */
export const CredentialEntrySchema = z.discriminatedUnion('kind', [ApiKeyCredentialSchema, OAuthCredentialSchema])
export type CredentialEntry = z.infer<typeof CredentialEntrySchema>

/** The credentials file. */
export const CredentialsFileSchema = z.strictObject({
  version: z.literal(CREDENTIALS_FILE_VERSION),
  entries: z.record(z.string().min(1), CredentialEntrySchema),
})
export type CredentialsFile = z.infer<typeof CredentialsFileSchema>

/**
 * OAuth token endpoint answer (authorization-code exchange and refresh). OpenAI's server sends `expires_in`; a refresh
 * may omit `refresh_token` (keep the old one) and `id_token`.
 */
export const TokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  id_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive().optional(),
  token_type: z.string().optional(),
})
export type TokenResponse = z.infer<typeof TokenResponseSchema>

/** An OAuth error answer (RFC 6749 §5.2). */
export const TokenErrorResponseSchema = z.looseObject({
  error: z.union([z.string(), z.looseObject({message: z.string().optional(), code: z.string().optional()})]),
  error_description: z.string().optional(),
})
