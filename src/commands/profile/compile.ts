import {chmod} from 'node:fs/promises'
import {resolve} from 'node:path'

import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFlag, configPath} from '../../cli/config-flag.js'
import {explainText, warningsText} from '../../cli/profile-output.js'
import {writeFileAtomic} from '../../core/atomic-write.js'
import {loadConfig} from '../../core/config/load.js'
import {renderConfigYaml} from '../../core/config/render.js'
import {maskSecrets} from '../../core/config/secrets.js'
import {UsageError} from '../../core/errors.js'

export default class ProfileCompile extends BaseCommand {
  static override summary = 'Compile a profile into the raw runtime config that the gateway runs.'

  static override description = `Starts from the built-in profile's routes, applies per-task profiles, resolves every model against the catalog, attaches catalog metadata, drops models that break the guardrails, keeps the models your accounts serve, fills account base URLs and merges raw_overrides last. The result validates against the raw runtime schema. A raw config given instead is validated and normalised the same way.

Output: YAML on stdout (the default, or --stdout), a file (--output, written with mode 0600 since it can hold keys), or JSON (--json: {"path", "kind", "profile", "config", "warnings", "steps", "output"}). Inline secrets print as *** on stdout and in JSON unless --show-secrets; the --output file keeps them. --explain prints each compile step (on stderr when the YAML goes to stdout). Warnings go to stderr.`

  static override examples = [
    {
      description: 'Print the compiled config',
      command: '<%= config.bin %> <%= command.id %> --config router.profile.example.yaml --stdout',
    },
    {description: 'Write it for the gateway', command: '<%= config.bin %> <%= command.id %> --output router.yaml'},
    {description: 'See how each step changed the routes', command: '<%= config.bin %> <%= command.id %> --explain'},
    {description: 'As JSON, with the steps', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    config: configFlag,
    output: Flags.string({char: 'o', helpValue: 'FILE', description: 'Write the compiled YAML to FILE (mode 0600).'}),
    stdout: Flags.boolean({
      description: 'Print the compiled YAML on stdout (the default without --output, --json or --explain).',
      default: false,
    }),
    json: Flags.boolean({description: 'Print the result as JSON.', default: false, exclusive: ['stdout']}),
    explain: Flags.boolean({description: 'Print each compile step and what it changed.', default: false}),
    'show-secrets': Flags.boolean({description: 'Print inline keys and tokens instead of ***.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProfileCompile)
    const file = configPath(flags.config)
    if (flags.output && resolve(flags.output) === resolve(file)) {
      throw new UsageError(`--output ${flags.output} is the file being compiled`, {
        hint: 'write the runtime config to another file, e.g. --output router.yaml',
      })
    }
    const loaded = await loadConfig(file, {env: process.env})
    const printable = flags['show-secrets'] ? loaded.config : maskSecrets(loaded.config)

    if (flags.output) {
      const header = `Runtime config compiled from ${file} by \`router profile compile\`.\nEdit the profile and compile again rather than editing this file.`
      await writeFileAtomic(flags.output, renderConfigYaml(loaded.config, {header}), {mode: 0o600})
      await chmod(flags.output, 0o600)
    }

    if (flags.json) {
      this.printJson({
        path: loaded.path,
        kind: loaded.kind,
        profile: loaded.profile,
        config: printable,
        warnings: loaded.warnings,
        steps: loaded.steps,
        output: flags.output ? resolve(flags.output) : null,
      })
      return
    }

    const yamlToStdout = flags.stdout || (!flags.output && !flags.explain)
    if (flags.explain) (yamlToStdout ? process.stderr : process.stdout).write(explainText(loaded) + '\n')
    if (yamlToStdout) process.stdout.write(renderConfigYaml(printable))
    if (flags.output) {
      const count = Object.keys(loaded.config.models).length
      process.stderr.write(
        `Wrote ${flags.output} (${count} models, ${loaded.config.accounts.length} accounts). Run it with: router serve --config ${flags.output}\n`,
      )
    }
    if (loaded.warnings.length > 0) process.stderr.write(warningsText(loaded.warnings) + '\n')
  }
}
