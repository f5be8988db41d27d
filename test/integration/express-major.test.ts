/**
 * The integration suite runs on Express 5 and, for the files listed in scripts/run-tests.mjs,
 * on Express 4 (`npm test -- --express4`). This says which one a run really loaded, so a switch
 * that silently stopped working fails instead of testing Express 5 twice.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import express from 'express'
import manifest from 'express/package.json' with { type: 'json' }

describe('the Express major under test', () => {
  it('is the one the runner asked for (SPID_TEST_EXPRESS, default 5)', () => {
    const wanted = process.env.SPID_TEST_EXPRESS ?? '5'
    assert.equal(manifest.version.split('.')[0], wanted, `express ${manifest.version} loaded`)
    // Express 4 still has app.del, removed in 5: the module itself, not only its manifest, is the one asked for.
    assert.equal(typeof (express.application as { del?: unknown }).del === 'function' ? '4' : '5', wanted)
  })
})
