/** Reads `GatewaySettings` from environment variables, with one clear problem per bad value. */
import {ConfigError, type Problem} from '../errors.js'
import {GatewaySettingsSchema, type GatewaySettings} from './schema.js'

type Kind = 'string' | 'number' | 'boolean' | 'list'

/** Environment variable → setting key and how to read its text. */
export const SETTINGS_ENV: ReadonlyArray<readonly [env: string, key: keyof GatewaySettings, kind: Kind]> = [
  ['HOST', 'host', 'string'],
  ['PORT', 'port', 'number'],
  ['BACKEND_BASE_URL', 'backend_base_url', 'string'],
  ['BACKEND_API_KEY', 'backend_api_key', 'string'],
  ['BACKEND_CONNECT_TIMEOUT_SECONDS', 'backend_connect_timeout_seconds', 'number'],
  ['BACKEND_READ_TIMEOUT_SECONDS', 'backend_read_timeout_seconds', 'number'],
  ['BACKEND_IDLE_TIMEOUT_SECONDS', 'backend_idle_timeout_seconds', 'number'],
  ['BACKEND_MAX_CONNECTIONS', 'backend_max_connections', 'number'],
  ['ROUTER_CLIENT_HEADERS_TIMEOUT_SECONDS', 'client_headers_timeout_seconds', 'number'],
  ['ROUTER_CLIENT_REQUEST_TIMEOUT_SECONDS', 'client_request_timeout_seconds', 'number'],
  ['ROUTER_MAX_REQUEST_BODY_BYTES', 'max_request_body_bytes', 'number'],
  ['ROUTER_MAX_RESPONSE_BODY_BYTES', 'max_response_body_bytes', 'number'],
  ['ROUTER_MAX_BUFFERED_RESPONSE_BYTES', 'max_buffered_response_bytes', 'number'],
  ['ROUTER_RATE_LIMIT_DEFAULT_COOLDOWN_SECONDS', 'rate_limit_default_cooldown_seconds', 'number'],
  ['ROUTER_RATE_LIMIT_MAX_COOLDOWN_SECONDS', 'rate_limit_max_cooldown_seconds', 'number'],
  ['ROUTER_AUDIT_LOG_ENABLED', 'audit_log_enabled', 'boolean'],
  ['ROUTER_AUDIT_LOG_PATH', 'audit_log_path', 'string'],
  ['ROUTER_AUDIT_LOG_MAX_BYTES', 'audit_log_max_bytes', 'number'],
  ['ROUTER_AUDIT_LOG_MAX_FILES', 'audit_log_max_files', 'number'],
  ['ROUTER_AUDIT_LOG_FLUSH_INTERVAL_MS', 'audit_log_flush_interval_ms', 'number'],
  ['ROUTER_AUDIT_LOG_BATCH_BYTES', 'audit_log_batch_bytes', 'number'],
  ['ROUTER_AUDIT_LOG_MAX_PENDING_BYTES', 'audit_log_max_pending_bytes', 'number'],
  ['ROUTER_AUDIT_LOG_PROMPTS', 'audit_log_prompts', 'string'],
  ['ROUTER_SHUTDOWN_GRACE_SECONDS', 'shutdown_grace_seconds', 'number'],
  ['ROUTER_MEMORY_COMPACT_IDLE_SECONDS', 'memory_compact_idle_seconds', 'number'],
  ['ROUTER_MEMORY_COMPACT_MIN_GROWTH_BYTES', 'memory_compact_min_growth_bytes', 'number'],
  ['ROUTER_CLASSIFIER_CACHE_TEXTS', 'classifier_cache_texts', 'number'],
  ['ROUTER_CLASSIFIER_CACHE_CHARS', 'classifier_cache_chars', 'number'],
  ['INGRESS_AUTH_REQUIRED', 'ingress_auth_required', 'boolean'],
  ['INGRESS_API_KEYS', 'ingress_api_keys', 'list'],
  ['OAUTH_ENABLED', 'oauth_enabled', 'boolean'],
  ['OAUTH_ISSUER', 'oauth_issuer', 'string'],
  ['OAUTH_AUDIENCE', 'oauth_audience', 'string'],
  ['OAUTH_JWKS_URL', 'oauth_jwks_url', 'string'],
  ['OAUTH_ALGORITHMS', 'oauth_algorithms', 'list'],
  ['OAUTH_REQUIRED_SCOPES', 'oauth_required_scopes', 'list'],
  ['OAUTH_JWT_SECRET', 'oauth_jwt_secret', 'string'],
  ['OAUTH_CLOCK_SKEW_SECONDS', 'oauth_clock_skew_seconds', 'number'],
  ['OAUTH_JWKS_COOLDOWN_SECONDS', 'oauth_jwks_cooldown_seconds', 'number'],
  ['OAUTH_JWKS_CACHE_SECONDS', 'oauth_jwks_cache_seconds', 'number'],
  ['OAUTH_JWKS_TIMEOUT_SECONDS', 'oauth_jwks_timeout_seconds', 'number'],
  ['METRICS_AUTH_REQUIRED', 'metrics_auth_required', 'boolean'],
  ['CIRCUIT_BREAKER_ENABLED', 'circuit_breaker_enabled', 'boolean'],
  ['CIRCUIT_BREAKER_FAILURE_THRESHOLD', 'circuit_breaker_failure_threshold', 'number'],
  ['CIRCUIT_BREAKER_RECOVERY_TIMEOUT_SECONDS', 'circuit_breaker_recovery_timeout_seconds', 'number'],
  ['CIRCUIT_BREAKER_HALF_OPEN_MAX_REQUESTS', 'circuit_breaker_half_open_max_requests', 'number'],
  ['IDEMPOTENCY_ENABLED', 'idempotency_enabled', 'boolean'],
  ['IDEMPOTENCY_TTL_SECONDS', 'idempotency_ttl_seconds', 'number'],
  ['IDEMPOTENCY_WAIT_TIMEOUT_SECONDS', 'idempotency_wait_timeout_seconds', 'number'],
  ['IDEMPOTENCY_MAX_ENTRIES', 'idempotency_max_entries', 'number'],
  ['IDEMPOTENCY_MAX_BYTES', 'idempotency_max_bytes', 'number'],
  ['LIVE_METRICS_ENABLED', 'live_metrics_enabled', 'boolean'],
  ['LIVE_METRICS_EWMA_ALPHA', 'live_metrics_ewma_alpha', 'number'],
  ['LIVE_METRICS_UPDATE_INTERVAL_SECONDS', 'live_metrics_update_interval_seconds', 'number'],
  ['LIVE_METRICS_MIN_SAMPLES', 'live_metrics_min_samples', 'number'],
  ['RUNTIME_POLICY_MAX_ADJUSTMENT_RATIO', 'runtime_policy_max_adjustment_ratio', 'number'],
  ['ROUTER_RUNTIME_OVERRIDES_PATH', 'runtime_overrides_path', 'string'],
  ['ROUTER_FEEDBACK_RETRY_WINDOW_SECONDS', 'feedback_retry_window_seconds', 'number'],
  ['ROUTER_FEEDBACK_ESCALATION_MIN_ANSWERS', 'feedback_escalation_min_answers', 'number'],
  ['ROUTER_FEEDBACK_ESCALATION_MIN_BAD', 'feedback_escalation_min_bad', 'number'],
  ['ROUTER_FEEDBACK_ESCALATION_BAD_RATE', 'feedback_escalation_bad_rate', 'number'],
  ['ROUTER_FEEDBACK_ESCALATION_HOURS', 'feedback_escalation_hours', 'number'],
  ['ROUTER_EVENTS_KEEPALIVE_SECONDS', 'events_keepalive_seconds', 'number'],
  ['ROUTER_EVENTS_MAX_BUFFER_BYTES', 'events_max_buffer_bytes', 'number'],
  ['ROUTER_CONFIG_WATCH', 'config_watch', 'boolean'],
  ['ROUTER_STATE_URL', 'state_url', 'string'],
  ['ROUTER_STATE_PREFIX', 'state_prefix', 'string'],
  ['ROUTER_STATE_TIMEOUT_MS', 'state_timeout_ms', 'number'],
  ['ROUTER_FLEET_METRICS_INTERVAL_SECONDS', 'fleet_metrics_interval_seconds', 'number'],
  ['ROUTER_KEYS_FILE', 'keys_file', 'string'],
]

/** Settings that hold secrets: never echoed in errors. */
const SECRET_ENV = new Set(['BACKEND_API_KEY', 'INGRESS_API_KEYS', 'OAUTH_JWT_SECRET', 'ROUTER_STATE_URL'])

const TRUE = new Set(['1', 'true', 'yes', 'on'])
const FALSE = new Set(['0', 'false', 'no', 'off'])

/**
 * Builds settings from the environment plus explicit overrides (flags win). Empty variables count as unset.
 * Throws a `ConfigError` listing every bad variable.
 */
export function settingsFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<GatewaySettings> = {}): GatewaySettings {
  const raw: Record<string, unknown> = {}
  const problems: Problem[] = []
  for (const [name, key, kind] of SETTINGS_ENV) {
    const text = env[name]?.trim()
    if (!text) continue
    const shown = SECRET_ENV.has(name) ? 'the value' : `"${text}"`
    if (kind === 'number') {
      const value = Number(text)
      if (Number.isFinite(value)) raw[key] = value
      else
        problems.push({path: name, message: `${shown} is not a number`, hint: `set ${name} to a number, or unset it`})
    } else if (kind === 'boolean') {
      const lower = text.toLowerCase()
      if (TRUE.has(lower)) raw[key] = true
      else if (FALSE.has(lower)) raw[key] = false
      else problems.push({path: name, message: `${shown} is not a boolean`, hint: `set ${name} to true or false`})
    } else if (kind === 'list') {
      raw[key] = text
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    } else {
      raw[key] = text
    }
  }
  const merged = {...raw, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined))}
  const result = GatewaySettingsSchema.safeParse(merged)
  if (!result.success) {
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? '')
      const name = SETTINGS_ENV.find(([, k]) => k === key)?.[0] ?? key
      problems.push({path: name, message: issue.message, hint: `fix or unset ${name}`})
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new ConfigError('Invalid gateway settings in the environment', problems, {code: 'settings_invalid'})
  }
  return result.data
}
