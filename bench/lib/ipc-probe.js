/**
 * Preloaded (`node --import`) into the gateway by `npm run bench` only where /proc is missing: answers the harness's
 * `probe` messages with the process's own CPU time and RSS. The channel is unref'd so it never keeps the process alive.
 */
if (process.send) {
  process.on('message', (message) => {
    if (message?.type !== 'probe') return
    const cpu = process.cpuUsage()
    process.send({
      type: 'probe-result',
      id: message.id,
      user_us: cpu.user,
      system_us: cpu.system,
      rss: process.memoryUsage.rss(),
    })
  })
  process.channel?.unref()
}
