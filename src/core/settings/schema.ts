/**
 * Gateway settings: everything `router serve` reads from the environment (names as the Python original used them,
 * so that migrating users keep their `.env`). Flags override some of them. Documented in docs/gateway.md.
 */
import {z} from 'zod'

const seconds = z.number().positive()

export const GatewaySettingsSchema = z
  .strictObject({
    /**
     * Interface to listen on. Loopback by default: the gateway holds provider keys and ingress auth is off unless turned
     * on, so it is reachable from this machine only until the operator says otherwise (`0.0.0.0`, `::`, an address).
     */
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number().int().min(0).max(65_535).default(8000),
    /** Used when the config declares no accounts: one account that serves every model. */
    backend_base_url: z.string().url().default('http://localhost:11434'),
    backend_api_key: z.string().optional(),
    /** TCP/TLS connect timeout per upstream attempt. */
    backend_connect_timeout_seconds: seconds.default(5),
    /** Time to the upstream's response headers (time to first byte). */
    backend_read_timeout_seconds: seconds.default(120),
    /** Longest silence between two body chunks of an upstream response (streams included). */
    backend_idle_timeout_seconds: seconds.default(60),
    /** Keep-alive connections per upstream origin. */
    backend_max_connections: z.number().int().positive().default(128),
    /**
     * Time a client has to send its request headers (from the connection or the previous request on it), and to send
     * a whole request, headers and body: slower clients get a 408 and their connection is closed, so that tricklers
     * cannot pin connections. 0 turns a limit off.
     */
    client_headers_timeout_seconds: z.number().nonnegative().default(15),
    client_request_timeout_seconds: z.number().nonnegative().default(60),
    /** Largest request body accepted from a client (413 above). */
    max_request_body_bytes: z
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Largest upstream response body accepted (502 above; a stream is cut with an error event). */
    max_response_body_bytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),
    /**
     * Whole (non-streamed) answers held in memory at once, across requests, at most: an attempt whose answer would go
     * over it fails (`response_too_large`) and the next target, or a 502, takes its place, instead of the process
     * growing without bound. Streams are relayed as they come and do not count.
     */
    max_buffered_response_bytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024 * 1024),
    /** Cool-down for a 429 without a usable Retry-After; Retry-After values are capped at the maximum. */
    rate_limit_default_cooldown_seconds: z.number().nonnegative().default(5),
    rate_limit_max_cooldown_seconds: z.number().nonnegative().default(600),
    audit_log_enabled: z.boolean().default(true),
    audit_log_path: z.string().min(1).default('logs/router_decisions.jsonl'),
    /** The audit log rotates when it reaches this size; `audit_log_max_files` rotated files are kept. */
    audit_log_max_bytes: z
      .number()
      .int()
      .positive()
      .default(50 * 1024 * 1024),
    audit_log_max_files: z.number().int().min(1).default(5),
    /**
     * Lines wait in memory at most this long before they are written (0: on the next turn of the event loop), or until
     * a batch holds `audit_log_batch_bytes`. A process killed outright (SIGKILL, OOM) loses what waits: about the last
     * interval's events, plus those a busy event loop had not reached yet.
     */
    audit_log_flush_interval_ms: z.number().int().nonnegative().default(10),
    audit_log_batch_bytes: z
      .number()
      .int()
      .positive()
      .default(256 * 1024),
    /** While the disk refuses writes, bytes of lines held for the retry at most; lines beyond that are dropped and counted. */
    audit_log_max_pending_bytes: z
      .number()
      .int()
      .positive()
      .default(8 * 1024 * 1024),
    /** Prompt text in `route_decision` events: `off` (default), `redacted`, or `raw`. */
    audit_log_prompts: z.enum(['off', 'redacted', 'raw']).default('off'),
    /** Grace period for in-flight requests and streams on SIGINT/SIGTERM. */
    shutdown_grace_seconds: z.number().nonnegative().default(10),
    /**
     * After this long without a request, a heap that traffic grew by `memory_compact_min_growth_bytes` or more is
     * compacted once, giving the memory back to the system; 0 never compacts.
     */
    memory_compact_idle_seconds: z.number().nonnegative().default(10),
    memory_compact_min_growth_bytes: z
      .number()
      .int()
      .nonnegative()
      .default(8 * 1024 * 1024),
    /**
     * Bounds of the classifier's cache of what it read from system prompts and earlier turns (texts held in memory,
     * never written anywhere); 0 for either turns the cache off.
     */
    classifier_cache_texts: z.number().int().nonnegative().default(1024),
    classifier_cache_chars: z.number().int().nonnegative().default(1_000_000),

    ingress_auth_required: z.boolean().default(false),
    ingress_api_keys: z.array(z.string().min(1)).default([]),
    oauth_enabled: z.boolean().default(false),
    oauth_issuer: z.string().min(1).optional(),
    oauth_audience: z.string().min(1).optional(),
    oauth_jwks_url: z.string().url().optional(),
    oauth_algorithms: z.array(z.string().min(1)).default(['RS256']),
    oauth_required_scopes: z.array(z.string().min(1)).default([]),
    oauth_jwt_secret: z.string().min(1).optional(),
    oauth_clock_skew_seconds: z.number().nonnegative().default(30),
    /** After an unknown `kid`, the JWKS is fetched again at most this often (key rotation). */
    oauth_jwks_cooldown_seconds: z.number().nonnegative().default(30),
    /** A fetched JWKS is used for at most this long before it is fetched again. */
    oauth_jwks_cache_seconds: seconds.default(600),
    /** Time limit of one JWKS fetch. */
    oauth_jwks_timeout_seconds: seconds.default(5),
    /** `/metrics` needs the same credentials as `/v1/*` (it is open by default, for scrapers on a private network). */
    metrics_auth_required: z.boolean().default(false),

    circuit_breaker_enabled: z.boolean().default(true),
    circuit_breaker_failure_threshold: z.number().int().positive().default(5),
    circuit_breaker_recovery_timeout_seconds: seconds.default(30),
    circuit_breaker_half_open_max_requests: z.number().int().positive().default(1),

    idempotency_enabled: z.boolean().default(true),
    idempotency_ttl_seconds: seconds.default(120),
    idempotency_wait_timeout_seconds: seconds.default(30),
    /** Remembered responses at most (the oldest are forgotten first). */
    idempotency_max_entries: z.number().int().positive().default(10_000),
    /** Total size of the remembered response bodies at most; a body over a quarter of it is not remembered. */
    idempotency_max_bytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024),

    live_metrics_enabled: z.boolean().default(true),
    live_metrics_ewma_alpha: z.number().gt(0).max(1).default(0.2),
    live_metrics_update_interval_seconds: seconds.default(30),
    live_metrics_min_samples: z.number().int().positive().default(30),
    runtime_policy_max_adjustment_ratio: z.number().gt(0).max(1).default(0.15),
    runtime_overrides_path: z.string().min(1).default('logs/router.runtime.overrides.yaml'),
    /**
     * Quality feedback: a request that repeats an answered one (same conversation length, first and last user turn)
     * within this window counts as a bad verdict on the first answer; 0 turns retry detection off.
     */
    feedback_retry_window_seconds: z.number().nonnegative().default(120),
    /** A tier is raised one step when its model got this many answers and bad verdicts, at this share, or more… */
    feedback_escalation_min_answers: z.number().int().positive().default(20),
    feedback_escalation_min_bad: z.number().int().positive().default(5),
    feedback_escalation_bad_rate: z.number().gt(0).max(1).default(0.3),
    /** …for this long; then it is judged again on what comes after. */
    feedback_escalation_hours: z.number().positive().default(24),

    /** Comment lines sent on `GET /v1/router/events` to keep idle connections open through proxies. */
    events_keepalive_seconds: seconds.default(15),
    /** An events client whose unsent backlog exceeds this is disconnected (it reconnects and resumes). */
    events_max_buffer_bytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024),
    /** Watch the config file and reload it when it changes (SIGHUP reloads in any case). */
    config_watch: z.boolean().default(true),

    /**
     * Where replicas share their state (cool-downs, breakers, idempotency, key limits and spend): `redis://…` or
     * `rediss://…`; unset keeps it in this process (or, under `serve --workers`, in the primary).
     */
    state_url: z
      .string()
      .regex(/^rediss?:\/\//, {message: 'expected a redis:// or rediss:// URL'})
      .optional(),
    /** Keys of the shared state start with this, so that several fleets can share one Redis. */
    state_prefix: z.string().min(1).default('olr:'),
    /** A shared-state command slower than this counts as a failure: the request goes on with local state. */
    state_timeout_ms: z.number().int().positive().default(100),
    /** Each replica publishes its live metrics for the fleet view this often (kept three intervals). */
    fleet_metrics_interval_seconds: z.number().positive().default(5),
    /** The managed keys (`router keys create`): SHA-256 digests, names and limits; read when it exists. */
    keys_file: z.string().min(1).default('router.keys.json'),
  })
  .refine(
    (s) =>
      s.client_headers_timeout_seconds === 0 ||
      s.client_request_timeout_seconds === 0 ||
      s.client_headers_timeout_seconds <= s.client_request_timeout_seconds,
    {
      path: ['client_headers_timeout_seconds'],
      message: 'must not be longer than the whole request timeout (ROUTER_CLIENT_REQUEST_TIMEOUT_SECONDS)',
    },
  )
export type GatewaySettings = z.infer<typeof GatewaySettingsSchema>
