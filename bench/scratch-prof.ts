import { generateDevKeys } from '../src/index.ts'
import { startTestOp } from '../src/test-op/index.ts'
import { login } from '../test/fixtures/login.ts'
import { UserAgent } from '../test/fixtures/user-agent.ts'
import { startRpProcess } from './lib/rp-process.ts'
const op = await startTestOp()
const rp = await startRpProcess({ opIssuer: op.issuer, keys: generateDevKeys(), attributes: 'minimal' })
for (let i = 0; i < 20; i++) await login(new UserAgent(), rp.url, 'level=2')
const c0 = await rp.cpuMicros()
const N = 150
for (let i = 0; i < N; i++) await login(new UserAgent(), rp.url, 'level=2')
console.log('ms per login', (await rp.cpuMicros() - c0) / N / 1000)
await rp.close(); await op.close()
