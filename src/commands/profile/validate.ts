import {Flags} from '@oclif/core'

import {BaseCommand} from '../../cli/base-command.js'
import {configFlag, configPath} from '../../cli/config-flag.js'
import {summarize, validateLine, warningsText} from '../../cli/profile-output.js'
import {loadConfig} from '../../core/config/load.js'
import {ConfigError} from '../../core/errors.js'

export default class ProfileValidate extends BaseCommand {
  static override summary = 'Check a profile or a raw runtime config, and report every problem with file, line and fix.'

  static override description = `Reads the file named by --config (else $ROUTING_CONFIG_PATH, else ./router.profile.yaml). A profile (it has a top-level \`profile:\` key) is compiled as \`profile compile\` would; a raw runtime config is validated and normalised as \`router serve\` would load it.

Prints OK with a short summary, then the warnings (models that no account serves, undeclared models, unset key variables). Errors exit with code 2 and name the file, line, column and document path of each problem. --strict treats warnings as errors.

--json prints {"ok", "path", "kind", "profile", "summary", "warnings"}; errors print {"error": {"code", "message", "hint", "problems"}}.`

  static override examples = [
    {description: 'Check ./router.profile.yaml', command: '<%= config.bin %> <%= command.id %>'},
    {description: 'Check a raw runtime config', command: '<%= config.bin %> <%= command.id %> --config router.yaml'},
    {description: 'Fail on warnings too (CI)', command: '<%= config.bin %> <%= command.id %> --strict'},
    {description: 'Machine-readable result', command: '<%= config.bin %> <%= command.id %> --json'},
  ]

  static override flags = {
    config: configFlag,
    strict: Flags.boolean({description: 'Treat warnings as errors (exit code 2).', default: false}),
    json: Flags.boolean({description: 'Print the result as JSON.', default: false}),
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(ProfileValidate)
    const file = configPath(flags.config)
    const loaded = await loadConfig(file, {env: process.env})
    if (flags.strict && loaded.warnings.length > 0) {
      const count = loaded.warnings.length
      throw new ConfigError(
        `${file}: ${count} warning${count === 1 ? '' : 's'} treated as error${count === 1 ? '' : 's'} (--strict)`,
        loaded.warnings.map((warning) => ({...warning, severity: 'error' as const})),
        {code: 'config_warnings', hint: 'fix the warnings, or run without --strict'},
      )
    }
    if (flags.json) {
      this.printJson({
        ok: true,
        path: loaded.path,
        kind: loaded.kind,
        profile: loaded.profile,
        summary: summarize(loaded),
        warnings: loaded.warnings,
      })
      return
    }
    process.stdout.write(validateLine(file, loaded) + '\n')
    if (loaded.warnings.length > 0) process.stderr.write(warningsText(loaded.warnings) + '\n')
  }
}
