/**
 * `passport-spid-oidc/ui`: server-rendered, script-free pieces of a SPID / CIE id login page,
 * the same the example app uses. HTML strings with every value escaped; style them with
 * `SPID_UI_CSS` (served by `spidUiStylesheet()`).
 */
export {
  spidButton,
  cieButton,
  loginForm,
  type ProviderChoice,
  type ButtonSize,
  type SpidButtonOptions,
  type CieButtonOptions,
  type LoginFormOptions,
} from './login-buttons.ts'
export { SPID_UI_CSS, spidUiStylesheet } from './styles.ts'
export { providerChoices } from './provider-choices.ts'
export { levelName, type LevelWords } from './level-names.ts'
export { stepUpPage, type StepUpPageOptions } from './step-up-page.ts'
export { escapeHtml } from '../middleware/html.ts'
export { profileFacts, formatDate, type ProfileFact } from './profile-facts.ts'
export type { Language } from '../errors/messages.ts'
