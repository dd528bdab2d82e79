/**
 * Config hot reload: when the config file changes (a watch on its directory, so that editors that save by renaming
 * and Kubernetes ConfigMap updates, which swap a `..data` symlink, are both seen; debounced), or when asked (SIGHUP),
 * load and validate it with `loadConfig`. A valid config replaces the running one whole (requests in flight finish on
 * the one they started with); an invalid one is refused and the old one stays. Either way a `config_reload` audit
 * event says what happened, and `onResult` gets the same message.
 */
import {watch, type FSWatcher} from 'node:fs'
import {basename, dirname} from 'node:path'

import {withDefaultAccount} from '../core/config/default-account.js'
import {loadConfig} from '../core/config/load.js'
import {ConfigError, type Problem} from '../core/errors.js'
import {applyConfig, type GatewayState} from './state.js'

export interface ReloadResult {
  ok: boolean
  path: string
  message: string
}

export interface ConfigReloaderOptions {
  path: string
  env: NodeJS.ProcessEnv
  /** Wait this long after the last change before reloading (editors write in several steps); default 200 ms. */
  debounceMs?: number
  onResult?: (result: ReloadResult) => void
}

/** Reloads the config of one gateway on demand and, once `watch()` is called, when its file changes. */
export class ConfigReloader {
  private watcher: FSWatcher | undefined
  private timer: NodeJS.Timeout | undefined
  private running: Promise<ReloadResult> | undefined
  private again = false
  private stopped = false

  constructor(
    private readonly state: GatewayState,
    private readonly options: ConfigReloaderOptions,
  ) {}

  /** Starts watching the file's directory. A directory that cannot be watched is reported and left alone. */
  watch(): void {
    const file = basename(this.options.path)
    try {
      this.watcher = watch(dirname(this.options.path), {persistent: false}, (_type, name) => {
        if (name === null || name === file || name === '..data') this.schedule()
      })
      this.watcher.on('error', () => this.watcher?.close())
    } catch (error) {
      this.options.onResult?.({
        ok: false,
        path: this.options.path,
        message: `cannot watch the config for changes: ${(error as Error).message}; SIGHUP still reloads it`,
      })
    }
  }

  /** Loads the file now; applies it only if it is valid. Concurrent calls share one load (and one more after it). */
  reload(): Promise<ReloadResult> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = this.load().finally(() => {
      this.running = undefined
      if (this.again && !this.stopped) {
        this.again = false
        void this.reload()
      }
    })
    return this.running
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.timer)
    this.watcher?.close()
    this.watcher = undefined
  }

  private schedule(): void {
    if (this.stopped) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 200)
    this.timer.unref()
  }

  private async load(): Promise<ReloadResult> {
    const {path, env} = this.options
    let result: ReloadResult
    try {
      const loaded = await loadConfig(path, {env})
      if (this.stopped) return {ok: false, path, message: 'the gateway is stopping'}
      const {settings} = this.state
      applyConfig(
        this.state,
        Object.assign({}, loaded, {
          config: withDefaultAccount(loaded.config, {
            baseUrl: settings.backend_base_url,
            apiKey: settings.backend_api_key,
          }),
        }),
      )
      const models = Object.keys(loaded.config.models).length
      const accounts = this.state.config.config.accounts.length
      const warnings =
        loaded.warnings.length === 0
          ? ''
          : `, ${loaded.warnings.length} warning${loaded.warnings.length === 1 ? '' : 's'}`
      result = {
        ok: true,
        path: loaded.path,
        message: `config reloaded: ${plural(models, 'model')}, ${plural(accounts, 'account')}${warnings}`,
      }
    } catch (error) {
      result = {ok: false, path, message: `config not reloaded, the running config stays: ${describe(error)}`}
    }
    this.state.bus.publish({
      ts: new Date().toISOString(),
      event: 'config_reload',
      path: result.path,
      ok: result.ok,
      message: result.message,
    })
    this.options.onResult?.(result)
    return result
  }
}

/** A one-paragraph reason, with file and line when known (no secrets: problems never quote secret values). */
function describe(error: unknown): string {
  if (error instanceof ConfigError) {
    const problems = error.problems
      .filter((p) => p.severity !== 'warning')
      .slice(0, 5)
      .map(problemText)
    const more = error.problems.length > 5 ? ` (and ${error.problems.length - 5} more)` : ''
    return problems.length > 0 ? `${error.message}: ${problems.join('; ')}${more}` : error.message
  }
  return error instanceof Error ? error.message : String(error)
}

function problemText(problem: Problem): string {
  const where = [problem.file, problem.line, problem.column].filter((part) => part !== undefined).join(':')
  const path = problem.path ? ` ${problem.path}` : ''
  return `${where ? `${where}` : ''}${path}: ${problem.message}`.trim()
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`
}
