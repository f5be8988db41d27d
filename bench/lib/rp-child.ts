/**
 * A relying party in a process of its own, so its CPU time can be read apart from the test OP's
 * and the load generator's. Started by rp-process.ts; configured by the BENCH_RP environment
 * variable (JSON of RpChildConfig); answers IPC requests:
 *   { id, cmd: 'cpu' }            → { id, cpuMicros }      user + system CPU of this process so far
 *   { id, cmd: 'floor', n }       → { id, cpuMicros }      CPU spent on n crypto floors (crypto-floor.ts)
 *   { id, cmd: 'httpFloor', n }   → { id, cpuMicros }      CPU spent on n HTTP floors (http-floor.ts)
 */
import { listenLater } from '../../test/fixtures/stack.ts'
import { createBenchApp, type BenchAppConfig } from './bench-app.ts'
import { prepareCryptoFloor } from './crypto-floor.ts'
import { prepareHttpFloor } from './http-floor.ts'

export type RpChildConfig = Omit<BenchAppConfig, 'baseUrl'>
export type RpCommand = { cmd: 'cpu' } | { cmd: 'floor' | 'httpFloor'; n: number }
export type RpRequest = RpCommand & { id: number }

const config = JSON.parse(process.env.BENCH_RP ?? '{}') as RpChildConfig
const listening = await listenLater()
const { app, strategy } = createBenchApp({ ...config, baseUrl: listening.url })
listening.handle(app)
const floors = { floor: await prepareCryptoFloor(strategy.options, config.opIssuer), httpFloor: await prepareHttpFloor() }
const cpuMicros = () => {
  const { user, system } = process.cpuUsage()
  return user + system
}

process.on('message', async (message: RpRequest) => {
  if (message.cmd === 'cpu') return process.send?.({ id: message.id, cpuMicros: cpuMicros() })
  const start = cpuMicros()
  const floor = floors[message.cmd]
  for (let i = 0; i < message.n; i++) await floor.once()
  process.send?.({ id: message.id, cpuMicros: cpuMicros() - start })
})
process.on('disconnect', () => process.exit(0))
process.send?.({ ready: true, url: listening.url })
