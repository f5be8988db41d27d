/** A misspelled option name is answered with the name meant, when it is within a typo of one. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createSpidSession, generateDevKeys, SpidConfigError } from '../../../src/index.ts'
import { silentLogger } from '../../../src/log/logger.ts'
import { closestName } from '../../../src/options/closest-name.ts'
import { resolveOptions } from '../../../src/options/resolve-options.ts'

const keys = generateDevKeys()
const base = { clientId: 'https://rp.example.it', keys, providers: ['https://op.example.it'], logger: silentLogger }

function problemsOf(run: () => unknown): string {
  try {
    run()
  } catch (error) {
    assert.ok(error instanceof SpidConfigError, String(error))
    return error.message
  }
  assert.fail('the options were accepted')
}

describe('did you mean …?', () => {
  it('suggests defaultLevel for defautLevel, and clientId for clientID', () => {
    const message = problemsOf(() => resolveOptions({ ...base, defautLevel: 2, clientID: 'x' } as never))
    assert.match(message, /"defautLevel": did you mean "defaultLevel"\?/)
    assert.match(message, /"clientID": did you mean "clientId"\?/)
  })

  it('suggests inside nested options, with the path', () => {
    const message = problemsOf(() => resolveOptions({ ...base, providers: [{ issuer: 'https://op.example.it', nmae: 'Test' }] } as never))
    assert.match(message, /providers\[0\]: .*"nmae": did you mean "name"\?/)
  })

  it('suggests for the session options too', () => {
    const message = problemsOf(() => createSpidSession({ secret: 'a secret of twenty chars', clientId: 'http://localhost:3000', encryptonKey: 'x' } as never))
    assert.match(message, /"encryptonKey": did you mean "encryptionKey"\?/)
  })

  it('says nothing more for a name far from every option', () => {
    const message = problemsOf(() => resolveOptions({ ...base, colour: 'blue' } as never))
    assert.match(message, /Unrecognized key: "colour"/)
    assert.doesNotMatch(message, /did you mean/)
  })

  it('counts a swap of neighbouring letters as one edit, and short names need close matches', () => {
    assert.equal(closestName('defualtLevel', ['defaultLevel', 'scope']), 'defaultLevel')
    assert.equal(closestName('jsn', ['json', 'key']), 'json')
    assert.equal(closestName('to', ['json', 'key', 'from']), undefined)
  })
})
