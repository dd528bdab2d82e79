/** The `--config` flag (alias `--path`) shared by every command that reads a config file. */
import {Flags} from '@oclif/core'

/** `--config FILE` / `--path FILE`; falls back to ROUTING_CONFIG_PATH, then ./router.profile.yaml. */
export const configFlag = Flags.string({
  aliases: ['path'],
  helpValue: 'FILE',
  description: 'Config file: a profile (router.profile.yaml) or a raw runtime config. Defaults to $ROUTING_CONFIG_PATH, then ./router.profile.yaml.',
})
