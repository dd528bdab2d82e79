/** Flags shared by the `provider` commands. */
import {Flags} from '@oclif/core'

/** `--profile FILE`: the profile whose accounts a command reads or edits. */
export const profileFlag = Flags.string({
  aliases: ['config'],
  helpValue: 'FILE',
  description: 'Profile file. Defaults to $ROUTING_CONFIG_PATH, then ./router.profile.yaml.',
})
