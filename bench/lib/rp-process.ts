/** Starts rp-child.ts in a child process and talks to it over IPC. */
import { fork } from 'node:child_process'
import type { RpChildConfig, RpCommand } from './rp-child.ts'

export interface RpProcess {
  url: string
  /** CPU microseconds (user + system) the RP process has used so far. */
  cpuMicros(): Promise<number>
  /** CPU microseconds the RP process spends on `n` crypto floors. */
  floorMicros(n: number): Promise<number>
  /** CPU microseconds the RP process spends on `n` HTTP floors. */
  httpFloorMicros(n: number): Promise<number>
  close(): Promise<void>
}

export async function startRpProcess(config: RpChildConfig): Promise<RpProcess> {
  const child = fork(new URL('./rp-child.ts', import.meta.url).pathname, [], {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_RP_PROFILE ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${process.env.BENCH_RP_PROFILE}`] : []),
    ],
    env: { ...process.env, BENCH_RP: JSON.stringify(config), NODE_ENV: 'development' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const waiting = new Map<number, (reply: { cpuMicros: number }) => void>()
  let nextId = 1
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`RP process exited with ${code} before it was ready`)))
    child.on('message', (message: { ready?: boolean; url?: string; id?: number; cpuMicros?: number }) => {
      if (message.ready) return resolve(message.url as string)
      waiting.get(message.id as number)?.(message as { cpuMicros: number })
      waiting.delete(message.id as number)
    })
  })
  const ask = (request: RpCommand) =>
    new Promise<number>((resolve) => {
      const id = nextId++
      waiting.set(id, (reply) => resolve(reply.cpuMicros))
      child.send({ ...request, id })
    })
  return {
    url,
    cpuMicros: () => ask({ cmd: 'cpu' }),
    floorMicros: (n) => ask({ cmd: 'floor', n }),
    httpFloorMicros: (n) => ask({ cmd: 'httpFloor', n }),
    // Disconnecting lets the child exit by itself (and write a --cpu-prof profile, if asked for).
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        const kill = setTimeout(() => child.kill('SIGKILL'), 5000)
        child.once('exit', () => {
          clearTimeout(kill)
          resolve()
        })
        child.disconnect()
      }),
  }
}
