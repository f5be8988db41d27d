import { escapeHtml } from '../middleware/html.ts'
import { SPID_L1, SPID_L2, SPID_L3, levelNumber, parseLevel } from '../levels.ts'
import type { TestUser } from './test-users.ts'

const LEVEL_LABELS: Record<string, string> = {
  [SPID_L1]: 'SpidL1 — password',
  [SPID_L2]: 'SpidL2 — password + OTP',
  [SPID_L3]: 'SpidL3 — smart card / dispositivo',
}

export interface LoginPageInput {
  uid: string
  opName: string
  clientName: string
  users: readonly TestUser[]
  /** `acr_values` of the request: the first is preselected. */
  acrValues: string
  /** Claim names the RP asked for, shown as the consent list. */
  requestedClaims: string[]
}

/**
 * The test OP's login and consent page: pick a test user and the level reached, then
 * authorize or cancel. No scripts; styles in one element, so it renders under any CSP we ship.
 */
export function renderLoginPage(input: LoginPageInput): string {
  const asked = parseLevel(input.acrValues.split(' ')[0]) ?? SPID_L2
  const users = input.users
    .map(
      (u, i) => `
      <label class="user"><input type="radio" name="user" value="${escapeHtml(u.id)}"${i === 0 ? ' checked' : ''}> ${escapeHtml(u.label)}</label>`,
    )
    .join('')
  const levels = ([SPID_L1, SPID_L2, SPID_L3] as const)
    .map(
      (l) => `
        <option value="${levelNumber(l)}"${l === asked ? ' selected' : ''}>${escapeHtml(LEVEL_LABELS[l])}</option>`,
    )
    .join('')
  const claims = input.requestedClaims.length
    ? `<ul>${input.requestedClaims.map((c) => `<li><code>${escapeHtml(c)}</code></li>`).join('')}</ul>`
    : '<p>Nessun attributo richiesto.</p>'
  return `<!doctype html>
<html lang="it">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(input.opName)} — accesso di prova</title>
<style>
  body { font-family: "Titillium Web", system-ui, sans-serif; margin: 0; background: #f5f7fa; color: #17324d; }
  header { background: #0066cc; color: #fff; padding: 1rem 2rem; }
  header p { margin: .25rem 0 0; opacity: .9; }
  main { max-width: 36rem; margin: 2rem auto; background: #fff; padding: 1.5rem 2rem; border-radius: 4px; box-shadow: 0 1px 4px rgba(0,0,0,.15); }
  fieldset { border: 1px solid #c5c7c9; border-radius: 4px; margin: 0 0 1rem; }
  .user { display: block; padding: .4rem 0; }
  select { font: inherit; padding: .3rem; }
  .actions { display: flex; gap: 1rem; margin-top: 1.5rem; }
  button { font: inherit; font-weight: 600; padding: .6rem 1.4rem; border-radius: 4px; border: 2px solid #0066cc; cursor: pointer; }
  button.primary { background: #0066cc; color: #fff; }
  button.secondary { background: #fff; color: #0066cc; }
  .note { font-size: .85rem; color: #5c6f82; }
</style>
</head>
<body>
<header><strong>${escapeHtml(input.opName)}</strong><p>Gestore dell’identità di prova (SPID o CIE id) — solo per sviluppo e test</p></header>
<main>
  <h1>Accedi a ${escapeHtml(input.clientName)}</h1>
  <form method="post" action="/interaction/${escapeHtml(input.uid)}/login">
    <fieldset><legend>Utente di prova</legend>${users}
    </fieldset>
    <p><label for="level">Livello di autenticazione raggiunto</label><br>
      <select id="level" name="level">${levels}
      </select></p>
    <p class="note">Il servizio chiede: <code>${escapeHtml(input.acrValues)}</code></p>
    <h2>Dati che saranno condivisi</h2>
    ${claims}
    <div class="actions">
      <button class="primary" type="submit" name="action" value="login">Autorizza e accedi</button>
      <button class="secondary" type="submit" name="action" value="cancel">Annulla</button>
    </div>
  </form>
</main>
</body>
</html>`
}
