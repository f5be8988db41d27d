// Loaded into every test process (run-tests.mjs). A test file whose process has not ended after
// 100 s is about to hit the runner's 120 s timeout, which reports nothing about why: this says
// what is still keeping it alive. The timer is unref'd, so it never keeps a process alive itself.
const started = Date.now()
const timer = setTimeout(
  () => {
    const sockets = process
      ._getActiveHandles()
      .filter((h) => h && typeof h.remotePort === 'number')
      .map((s) => `${s.localPort}->${s.remotePort}${s.destroyed ? ' (destroyed)' : ''}`)
    const servers = process
      ._getActiveHandles()
      .filter((h) => h && typeof h.address === 'function' && typeof h.remotePort !== 'number' && h.listening)
      .map((h) => h.address()?.port)
    process.stderr.write(
      `# hang report: ${process.argv.slice(1).join(' ')} still running after ${Math.round((Date.now() - started) / 1000)} s; ` +
        `resources ${JSON.stringify(process.getActiveResourcesInfo())}; sockets ${JSON.stringify(sockets)}; listening ${JSON.stringify(servers)}\n`,
    )
  },
  Number(process.env.SPID_HANG_REPORT_MS ?? 100_000),
)
timer.unref()
