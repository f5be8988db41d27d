// Loaded into every test process (run-tests.mjs). A test file whose process has not ended after
// its budget hits the runner's file timeout, which reports nothing about why; and a process whose
// tests are all done but that does not exit ends the same way, blamed on whatever test ran last.
// So this says what is still keeping the process alive: 5 s after the file's last test (nothing a
// finished test file does should take that long), and 20 s before the file's budget runs out.
// Its timers are unref'd, so they never keep a process alive themselves.
import { after } from 'node:test'

const started = Date.now()
const budget = Number(process.env.SPID_HANG_REPORT_BUDGET_MS ?? 120_000)

function report(what) {
  const handles = process._getActiveHandles()
  const sockets = handles.filter((h) => h && typeof h.remotePort === 'number').map((s) => `${s.localPort}->${s.remotePort}${s.destroyed ? ' (destroyed)' : ''}`)
  const servers = handles.filter((h) => h && typeof h.address === 'function' && typeof h.remotePort !== 'number' && h.listening).map((h) => h.address()?.port)
  const children = handles.filter((h) => h && typeof h.pid === 'number' && typeof h.kill === 'function').map((c) => `${c.pid} ${c.spawnfile ?? ''}`)
  process.stderr.write(
    `# hang report: ${process.argv.slice(1).join(' ')} ${what} (${Math.round((Date.now() - started) / 1000)} s in); ` +
      `resources ${JSON.stringify(process.getActiveResourcesInfo())}; sockets ${JSON.stringify(sockets)}; listening ${JSON.stringify(servers)}; child processes ${JSON.stringify(children)}\n`,
  )
}

setTimeout(() => report('still running, 20 s before its budget runs out'), Number(process.env.SPID_HANG_REPORT_MS ?? Math.max(budget - 20_000, 1_000))).unref()
after(() => {
  setTimeout(() => report('has finished its tests but is still alive after 5 s'), 5_000).unref()
})
